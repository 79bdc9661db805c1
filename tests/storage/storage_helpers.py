"""Helpers shared by the storage tests."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.model import Contact, Receipt, RedeemStatus, StagedFile, SubmissionKind
from bot.core.plan.model import Role
from storage import audit
from storage.db import read_session
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.models import UTCDateTime, metadata
from storage.repository import SqlRepository

NOW = datetime(2024, 5, 20, 3, 0, tzinfo=UTC)
HEAD = "0010"  # the newest migration
# Tables made by migrations after 0006, which the tests of older migrations do not count.
LATER_TABLES = frozenset({"seen_message", "store_marker", "rate_limit", "audit_head"})
POSTGRES_URL = os.environ.get(
    "BAOCAO_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

_postgres_problem: list[str] = []  # filled once: empty list = not checked yet


def asyncpg_dsn(url: str) -> str:
    """The plain libpq-style DSN asyncpg.connect takes, from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def require_postgres() -> None:
    """Skip (or, under CI, fail) when the test PostgreSQL server cannot be reached."""
    if not _postgres_problem:
        try:
            connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL), timeout=5)
        except (OSError, asyncpg.PostgresError, TimeoutError) as error:
            _postgres_problem.append(f"{type(error).__name__}: {error}")
        else:
            await connection.close()
            _postgres_problem.append("")
    problem = _postgres_problem[0]
    if problem:
        reason = (
            f"PostgreSQL is not reachable at {make_url(POSTGRES_URL)!r} ({problem}):"
            " start it or set BAOCAO_TEST_POSTGRES_URL"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


async def admin_execute(sql: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with read_session(engine) as session:
        return {
            table.name: int(
                await session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
            )
            for table in metadata.sorted_tables
        }


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for "nothing changed" assertions."""
    async with read_session(engine) as session:
        result: dict[str, list[tuple[object, ...]]] = {}
        for table in metadata.sorted_tables:
            rows = (await session.execute(sa.select(table))).all()
            result[table.name] = sorted((tuple(row) for row in rows), key=repr)
        return result


async def unit_head(repo: SqlRepository, unit_key: str, now: datetime) -> Contact:
    """The unit's head contact, registered through an invite the first time it is asked for."""
    user_id = f"head-of-{unit_key}"
    known = await repo.contact(platform="telegram", user_id=user_id)
    if known is not None:
        return known
    invite = await create_invite(repo.engine, unit_key=unit_key, role=Role.HEAD, now=now)
    redemption = await repo.redeem_invite(
        code=invite.code,
        platform="telegram",
        user_id=user_id,
        chat_id=user_id,
        display_name=f"Đầu mối {unit_key}",
        now=now,
    )
    assert redemption.status is RedeemStatus.REGISTERED and redemption.contact is not None
    return redemption.contact


async def submit_as_unit(
    engine: AsyncEngine,
    files: Path,
    *,
    instance_id: int,
    unit_key: str,
    now: datetime,
    kind: SubmissionKind = SubmissionKind.TEXT,
    text: str | None = None,
    file: StagedFile | None = None,
) -> Receipt:
    """What the unit's head sends, through the bot's own submission path."""
    repo = SqlRepository(engine, LocalFileStore(files))
    contact = await unit_head(repo, unit_key, now)
    return await repo.submit(
        instance_id=instance_id,
        unit_key=unit_key,
        contact_id=contact.id,
        kind=kind,
        source_ref=f"test:{uuid.uuid4().hex}",
        now=now,
        text=text,
        file=file,
    )


@contextlib.contextmanager
def audit_before_0010() -> Iterator[None]:
    """Audit rows appended as the code before migration 0010 did (no chain, no head), for the
    tests that write through today's code on an older schema."""
    old_audit = sa.table(
        "audit",
        sa.column("at", UTCDateTime()),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("detail", sa.JSON()),
    )

    async def record_audit(
        session: AsyncSession | AsyncConnection,
        *,
        at: datetime,
        actor: str,
        action: str,
        detail: Mapping[str, Any],
    ) -> int:
        values = {"at": at, "actor": actor, "action": action, "detail": dict(detail)}
        await session.execute(sa.insert(old_audit).values(**values))
        return 0

    chained = audit.record_audit
    users = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("storage.") and getattr(module, "record_audit", None) is chained
    ]
    for module in users:
        module.record_audit = record_audit  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in users:
            module.record_audit = chained  # type: ignore[attr-defined]
