"""The daily backup: at a quiet hour, made by the one process whose turn it is, the oldest pruned.

Several processes may share one database (one per chat platform, say); each runs this job,
and `take_turn` (a lock the system frees when its holder dies: see storage.backup.BackupTurn)
lets exactly one of them make the backup. What a backup is, where it goes and how many are
kept come in as functions, so that the job itself is only timing and turns.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.core.errors import UserError
from bot.core.i18n import t

log = logging.getLogger("baocao.backup")

QUIET_HOUR = time(2, 0)


@dataclass(frozen=True, slots=True)
class Made:
    """A backup the job wrote: where, how big, and how many are kept."""

    path: str
    size: int
    keep: int


class DailyBackup:
    """Runs `make` once a day at `at` (in `zone`) on the process that holds the turn."""

    def __init__(
        self,
        *,
        take_turn: Callable[[], Awaitable[bool]],
        give_turn: Callable[[], Awaitable[None]],
        make: Callable[[datetime], Awaitable[Made]],
        clock: Callable[[], datetime],
        zone: ZoneInfo,
        at: time = QUIET_HOUR,
    ) -> None:
        self.take_turn = take_turn
        self.give_turn = give_turn
        self.make = make
        self.clock = clock
        self.zone = zone
        self.at = at
        self._scheduler: AsyncIOScheduler | None = None

    def trigger(self) -> CronTrigger:
        return CronTrigger(hour=self.at.hour, minute=self.at.minute, timezone=self.zone)

    def next_run(self, after: datetime) -> datetime | None:
        """When the job runs next after `after`."""
        moment: datetime | None = self.trigger().get_next_fire_time(None, after)
        return moment

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=self.zone)
        # A machine asleep at the hour still backs up when it wakes, the same day.
        scheduler.add_job(
            self.run, self.trigger(), max_instances=1, coalesce=True, misfire_grace_time=6 * 3600
        )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        await self.give_turn()

    async def run(self) -> Made | None:
        """Make today's backup if it is this process's turn; None when it is not, or failed.
        A failure is logged, never raised: the bot goes on, and tries again tomorrow."""
        try:
            if not await self.take_turn():
                log.info("%s", t("backup-daily-not-mine"))
                return None
            made = await self.make(self.clock())
        except UserError as error:
            log.error("%s", t("backup-daily-failed", reason=error.message()))
            return None
        except Exception as error:
            log.error("%s", t("backup-daily-failed", reason=type(error).__name__), exc_info=True)
            return None
        size = f"{made.size / 1024 / 1024:.1f}".replace(".", ",")
        log.info("%s", t("backup-daily-done", file=made.path, size=size, keep=made.keep))
        return made
