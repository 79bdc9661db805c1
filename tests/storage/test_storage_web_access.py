"""The web app's links, sessions and notices on both backends: one key, one use per link."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import NOW, snapshot, unit_head

from bot.core.plan.model import Role
from bot.core.web_access import (
    SESSION_IDLE,
    SESSION_LIFETIME,
    LinkState,
    WebAccessDesk,
    digest,
)
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.models import web_link_t, web_session_t
from storage.plans import apply_plan
from storage.repository import SqlRepository
from storage.roster import SqlRoster
from storage.web_access import SqlWebAccess
from storage.web_notices import SqlWebNotices


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def desk(engine: AsyncEngine, clock: Clock) -> WebAccessDesk:
    return WebAccessDesk(records=SqlWebAccess(engine), base_url="http://x:1/", clock=clock)


def token_of(url: str) -> str:
    return url.rpartition("/")[2]


async def test_one_signing_key_made_once_and_shared(engine: AsyncEngine) -> None:
    first, second = SqlWebAccess(engine), SqlWebAccess(engine)
    keys = await asyncio.gather(first.signing_key(now=NOW), second.signing_key(now=NOW))
    assert keys[0] == keys[1] and len(keys[0]) == 32
    assert await first.signing_key(now=NOW) == keys[0]


async def test_a_link_is_stored_as_a_hash_and_used_once(engine: AsyncEngine) -> None:
    clock = Clock()
    access = desk(engine, clock)
    issued = await access.issue(role=Role.OFFICE, display_name="VP", created_by="cli")
    token = token_of(issued.url)
    assert issued.url == f"http://x:1/dang-nhap/{token}"
    assert issued.expires_at == NOW + timedelta(minutes=15)
    async with engine.connect() as connection:
        stored = (await connection.execute(sa.select(web_link_t.c.token_hash))).scalars().all()
    assert stored == [digest(token)] and token not in stored

    state, view = await access.look(token)  # looking, as a link preview does, uses nothing
    assert state is LinkState.OPEN and view is not None and view.display_name == "VP"
    assert (await access.look(token))[0] is LinkState.OPEN

    state, signed_in = await access.sign_in(token)
    assert state is LinkState.OPEN and signed_in is not None
    assert signed_in.session.role is Role.OFFICE and signed_in.session.contact_id is None
    assert (await access.look(token))[0] is LinkState.USED
    before = await snapshot(engine)
    assert await access.sign_in(token) == (LinkState.USED, None)
    assert await snapshot(engine) == before  # a used link changes nothing

    found = await access.session(signed_in.cookie)
    assert found is not None and found.id == signed_in.session.id
    assert await access.session(signed_in.cookie + "x") is None
    assert await access.session("") is None


async def test_forged_and_expired_links_change_nothing(engine: AsyncEngine) -> None:
    clock = Clock()
    access = desk(engine, clock)
    issued = await access.issue(role=Role.LEADER, display_name="LĐ", created_by="cli")
    token = token_of(issued.url)
    nonce, _, signature = token.partition(".")
    for forged in (f"{nonce}.{signature[::-1]}", f"x{nonce}.{signature}", "abc", "", "." * 500):
        assert (await access.look(forged))[0] is LinkState.FORGED
        assert await access.sign_in(forged) == (LinkState.FORGED, None)
    # Signed with another database's key: forged here.
    other = WebAccessDesk(records=_OtherKey(SqlWebAccess(engine)), base_url="", clock=clock)
    stranger = token_of((await other.issue(role=Role.HEAD, display_name="?", created_by="x")).url)
    assert (await access.look(stranger))[0] is LinkState.FORGED

    clock.now = issued.expires_at
    before = await snapshot(engine)
    assert await access.sign_in(token) == (LinkState.EXPIRED, None)
    assert await snapshot(engine) == before


class _OtherKey:
    def __init__(self, records: SqlWebAccess) -> None:
        self.records = records

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.records, name)

    async def signing_key(self, *, now):  # type: ignore[no-untyped-def]
        return b"k" * 32


async def test_two_browsers_racing_on_one_link_sign_in_once(
    engine: AsyncEngine, backend: str
) -> None:
    clock = Clock()
    access = desk(engine, clock)
    token = token_of((await access.issue(role=Role.OFFICE, display_name="VP", created_by="t")).url)
    # A second engine on the same database: another process, with its own connections.
    url = engine.url.render_as_string(hide_password=False)
    kwargs = {} if backend == "sqlite" else {"connect_args": await _search_path(engine)}
    second = make_engine(url, **kwargs)
    try:
        results = await asyncio.gather(
            *(desk(e, clock).sign_in(token) for e in (engine, second, engine, second))
        )
    finally:
        await second.dispose()
    winners = [signed for state, signed in results if signed is not None]
    assert len(winners) == 1
    assert sorted(state for state, _ in results) == sorted(
        [LinkState.OPEN, LinkState.USED, LinkState.USED, LinkState.USED]
    )
    async with engine.connect() as connection:
        assert await connection.scalar(sa.select(sa.func.count()).select_from(web_session_t)) == 1


async def _search_path(engine: AsyncEngine) -> dict[str, object]:
    """The PostgreSQL fixture's schema, for a second engine on it."""
    async with engine.connect() as connection:
        schema = await connection.scalar(sa.text("SHOW search_path"))
    return {"server_settings": {"search_path": str(schema)}}


async def test_sessions_expire_idle_and_absolute_and_end(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    repo = SqlRepository(engine, LocalFileStore(tmp_path / "files"))
    head = await unit_head(repo, "kh", NOW)
    clock = Clock()
    access = desk(engine, clock)

    async def signed_in() -> str:
        issued = await access.issue(
            role=Role.HEAD, display_name="", contact=head, created_by="test"
        )
        assert issued.expires_at == clock.now + timedelta(hours=24)
        _, result = await access.sign_in(token_of(issued.url))
        assert result is not None and result.session.unit_key == "kh"
        return result.cookie

    cookie = await signed_in()
    clock.now += SESSION_IDLE - timedelta(minutes=1)
    assert await access.session(cookie) is not None  # touched: idle time starts again
    clock.now += SESSION_IDLE - timedelta(minutes=1)
    assert await access.session(cookie) is not None
    clock.now += SESSION_IDLE
    assert await access.session(cookie) is None  # idle too long

    cookie = await signed_in()
    end = clock.now + SESSION_LIFETIME
    step = SESSION_IDLE - timedelta(minutes=1)
    while clock.now + step < end:
        clock.now += step
        assert await access.session(cookie) is not None
    clock.now = end
    assert await access.session(cookie) is None  # a week at most, however busy

    cookie = await signed_in()
    assert await access.sign_out(cookie) and await access.session(cookie) is None
    assert not await access.sign_out(cookie)

    first, second = await signed_in(), await signed_in()
    assert await access.end_contact(head.id) == 2
    assert await access.session(first) is None and await access.session(second) is None

    cookie = await signed_in()
    staff = await access.issue(role=Role.OFFICE, display_name="VP", created_by="cli")
    _, office = await access.sign_in(token_of(staff.url))
    assert office is not None
    assert await access.end_all() == 2
    assert await access.session(cookie) is None and await access.session(office.cookie) is None

    # A removed contact's live session ends with them even without the hook, and a link made
    # before the removal signs nobody in.
    cookie = await signed_in()
    waiting = await access.issue(role=Role.HEAD, display_name="", contact=head, created_by="t")
    await SqlRoster(engine).remove_contact(contact_id=head.id, now=clock.now)
    assert await access.session(cookie) is None
    before = await snapshot(engine)
    assert (await access.sign_in(token_of(waiting.url)))[1] is None
    assert await snapshot(engine) == before


async def test_notices_newest_first_and_read(engine: AsyncEngine) -> None:
    notices = SqlWebNotices(engine)
    first = await notices.add_notice(chat_id="a", text="một", now=NOW)
    await notices.add_notice(chat_id="a", text="hai", now=NOW + timedelta(minutes=1))
    await notices.add_notice(chat_id="b", text="khác", now=NOW)
    assert await notices.replace_notice(notice_id=first, text="một (sửa)")
    assert [n.text for n in await notices.notices(chat_id="a", limit=10)] == ["hai", "một (sửa)"]
    assert await notices.mark_read(chat_id="a", now=NOW) == 2
    assert await notices.mark_read(chat_id="a", now=NOW) == 0
    assert all(n.read_at is not None for n in await notices.notices(chat_id="a", limit=10))
    assert [n.read_at for n in await notices.notices(chat_id="b", limit=10)] == [None]
