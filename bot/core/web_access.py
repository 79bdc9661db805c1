"""Signing in to the web app without passwords: one-time links and the sessions they open.

A link is signed with a key kept in the database (one key, made once, shared by every process),
used once, and expires: a day for a unit's contact (they open it when they have a moment), a
quarter of an hour for office staff and leadership (their links open the whole dashboard). Only a
hash of a link or of a session's cookie is stored, so a copy of the database signs nobody in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.core.model import Contact
from bot.core.office import ContactView
from bot.core.plan.model import Role

if TYPE_CHECKING:  # the ports speak of the views below
    from bot.core.ports import WebAccess

CONTACT_LINK_TTL = timedelta(hours=24)
STAFF_LINK_TTL = timedelta(minutes=15)
# A session ends after 12 hours without a request (a browser left open on a shared office
# computer overnight) and 7 days after it began whatever happens (a lost phone stays signed in
# a week at most); signing out, `baocao web logout-all`, or moving or removing its contact end it
# sooner.
SESSION_IDLE = timedelta(hours=12)
SESSION_LIFETIME = timedelta(days=7)
# last_seen_at is written at most this often: a page of the dashboard fetches several things.
SESSION_TOUCH = timedelta(minutes=1)

SIGNATURE_CHARS = 22  # 132 bits of HMAC-SHA256, base64url
SIGN_IN_PATH = "/dang-nhap/"


def link_ttl(role: Role) -> timedelta:
    """How long a sign-in link for `role` stays open."""
    return CONTACT_LINK_TTL if role is Role.HEAD else STAFF_LINK_TTL


class LinkState(StrEnum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    FORGED = "forged"  # not signed with our key, or not one we made


@dataclass(frozen=True, slots=True)
class LinkView:
    """A sign-in link as its confirm page shows it."""

    id: int
    role: Role
    display_name: str
    contact_id: int | None
    unit_name: str | None
    expires_at: datetime
    used_at: datetime | None

    def state(self, now: datetime) -> LinkState:
        if self.used_at is not None:
            return LinkState.USED
        if self.expires_at <= now:
            return LinkState.EXPIRED
        return LinkState.OPEN


@dataclass(frozen=True, slots=True)
class SessionView:
    """A signed-in browser, with the contact it speaks for (None: office staff from the CLI)."""

    id: int
    role: Role
    display_name: str
    csrf: str
    contact_id: int | None
    unit_key: str | None
    unit_name: str | None
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to a contact who uses only the web (a reminder, a receipt), read on the portal."""

    id: int
    text: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class IssuedLink:
    """A sign-in link just made: `url` is the only place its token ever appears."""

    url: str
    role: Role
    display_name: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A session just opened: `cookie` goes to the browser and nowhere else."""

    cookie: str
    session: SessionView


def digest(token: str) -> str:
    """What is stored for a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def short_hash(token: str) -> str:
    """A token's hash prefix, the most a log line may show of it."""
    return digest(token)[:8]


def _mac(key: bytes, purpose: str, value: str) -> str:
    raw = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:SIGNATURE_CHARS]


class WebAccessDesk:
    """Makes sign-in links, signs people in with them, and finds who a cookie belongs to."""

    def __init__(self, *, records: WebAccess, base_url: str, clock: Callable[[], datetime]) -> None:
        self.records = records
        self.base_url = base_url.rstrip("/")
        self.now = clock
        self._key: bytes | None = None

    async def key(self) -> bytes:
        if self._key is None:
            self._key = await self.records.signing_key(now=self.now())
        return self._key

    async def issue(
        self,
        *,
        role: Role,
        display_name: str,
        created_by: str,
        contact: Contact | ContactView | None = None,
        now: datetime | None = None,
    ) -> IssuedLink:
        """A new one-time link for `contact` (in their role) or for office staff without one."""
        now = now or self.now()
        if contact is not None:
            role, display_name = contact.role, contact.display_name
        nonce = secrets.token_urlsafe(24)
        token = f"{nonce}.{_mac(await self.key(), 'link', nonce)}"
        expires_at = now + link_ttl(role)
        await self.records.add_link(
            token_hash=digest(token),
            role=role,
            contact_id=None if contact is None else contact.id,
            display_name=display_name,
            created_by=created_by,
            now=now,
            expires_at=expires_at,
        )
        return IssuedLink(
            url=f"{self.base_url}{SIGN_IN_PATH}{token}",
            role=role,
            display_name=display_name,
            expires_at=expires_at,
        )

    async def signed(self, token: str) -> bool:
        """Whether `token` carries our signature (before the database is asked)."""
        nonce, dot, signature = token.partition(".")
        if not dot or not nonce or len(token) > 200:
            return False
        expected = _mac(await self.key(), "link", nonce)
        return hmac.compare_digest(expected.encode(), signature.encode())

    async def look(self, token: str) -> tuple[LinkState, LinkView | None]:
        """What a link is now, without using it (chat previews and mail scanners open links)."""
        if not await self.signed(token):
            return LinkState.FORGED, None
        view = await self.records.find_link(token_hash=digest(token))
        if view is None:
            return LinkState.FORGED, None
        return view.state(self.now()), view

    async def confirm_value(self, token: str) -> str:
        """The confirm form's CSRF value: there is no session yet, so it is bound to the link."""
        return _mac(await self.key(), "confirm", token)

    async def confirm_ok(self, token: str, value: str | None) -> bool:
        if not value:
            return False
        expected = await self.confirm_value(token)
        return hmac.compare_digest(expected.encode(), value.encode())

    async def sign_in(self, token: str) -> tuple[LinkState, SignedIn | None]:
        """Use the link and open a session; of two browsers racing, one wins, the other is told
        the link was used."""
        state, view = await self.look(token)
        if state is not LinkState.OPEN or view is None:
            return state, None
        now = self.now()
        cookie = secrets.token_urlsafe(32)
        session = await self.records.sign_in(
            link_hash=digest(token),
            session_hash=digest(cookie),
            csrf=secrets.token_urlsafe(24),
            now=now,
            expires_at=now + SESSION_LIFETIME,
        )
        if session is None:  # used or expired between the look and the update
            state, _ = await self.look(token)
            return (LinkState.USED if state is LinkState.OPEN else state), None
        return LinkState.OPEN, SignedIn(cookie=cookie, session=session)

    async def open_session(self, *, contact: Contact, created_by: str) -> SignedIn:
        """Sign in at once a contact who has just registered on the web (the invite page)."""
        issued = await self.issue(
            role=contact.role,
            display_name=contact.display_name,
            contact=contact,
            created_by=created_by,
        )
        token = issued.url.rpartition("/")[2]
        state, signed_in = await self.sign_in(token)
        assert state is LinkState.OPEN and signed_in is not None  # made a moment ago
        return signed_in

    async def session(self, cookie: str | None) -> SessionView | None:
        """The live session a cookie belongs to; None for a forged, unknown or ended one."""
        if not cookie or len(cookie) > 200:
            return None
        return await self.records.find_session(
            token_hash=digest(cookie), now=self.now(), idle=SESSION_IDLE, touch=SESSION_TOUCH
        )

    async def sign_out(self, cookie: str | None) -> bool:
        if not cookie or len(cookie) > 200:
            return False
        return await self.records.end_session(token_hash=digest(cookie), now=self.now())

    async def end_contact(self, contact_id: int) -> int:
        """End every session of a contact (moved or removed); how many were live."""
        return await self.records.end_contact_sessions(contact_id=contact_id, now=self.now())

    async def end_all(self) -> int:
        """End every live session; how many."""
        return await self.records.end_all_sessions(now=self.now())
