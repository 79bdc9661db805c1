"""What the dashboard's pages share: who may see them, the round they name, and sending a
file that was written for this one request."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import StreamingResponse

from bot.core.i18n import t
from bot.core.model import InstanceStatus
from bot.core.plan.loader import plan_from_data
from bot.core.plan.model import Role, UnitSpec
from handlers.web.context import WebUser
from handlers.web.pages import Refused, deps, require

CHUNK = 256 * 1024

# Letters NFKD does not take apart into a base letter and its marks.
_ASCII_EXTRA = str.maketrans({"\u0111": "d", "\u0110": "D"})


def reader(request: Request) -> WebUser:
    """The signed-in Office staff or leader: both read the dashboard."""
    return require(request, Role.OFFICE, Role.LEADER)


def worker(request: Request) -> WebUser:
    """The signed-in Office staff: only they change anything."""
    return require(request, Role.OFFICE)


def now(request: Request) -> datetime:
    return deps(request).clock()


def round_label(instance_key: str) -> str:
    return t("instance-once") if instance_key == "once" else instance_key


async def find_round(request: Request, instance_id: int) -> InstanceStatus:
    """The open round `instance_id` with every unit's status, or a 404 page."""
    status = await deps(request).office.round_status(instance_id=instance_id, now=now(request))
    if status is None:
        raise Refused("dash-round-unknown", status=404)
    return status


def content_disposition(name: str) -> str:
    """`attachment` with the name twice (RFC 6266): an ASCII fallback for old clients, and
    the real name, Vietnamese letters and all, in RFC 5987 form for every current browser."""
    plain = unicodedata.normalize("NFKD", name.translate(_ASCII_EXTRA))
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
        for c in plain
        if not unicodedata.combining(c)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_file(path: Path, *, name: str, media_type: str) -> StreamingResponse:
    """Stream the file at `path`, written for this request, and remove it at once.

    It is opened, then unlinked before the first byte goes out: the open handle keeps the
    data readable, and whatever happens to the download (finished, cut off, never read) the
    disk keeps nothing once the handle is closed or collected.
    """
    handle = path.open("rb")
    size = path.stat().st_size
    path.unlink(missing_ok=True)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

    headers = {"content-disposition": content_disposition(name), "content-length": str(size)}
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)


async def plan_units(request: Request) -> list[UnitSpec]:
    """The units of the plan applied last, in its order ([] before any plan)."""
    stored = await deps(request).plans.applied()
    if stored is None:
        return []
    return list(plan_from_data(stored.data, stored.source, stored.path).units)


def actor(signed_in: WebUser) -> str:
    """Who did it, as the audit trail names a change made on the web: a contact by number
    (the trail outlives the erasure of their name), the Office's CLI link by its name."""
    if signed_in.contact_id is not None:
        return f"web:contact:{signed_in.contact_id}"
    return f"web:{signed_in.display_name}"


def field_text(fields: FormData, name: str) -> str:
    """A form field as text, trimmed; "" when absent or a file."""
    value = fields.get(name)
    return value.strip() if isinstance(value, str) else ""
