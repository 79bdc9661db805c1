"""The audit trail: one row per change an operator or the bot made, chained by hashes.

Each row carries the SHA-256 of the row before it (`prev_hash`) and its own (`row_hash`, over a
canonical JSON of id, time, actor, action, detail and prev_hash), so that changing, removing
or slipping in a row breaks the chain where it happened; `verify_chain` walks it and names the
first such row. Rows are only ever appended: triggers refuse UPDATE and DELETE (migration 0009).

Appending is serialized so that two writers never chain onto the same row: the one-row
`audit_head` is read FOR UPDATE on PostgreSQL, and SQLite's writers are one at a time already
(BEGIN IMMEDIATE, storage.db.write_session). The unique `prev_hash` makes a fork impossible
even for a writer that skipped the lock: its transaction fails instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.ports import AuditEntry
from storage.db import read_connection, write_session
from storage.models import audit_head_t, audit_t

GENESIS = "0" * 64  # the prev_hash of the first row
HEAD_ID = 1


def plain_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """`detail` as JSON gives it back: what is stored and what is hashed are then the same
    (a date becomes its ISO text, a tuple a list)."""
    result = json.loads(json.dumps(dict(detail), ensure_ascii=False, allow_nan=False, default=str))
    assert isinstance(result, dict)
    return result


def row_hash(
    *, id: int, at: datetime, actor: str, action: str, detail: Mapping[str, Any], prev_hash: str
) -> str:
    """The hex SHA-256 of the row's canonical JSON: keys sorted, no spaces, UTF-8, the time in
    UTC ISO 8601."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: pass an aware datetime")
    body = {
        "id": id,
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "detail": dict(detail),
        "prev_hash": prev_hash,
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def record_audit(
    session: AsyncSession | AsyncConnection,
    *,
    at: datetime,
    actor: str,
    action: str,
    detail: Mapping[str, Any],
) -> int:
    """Append an audit row inside the caller's transaction (a write transaction: BEGIN
    IMMEDIATE on SQLite); its id.

    The head is locked until the caller commits, so keep the transaction short after this.
    """
    head = (
        await session.execute(
            sa.select(audit_head_t.c.last_id, audit_head_t.c.last_hash)
            .where(audit_head_t.c.id == HEAD_ID)
            .with_for_update()
        )
    ).first()
    if head is None:  # a schema before 0009 cannot be written to by this code
        raise RuntimeError("the audit chain has no head row: run the migrations")
    last_id, last_hash = int(head.last_id), str(head.last_hash)
    plain = plain_detail(detail)
    new_id = last_id + 1
    digest = row_hash(
        id=new_id, at=at, actor=actor, action=action, detail=plain, prev_hash=last_hash
    )
    await session.execute(
        sa.insert(audit_t).values(
            id=new_id,
            at=at,
            actor=actor,
            action=action,
            detail=plain,
            prev_hash=last_hash,
            row_hash=digest,
        )
    )
    await session.execute(
        sa.update(audit_head_t)
        .where(audit_head_t.c.id == HEAD_ID)
        .values(last_id=new_id, last_hash=digest)
    )
    return new_id


class SqlAuditLog:
    """Implements bot.core.ports.AuditLog for changes that are not part of another write."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def audit(
        self, *, actor: str, action: str, detail: dict[str, object], now: datetime
    ) -> None:
        """Add one audit row in its own transaction."""
        async with write_session(self.engine) as session:
            await record_audit(session, at=now, actor=actor, action=action, detail=detail)


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row.id, at=row.at, actor=row.actor, action=row.action, detail=row.detail or {}
    )


class SqlAuditTrail:
    """Implements bot.core.ports.AuditTrail: the trail, newest first, a page at a time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def entries(self, *, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
        async with read_connection(self.engine) as connection:
            # One snapshot for the page and the count.
            total = await connection.scalar(sa.select(sa.func.count()).select_from(audit_t))
            rows = await connection.execute(
                sa.select(audit_t)
                .order_by(audit_t.c.at.desc(), audit_t.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
            found = [_entry(row) for row in rows]
        return found, int(total or 0)


# ---- listing with filters --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which rows `find_audit` returns; None: any. `contact_ids`: rows whose actor is one of
    these contacts or whose detail names one; `unit`: rows whose detail names the unit (as
    `unit`, `from` or `to`); `kind`: an action ("contact.move") or its family ("contact")."""

    contact_ids: frozenset[int] | None = None
    unit: str | None = None
    kind: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


# Detail fields that hold a contact id, and those that hold a unit key.
CONTACT_FIELDS = ("contact_id", "linked", "same_as", "contact_ids")
UNIT_FIELDS = ("unit", "from", "to")
BATCH = 500


def names_contact(entry: AuditEntry, contact_ids: frozenset[int]) -> bool:
    """Whether the row was made by, or is about, one of `contact_ids`."""
    kind, _, rest = entry.actor.partition(":")
    if kind == "contact" and rest.isdigit() and int(rest) in contact_ids:
        return True
    if kind == "web" and rest.startswith("contact:"):
        number = rest.removeprefix("contact:")
        if number.isdigit() and int(number) in contact_ids:
            return True
    for field in CONTACT_FIELDS:
        value = entry.detail.get(field)
        values = value if isinstance(value, list) else [value]
        if any(isinstance(one, int) and one in contact_ids for one in values):
            return True
    return False


def names_unit(entry: AuditEntry, unit: str) -> bool:
    return any(entry.detail.get(field) == unit for field in UNIT_FIELDS)


async def find_audit(engine: AsyncEngine, wanted: AuditFilter, *, limit: int) -> list[AuditEntry]:
    """Up to `limit` rows that match, newest first (by id: the order they were appended).

    Kind and dates are asked of the database; who and which unit are read from the details
    (JSON, queried differently by each backend), a batch at a time.
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if wanted.kind is not None:
        conditions.append(
            sa.or_(audit_t.c.action == wanted.kind, audit_t.c.action.startswith(wanted.kind + "."))
        )
    if wanted.since is not None:
        conditions.append(audit_t.c.at >= wanted.since)
    if wanted.until is not None:
        conditions.append(audit_t.c.at < wanted.until)
    found: list[AuditEntry] = []
    before: int | None = None
    async with read_connection(engine) as connection:
        while len(found) < limit:
            query = sa.select(audit_t).where(*conditions).order_by(audit_t.c.id.desc())
            if before is not None:
                query = query.where(audit_t.c.id < before)
            rows = [_entry(row) for row in await connection.execute(query.limit(BATCH))]
            if not rows:
                break
            before = rows[-1].id
            for entry in rows:
                if wanted.contact_ids is not None and not names_contact(entry, wanted.contact_ids):
                    continue
                if wanted.unit is not None and not names_unit(entry, wanted.unit):
                    continue
                found.append(entry)
                if len(found) == limit:
                    break
    return found


# ---- checking the chain ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where the chain is first broken.

    kind "altered": row `row_id` is not as it was written (its hash, or the link from the row
    after it, does not match); "removed": rows are missing after `after_id` (None: from the
    start) and before `row_id` (None: at the end); "inserted": row `row_id` was not appended
    by baocao (it does not link into the chain, or lies past the recorded end).
    """

    kind: str
    row_id: int | None
    after_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChainCheck:
    rows: int
    broken: ChainBreak | None


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    prev_hash: str
    row_hash: str
    valid: bool  # its stored hash is the hash of its stored fields


async def count_audit(engine: AsyncEngine) -> int:
    async with read_connection(engine) as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(audit_t)) or 0)


async def verify_chain(
    engine: AsyncEngine, *, advance: Callable[[int], None] | None = None
) -> ChainCheck:
    """Walk the chain in id order; the first break, or None when whole. `advance(n)` is
    called as rows are checked (for a progress bar)."""
    async with read_connection(engine) as connection:  # one snapshot for the rows and the head
        head = (
            await connection.execute(
                sa.select(audit_head_t.c.last_id, audit_head_t.c.last_hash).where(
                    audit_head_t.c.id == HEAD_ID
                )
            )
        ).first()
        walk = _Walk(None if head is None else (int(head.last_id), str(head.last_hash)))
        after: int | None = None
        while walk.broken is None:
            query = sa.select(audit_t).order_by(audit_t.c.id).limit(BATCH)
            if after is not None:
                query = query.where(audit_t.c.id > after)
            batch = list(await connection.execute(query))
            if not batch:
                break
            for row in batch:
                walk.take(_checked(row))
                if walk.broken is not None:
                    break
            after = batch[-1].id
            if advance is not None:
                advance(len(batch))
        walk.finish()
    return ChainCheck(rows=walk.count, broken=walk.broken)


def _checked(row: Any) -> _Row:
    digest = row_hash(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        detail=row.detail or {},
        prev_hash=row.prev_hash,
    )
    return _Row(
        id=row.id, prev_hash=row.prev_hash, row_hash=row.row_hash, valid=digest == row.row_hash
    )


class _Walk:
    """The chain check as rows come, one row of look-ahead: a broken link is told apart as a
    row slipped in (the row after it links to the row before it), the row before re-hashed
    after a change (no id is missing in between) or rows taken out (ids are missing)."""

    def __init__(self, head: tuple[int, str] | None) -> None:
        self.head = head  # the recorded end: last id and hash
        self.past_end: int | None = None  # the first row past the recorded end
        self.count = 0
        self.good: _Row | None = None  # the last row of the unbroken chain
        self.suspect: _Row | None = None  # a row whose link is broken, waiting for the next
        self.broken: ChainBreak | None = None

    @property
    def expected(self) -> str:
        return GENESIS if self.good is None else self.good.row_hash

    def take(self, row: _Row) -> None:
        self.count += 1
        if self.head is not None and self.past_end is None and row.id > self.head[0]:
            self.past_end = row.id
        if self.suspect is not None:
            self._judge(self.suspect, following=row)
            if self.broken is not None:
                return
        if not row.valid:
            self.broken = ChainBreak("altered", row.id)
        elif row.prev_hash == self.expected:
            self.good = row
        else:
            self.suspect = row

    def _judge(self, suspect: _Row, *, following: _Row | None) -> None:
        self.suspect = None
        if self.head is not None and suspect.id > self.head[0]:
            self.broken = ChainBreak("inserted", suspect.id)  # past the recorded end
            return
        if following is not None and following.prev_hash == self.expected:
            self.broken = ChainBreak("inserted", suspect.id)
            return
        previous_id = 0 if self.good is None else self.good.id
        if suspect.id == previous_id + 1 and self.good is not None:
            # Nothing is missing in between: the row before was changed and hashed again.
            self.broken = ChainBreak("altered", self.good.id)
            return
        if suspect.id == 1:  # the first row, made to point elsewhere
            self.broken = ChainBreak("altered", suspect.id)
            return
        self.broken = ChainBreak(
            "removed", suspect.id, after_id=None if self.good is None else self.good.id
        )

    def finish(self) -> None:
        if self.broken is None and self.suspect is not None:
            self._judge(self.suspect, following=None)
        if self.broken is not None or self.head is None:
            return
        last_id, last_hash = self.head
        end_id = 0 if self.good is None else self.good.id
        if end_id == last_id and self.expected == last_hash:
            return
        if end_id > last_id:
            self.broken = ChainBreak("inserted", self.past_end)
        elif end_id == last_id:
            self.broken = ChainBreak("altered", end_id)
        else:
            self.broken = ChainBreak("removed", None, after_id=end_id or None)
