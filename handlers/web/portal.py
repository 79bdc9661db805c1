"""The unit portal: a unit head's reports, and handing in files and short texts on the web.

Thin on purpose: who may ask, what the answer looks like (a page, or JSON for the page's
script). The reading of the body is `uploads`; what a submission is, `web_submission`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.plan.model import Role
from bot.core.usecases import ALLOWED_EXTENSIONS
from bot.core.usecases.web_submission import WebReceipt, WebSubmissions
from handlers.web import uploads
from handlers.web.context import WebUser
from handlers.web.pages import Refused, csrf_ok, deps, form, render, require

log = logging.getLogger(__name__)

TEXT_FIELD = "noi-dung"
NOTE_FIELD = "ghi-chu"
# How the portal's pages write deadlines and lengths of time, as chat writes them.
WORDS: dict[str, Any] = {"deadline": fmt.deadline, "duration": fmt.duration}


def routes() -> list[BaseRoute]:
    return [
        Route("/don-vi", overview, methods=["GET"]),
        Route("/don-vi/bao-cao/{instance_id:int}", report, methods=["GET"]),
        Route("/don-vi/bao-cao/{instance_id:int}/tai-len", upload, methods=["POST"]),
        Route("/don-vi/bao-cao/{instance_id:int}/van-ban", text_report, methods=["POST"]),
    ]


def desk(request: Request) -> WebSubmissions:
    """The portal's use cases over the chat use cases' records and the running messengers."""
    web = deps(request)
    return WebSubmissions(
        ctx=web.core.context,
        history=web.archives.history,
        roster=web.office.roster,
        messengers=web.messengers,
        outbox=web.outbox,
    )


def unit_head(request: Request) -> tuple[WebUser, int, str]:
    """The signed-in unit head, their contact id and unit key (403 for anyone else)."""
    user = require(request, Role.HEAD)
    if user.contact_id is None or user.unit_key is None:
        raise Refused("web-forbidden", status=403)
    return user, user.contact_id, user.unit_key


async def overview(request: Request) -> Response:
    """GET /don-vi: the unit's open reports, and the past ones it may still correct."""
    user, _, unit_key = unit_head(request)
    portal = desk(request)
    return render(
        request,
        "portal/overview.html",
        overview=await portal.overview(unit_key=unit_key),
        now=portal.ctx.now(),
        unit_name=user.unit_name or unit_key,
        **WORDS,
    )


async def report(request: Request) -> Response:
    """GET /don-vi/bao-cao/{id}: one report, what the unit sent to it, and the forms."""
    _, _, unit_key = unit_head(request)
    portal = desk(request)
    try:
        found = await portal.report(unit_key=unit_key, instance_id=_instance(request))
    except UserError as error:
        raise Refused(error.key, status=404, **error.params) from None
    web = deps(request)
    return render(
        request,
        "portal/report.html",
        report=found,
        now=portal.ctx.now(),
        max_upload=web.settings.max_upload,
        max_upload_mb=fmt.megabytes(web.settings.max_upload),
        max_files=uploads.MAX_FILES,
        max_text=portal.ctx.settings.max_text,
        accept=",".join(sorted(ALLOWED_EXTENSIONS)),
        text_field=TEXT_FIELD,
        note_field=NOTE_FIELD,
        **WORDS,
    )


async def upload(request: Request) -> Response:
    """POST /don-vi/bao-cao/{id}/tai-len: files streamed to the disk, then each stored as the
    unit's next version with its receipt, or, on any refusal, nothing stored at all.

    Everything that can be judged without the body is judged before reading it: who asks,
    the CSRF token when it comes in the header (the page's script), the report, the declared
    size. The plain form sends its token as the body's first field instead.
    """
    wants_json = _wants_json(request)
    try:
        _, contact_id, unit_key = unit_head(request)
        token = request.headers.get("x-csrf-token")
        if token is not None and not csrf_ok(request, token):
            raise Refused("web-csrf", status=403)
        portal = desk(request)
        instance_id = _instance(request)
        try:
            await portal.report(unit_key=unit_key, instance_id=instance_id)
        except UserError as error:
            raise Refused(error.key, status=404, **error.params) from None
        max_file = deps(request).settings.max_upload
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > uploads.body_limit(max_file):
            raise Refused(
                "web-portal-upload-too-big",
                status=413,
                limit=fmt.megabytes(max_file),
                files=uploads.MAX_FILES,
            )
        received = await uploads.receive(
            request.headers.get("content-type", ""),
            request.stream(),
            store=portal.ctx.files,
            max_file=max_file,
            authorized=token is not None,
            csrf_ok=lambda value: csrf_ok(request, value),
        )
    except Refused as refused:
        return _refusal(request, t(refused.key, **refused.args_), refused.status, wants_json)
    except uploads.UploadRefused as refused:
        return _refusal(request, refused.message(), refused.status, wants_json)
    except ClientDisconnect:
        # Nobody reads an answer; the staged parts are gone already.
        log.info("an upload was cut off before its end; nothing was kept")
        return Response(status_code=400)
    try:
        receipts = await portal.submit_files(
            contact_id=contact_id,
            unit_key=unit_key,
            instance_id=instance_id,
            files=received.files,
            upload_ref=_upload_ref(),
            note=received.fields.get(NOTE_FIELD),
        )
    except UserError as error:
        return _refusal(request, error.message(), 409, wants_json)
    except Exception:
        log.exception("an upload could not be stored")
        return _refusal(request, t("web-portal-failed"), 500, wants_json)
    return _receipts(request, instance_id, receipts, wants_json)


async def text_report(request: Request) -> Response:
    """POST /don-vi/bao-cao/{id}/van-ban: a short text report, cleaned and limited as in chat."""
    wants_json = _wants_json(request)
    try:
        _, contact_id, unit_key = unit_head(request)
        fields = await form(request)
    except Refused as refused:
        return _refusal(request, t(refused.key, **refused.args_), refused.status, wants_json)
    body = fields.get(TEXT_FIELD)
    instance_id = _instance(request)
    try:
        receipt = await desk(request).submit_text(
            contact_id=contact_id,
            unit_key=unit_key,
            instance_id=instance_id,
            body=body if isinstance(body, str) else "",
            upload_ref=_upload_ref(),
        )
    except UserError as error:
        return _refusal(request, error.message(), 400, wants_json)
    return _receipts(request, instance_id, [receipt], wants_json)


def _instance(request: Request) -> int:
    value: Any = request.path_params["instance_id"]
    return int(value)


def _upload_ref() -> str:
    """The submissions' source_ref: one per request, so that each upload makes new versions."""
    return f"web:{uuid.uuid4().hex}"


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _refusal(request: Request, message: str, status: int, wants_json: bool) -> Response:
    if wants_json:
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "problem.html", status=status, message=message)


def _receipts(
    request: Request, instance_id: int, receipts: list[WebReceipt], wants_json: bool
) -> Response:
    if wants_json:
        return JSONResponse(
            {
                "receipts": [
                    {
                        "code": item.receipt.receipt_code,
                        "version": item.receipt.version,
                        "text": item.text,
                    }
                    for item in receipts
                ]
            }
        )
    return render(request, "portal/receipts.html", receipts=receipts, instance_id=instance_id)
