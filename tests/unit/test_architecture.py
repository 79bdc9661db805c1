"""The domain core stays free of chat libraries, the ORM and the scheduler library."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "bot.plan.model",
    "bot.plan.loader",
    "bot.formatting",
    "bot.core.model",
    "bot.core.ports",
    "bot.core.texts",
    "bot.core.usecases",
    "scheduler.calendar",
    "scheduler.reminders",
    "scheduler.texts",
    "scheduler.deadlines",
]
FORBIDDEN = ["telegram", "sqlmodel", "sqlalchemy", "apscheduler", "aiosqlite", "asyncpg"]


def test_core_imports_no_chat_library_orm_or_scheduler() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in CORE)
        + f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
