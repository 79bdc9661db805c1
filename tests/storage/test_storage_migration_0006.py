"""Migration 0006 (the web app's tables): 0005 -> 0006 -> 0005 -> 0006 keeps every older row."""

from __future__ import annotations

import sqlalchemy as sa
from plans_factory import small_plan
from sqlalchemy.ext.asyncio import AsyncEngine
from storage_helpers import HEAD, LATER_TABLES, NOW, audit_before_0010, row_counts

from bot.core.plan.model import Role
from bot.core.web_access import WebAccessDesk
from storage.migrate import current, downgrade, schema_diff, upgrade
from storage.plans import apply_plan
from storage.web_access import SqlWebAccess
from storage.web_notices import SqlWebNotices

WEB_TABLES = {"web_secret", "web_link", "web_session", "web_notice"}


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))


async def older_rows(engine: AsyncEngine) -> dict[str, int]:
    """Rows in every table 0005 has."""
    async with engine.connect() as connection:
        counts = {}
        for name in sorted(await tables(engine) - WEB_TABLES - LATER_TABLES - {"alembic_version"}):
            counts[name] = int(
                await connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0
            )
    return counts


async def test_0006_up_down_up(empty_engine: AsyncEngine) -> None:
    engine = empty_engine
    await upgrade(engine, "0005")
    with audit_before_0010():
        await apply_plan(engine, small_plan(), path="p.yaml", now=NOW)
    assert not WEB_TABLES & await tables(engine)
    before = await older_rows(engine)

    await upgrade(engine)
    assert await current(engine) == HEAD
    assert await schema_diff(engine) == []
    access = WebAccessDesk(records=SqlWebAccess(engine), base_url="http://h:1", clock=lambda: NOW)
    issued = await access.issue(role=Role.OFFICE, display_name="VP", created_by="cli")
    assert (await access.sign_in(issued.url.rpartition("/")[2]))[1] is not None
    await SqlWebNotices(engine).add_notice(chat_id="w", text="x", now=NOW)

    await downgrade(engine, "0005")
    assert await current(engine) == "0005"
    assert not WEB_TABLES & await tables(engine)

    await upgrade(engine)
    assert await current(engine) == HEAD
    assert await schema_diff(engine) == []
    counts = await row_counts(engine)
    assert {name: counts[name] for name in WEB_TABLES} == dict.fromkeys(WEB_TABLES, 0)
    after = await older_rows(engine)
    # The link and the sign-in were audited; the audit trail is older than the web and keeps them.
    assert after.pop("audit") == before.pop("audit") + 2
    assert after == before
