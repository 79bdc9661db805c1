"""Reading the audit trail back: newest first, a page at a time, with the total."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audit import SqlAuditLog, SqlAuditTrail

T0 = datetime(2026, 5, 18, 2, 0, tzinfo=UTC)


async def test_entries_come_newest_first_a_page_at_a_time(engine: AsyncEngine) -> None:
    log = SqlAuditLog(engine)
    for n in range(5):
        detail: dict[str, object] = {"code": f"M{n}", "unit": "kh", "role": "head"}
        await log.audit(
            actor=f"web:Cán bộ {n}", action="invite.create", detail=detail, now=T0 + timedelta(n)
        )
    # Two changes in the same instant keep the order they were made in, newest first.
    later = T0 + timedelta(4)
    await log.audit(actor="cli", action="invite.revoke", detail={"code": "M4"}, now=later)
    trail = SqlAuditTrail(engine)
    first, total = await trail.entries(offset=0, limit=4)
    rest, again = await trail.entries(offset=4, limit=4)
    assert total == again == 6
    assert [e.action for e in first[:2]] == ["invite.revoke", "invite.create"]
    assert [e.detail.get("code") for e in first + rest] == ["M4", "M4", "M3", "M2", "M1", "M0"]
    assert first[1].actor == "web:Cán bộ 4"
    assert first[1].at == T0 + timedelta(4)
    assert await trail.entries(offset=10, limit=4) == ([], 6)
