"""The department every hostile case runs against: a plan applied to a real SQLite file, its
people registered once per module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.invites import create_invite
from storage.migrate import upgrade
from storage.plans import apply_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def plan_text(today: datetime, *, with_thematic: bool = True) -> str:
    """Two reports due in ten and twenty days: Phòng A has both open, Phòng B only the first.
    Without the thematic one, the plan is the one an Office applies mid-conversation."""
    first = (today + timedelta(days=10)).strftime("%d/%m/%Y")
    second = (today + timedelta(days=20)).strftime("%d/%m/%Y")
    thematic = f"""\
  - id: bc-chuyen-de
    name: Báo cáo chuyên đề
    kind: chuyên đề
    submitters: [phong-a]
    receiver: van-phong
    due_before: {second}
"""
    return f"""\
organisation:
  name: Sở Thử nghiệm
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: phong-a
    name: Phòng A
  - id: phong-b
    name: Phòng B
reports:
  - id: bc-quy
    name: Báo cáo quý
    submitters: all
    receiver: van-phong
    due_before: {first}
{thematic if with_thematic else ""}"""


async def department(data: Path) -> str:
    """Migrate and apply the plan in `data`; the database URL."""
    data.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once per module, before any I/O
    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        await apply_plan(
            engine, parse_plan(plan_text(now.astimezone(TZ)), "p.yaml"), path="p.yaml", now=now
        )
    finally:
        await engine.dispose()
    return url


async def reapply(url: str, *, with_thematic: bool) -> None:
    """The Office applies the plan again, with or without the thematic report."""
    engine = make_engine(url)
    try:
        now = datetime.now(UTC)
        plan = parse_plan(plan_text(now.astimezone(TZ), with_thematic=with_thematic), "p.yaml")
        await apply_plan(engine, plan, path="p.yaml", now=now, archive=True)
    finally:
        await engine.dispose()


async def invite(url: str, unit: str, role: Role = Role.HEAD) -> str:
    engine = make_engine(url)
    try:
        view = await create_invite(engine, unit_key=unit, role=role, now=datetime.now(UTC))
    finally:
        await engine.dispose()
    return view.code
