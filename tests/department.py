"""A department of many units with one registered head each: for benchmarks and process tests.

Unit n is `dv-nnnn` ("Đơn vị n"); its head is Telegram user `FIRST_USER + n` ("Người n"), who
chats with the bot privately. The Office is `van-phong`; one report, `bc`, goes to it.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.plan.model import Role
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.repository import SqlRepository

FIRST_USER = 700_000
TIMEZONE = "Asia/Ho_Chi_Minh"


def unit_key(n: int) -> str:
    return f"dv-{n:04d}"


def user_id(n: int) -> int:
    return FIRST_USER + n


def person_name(n: int) -> str:
    return f"Người {n}"


def plan_text(units: int, *, due_before: date, reminders: str | None = None) -> str:
    """The Office and `units` units; the monthly report `bc` from all of them, due before
    `due_before`, reminded as `reminders` says (e.g. "90s") or as plans are by default."""
    lines = [f"organisation: {{name: Sở Thử nghiệm, timezone: {TIMEZONE}}}", "units:"]
    lines.append("  - {id: van-phong, name: Văn phòng Sở, type: office}")
    lines += [f"  - {{id: {unit_key(n)}, name: Đơn vị {n}}}" for n in range(units)]
    report = (
        "  - {id: bc, name: Báo cáo tháng, submitters: all, receiver: van-phong, "
        f"due_before: {due_before.strftime('%d/%m/%Y')}"
    )
    lines += ["reports:", report + (f", reminders: [{reminders}]}}" if reminders else "}")]
    return "\n".join(lines) + "\n"


async def register_heads(
    engine: AsyncEngine, data: Path, units: int, *, now: datetime, platform: str = "telegram"
) -> None:
    """Every unit's head redeems an invite on `platform` (the plan must be applied)."""
    repository = SqlRepository(engine, LocalFileStore(data))
    for n in range(units):
        invite = await create_invite(engine, unit_key=unit_key(n), role=Role.HEAD, now=now)
        person = str(user_id(n))
        await repository.redeem_invite(
            code=invite.code,
            platform=platform,
            user_id=person,
            chat_id=person,
            display_name=person_name(n),
            now=now,
        )
