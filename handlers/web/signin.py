"""Signing in and out, web invites, the welcome page, notices, and what every response carries.

The middleware finds the session from its cookie and puts its `WebUser` in
`scope["baocao.user"]` (other pages read only that, through `pages.user`), adds the security
headers to every response, and turns an unexpected error into a page in words.
"""

from __future__ import annotations

import logging
import uuid
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.core.cleaning import clean_name, has_visible
from bot.core.i18n import t
from bot.core.model import RedeemStatus
from bot.core.office import InviteStatus
from bot.core.plan.model import Role
from bot.core.web_access import SESSION_LIFETIME, LinkState, Notice, SessionView, SignedIn
from handlers.web.context import WebDeps, WebUser
from handlers.web.pages import Refused, csrf_ok, deps, problem, render, require, user

log = logging.getLogger("baocao.web")

COOKIE = "baocao_phien"
PLATFORM = "web"  # contacts who registered on the web; their messenger keeps notices
NAME_LENGTH = 120
NOTICES_SHOWN = 50

# default-src 'self' keeps every script, style and font to this server (offices may have no
# internet, and nothing is fetched from a CDN); links carry tokens, so no referrer leaves.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
HSTS = "max-age=31536000"

# What each state of a link that cannot sign in says, and its status.
LINK_PROBLEMS = {
    LinkState.USED: ("signin-link-used", 410),
    LinkState.EXPIRED: ("signin-link-expired", 410),
    LinkState.FORGED: ("signin-link-forged", 404),
}


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/dang-nhap/{token}", confirm_page, methods=["GET"]),
        Route("/dang-nhap/{token}", confirm, methods=["POST"]),
        Route("/dang-xuat", sign_out, methods=["POST"]),
        Route("/moi/{code}", invite_page, methods=["GET", "POST"]),
        Route("/don-vi/thong-bao", notices_page, methods=["GET"]),
    ]


def middleware(deps: WebDeps) -> list[Middleware]:
    return [Middleware(SignInMiddleware, deps=deps)]


def web_user(session: SessionView) -> WebUser:
    return WebUser(
        session_id=session.id,
        role=session.role,
        display_name=session.display_name,
        csrf=session.csrf,
        contact_id=session.contact_id,
        unit_key=session.unit_key,
        unit_name=session.unit_name,
    )


class SignInMiddleware:
    """Plain ASGI rather than BaseHTTPMiddleware: uploads stream through it untouched."""

    def __init__(self, app: ASGIApp, deps: WebDeps) -> None:
        self.app = app
        self.deps = deps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = _cookie(scope)
        if cookie:
            session = await self.deps.access.session(cookie)
            if session is not None:
                scope["baocao.user"] = web_user(session)
        secure = self.deps.settings.secure_cookies
        started = False

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if headers.get("content-type", "").startswith("text/html"):
                    headers["cache-control"] = "no-store"
                if secure:
                    headers["strict-transport-security"] = HSTS
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        except Exception:
            # The traceback goes to the log (the path only: query strings may carry tokens);
            # the person gets words.
            log.exception("web page failed: %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            request = Request(scope)
            await problem(request, "signin-server-error", status=500)(scope, receive, with_headers)


def _cookie(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a cookie header no browser would send: nobody signed in
                return None
            morsel = jar.get(COOKIE)
            if morsel is not None:
                return morsel.value
    return None


def _signed_in(response: Response, request: Request, signed_in: SignedIn) -> Response:
    response.set_cookie(
        COOKIE,
        signed_in.cookie,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=deps(request).settings.secure_cookies,
    )
    return response


def _signed_out(response: Response, request: Request) -> Response:
    response.delete_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=deps(request).settings.secure_cookies,
    )
    return response


# ---- pages -----------------------------------------------------------------------------------


async def home(request: Request) -> Response:
    """Each role's own page; the welcome page for someone not signed in."""
    signed_in = user(request)
    if signed_in is None:
        return render(request, "signin/welcome.html")
    if signed_in.sees_dashboard:
        return RedirectResponse("/van-phong", status_code=303)
    return RedirectResponse("/don-vi", status_code=303)


async def confirm_page(request: Request) -> Response:
    """Who the link signs in, and a button. Opening the page uses nothing: chat previews and
    mail scanners open links too."""
    token = request.path_params["token"]
    access = deps(request).access
    state, link = await access.look(token)
    if state is not LinkState.OPEN or link is None:
        key, status = LINK_PROBLEMS[state]
        return problem(request, key, status=status)
    return render(
        request,
        "signin/confirm.html",
        link=link,
        role=t(f"role-{link.role.value}"),
        token=token,
        confirm=await access.confirm_value(token),
    )


async def confirm(request: Request) -> Response:
    """The confirm button: the link is used, a session opens, and the person lands on `/`."""
    token = request.path_params["token"]
    access = deps(request).access
    fields = await request.form()
    value = fields.get("xacnhan")
    if not await access.confirm_ok(token, value if isinstance(value, str) else None):
        state, _ = await access.look(token)
        if state is LinkState.FORGED:
            key, status = LINK_PROBLEMS[state]
            return problem(request, key, status=status)
        raise Refused("web-csrf", status=403)
    state, signed_in = await access.sign_in(token)
    if signed_in is None:
        key, status = LINK_PROBLEMS.get(state, LINK_PROBLEMS[LinkState.USED])
        return problem(request, key, status=status)
    return _signed_in(RedirectResponse("/", status_code=303), request, signed_in)


async def sign_out(request: Request) -> Response:
    if user(request) is not None:
        fields = await request.form()
        token = fields.get("csrf")
        if not csrf_ok(request, token if isinstance(token, str) else None):
            raise Refused("web-csrf", status=403)
        await deps(request).access.sign_out(_cookie(request.scope))
    return _signed_out(RedirectResponse("/", status_code=303), request)


async def invite_page(request: Request) -> Response:
    """A web invite: the unit and role it is for, the person's name, then they are a contact
    on the web and signed in."""
    code = request.path_params["code"].strip()[:64]
    web = deps(request)
    now = web.clock()
    invite = next((i for i in await web.office.list_invites(now=now) if i.code == code), None)
    if invite is None:
        return problem(request, "start-unknown", status=404)
    if invite.status is not InviteStatus.OPEN:
        return problem(request, f"start-{invite.status.value}", status=410)
    confirm_value = await web.access.confirm_value(f"invite:{code}")
    role = t(f"role-{invite.role.value}")
    if request.method == "GET":
        return render(
            request, "signin/invite.html", invite=invite, role=role, confirm=confirm_value
        )
    fields = await request.form()
    value = fields.get("xacnhan")
    if not await web.access.confirm_ok(f"invite:{code}", value if isinstance(value, str) else None):
        raise Refused("web-csrf", status=403)
    typed = fields.get("ten")
    name = " ".join(clean_name(typed).split())[:NAME_LENGTH] if isinstance(typed, str) else ""
    if not has_visible(name):
        return render(
            request,
            "signin/invite.html",
            status=400,
            invite=invite,
            role=role,
            confirm=confirm_value,
            error=t("signin-invite-name-needed"),
        )
    user_id = f"web-{uuid.uuid4().hex}"
    result = await web.core.context.repo.redeem_invite(
        code=code,
        platform=PLATFORM,
        user_id=user_id,
        chat_id=user_id,
        display_name=name,
        now=web.clock(),
    )
    if result.contact is None or result.status is not RedeemStatus.REGISTERED:
        return problem(request, f"start-{result.status.value}", status=410)
    signed_in = await web.access.open_session(contact=result.contact, created_by="invite")
    return _signed_in(RedirectResponse("/", status_code=303), request, signed_in)


async def notices_page(request: Request) -> Response:
    """A web contact's notices (reminders, receipts), newest first; opening them reads them."""
    signed_in = require(request, Role.HEAD, Role.OFFICE, Role.LEADER)
    chat_id = await _chat_of(request, signed_in)
    web = deps(request)
    notices = (
        [] if chat_id is None else await web.notices.notices(chat_id=chat_id, limit=NOTICES_SHOWN)
    )
    if chat_id is not None:
        await web.notices.mark_read(chat_id=chat_id, now=web.clock())
    return render(request, "signin/notices_page.html", notices=notices)


async def _chat_of(request: Request, signed_in: WebUser) -> str | None:
    """The web chat id of the signed-in contact, if they registered on the web."""
    if signed_in.contact_id is None:
        return None
    contacts = await deps(request).office.list_contacts()
    found = next((c for c in contacts if c.id == signed_in.contact_id), None)
    if found is None or found.platform != PLATFORM:
        return None
    return found.user_id


async def notices_for(request: Request) -> list[Notice]:
    """The signed-in web contact's notices, newest first, for a page that includes
    `signin/notices.html`; they are marked read."""
    signed_in = user(request)
    if signed_in is None:
        return []
    chat_id = await _chat_of(request, signed_in)
    if chat_id is None:
        return []
    web = deps(request)
    found = await web.notices.notices(chat_id=chat_id, limit=NOTICES_SHOWN)
    await web.notices.mark_read(chat_id=chat_id, now=web.clock())
    return found
