"""One rate limit for the bot, shared by every instance: Telegram's budget is per bot token.

Telegram allows a bot about 30 messages a second overall and 20 a minute in one group; PTB's
AIORateLimiter keeps one process to that, so two instances behind a load balancer would send
up to twice as much and meet 429s. Here every instance draws from one budget kept in the
database (storage/rate_limit.py), as a schedule of sending slots:

- **Overall: one slot every `interval` seconds** (1/29.4 s by default), handed out in order by
  one atomic `UPDATE ... SET next_at = greatest(next_at, now) + k * interval RETURNING`. A slot
  is a time to send at, not a token to spend whenever: a token bucket that lets a burst of B
  through allows B + 30 within one second, and a bucket deep enough to batch would then cost
  throughput (B + rate <= 30). Fixed slots give at most one send per interval whoever sends,
  so any second holds at most 30 (29.4 leaves 20 ms for a send that leaves late while the
  next leaves on time), and the budget is used fully whenever anyone has something to send.
  That slack must also cover the way from the limiter to Telegram's counter: measured by
  benchmarks/instances_bench.py, under 10 ms on a quiet machine, but up to 60-120 ms on one
  whose two cores ran four busy processes, and then a few 429s came back; a lower
  `telegram_rate` (BAOCAO_TELEGRAM_RATE) buys more slack on such a host.
- **Batches**: the sends waiting in this process reserve their slots together (up to
  `MAX_BATCH` in one round trip), so a fan-out of reminders costs one statement per batch,
  not per message.
- **Per group: at most 20 sends in any 60 s**, a sliding window of the group's latest slots in
  its own row, read and extended in one short locked transaction together with the overall
  slot, so a group's window counts the times its messages really go out.
- **Late wake-ups take a fresh slot**: a send that wakes more than `LATE_MARGIN` after its slot
  (a busy event loop, a slow database answer) does not go out late: it would leave together
  with the sends due after it, and a fixed schedule only keeps any second to 30 if every send
  leaves near its slot (the 20 ms that 29.4/s leaves per second is all the slack there is).
  It reserves a new slot instead, up to `LATE_RETRIES` times, and then sends anyway rather
  than starve; the slot it gave up is simply unused, which costs 1/29.4 s of throughput, not
  a 429 that stops every instance for a second or more. Group sends do the same; their
  forsaken slot stays in the group's window, which only makes the window stricter.
- **Clocks**: slot times are on the database's clock, and each answer carries the database's
  `now`, so machines whose clocks differ still interleave correctly. The offset between the
  two clocks is the smallest `local now - database now` seen over the last `OFFSET_WINDOW`
  seconds, not the latest answer's: an answer that took 30 ms to come back (a slow database, a
  busy event loop) would otherwise shift its whole batch of slots 30 ms later on this side,
  unseen, and those sends would leave together with the other instances' next ones. With the
  smallest, a slow answer shows as sends woken late, which take fresh slots. The window lets
  the estimate follow the database's clock when it is stepped.
- **429**: as with PTB's limiter, the request is retried after `retry_after` (+0.1 s), up to
  `max_retries`; the shared schedule is also pushed past `retry_after`, so every instance
  pauses, not only the one that was told.

Requests without a chat (getMe, setWebhook, answerCallbackQuery) are not limited, as in
AIORateLimiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

OVERALL = "telegram"
GROUP_PREFIX = "telegram:chat:"
DEFAULT_RATE = 29.4  # messages a second, all instances together
GROUP_LIMIT = 20
GROUP_PERIOD = 60.0
MAX_BATCH = 8  # slots one round trip reserves at most
RETRY_MARGIN = 0.1
LATE_MARGIN = 0.008  # seconds after its slot a send may still leave (of the 20 ms of slack)
OFFSET_WINDOW = 10.0  # seconds of answers the clocks' offset is estimated from
LATE_RETRIES = 3  # fresh slots a late send takes before it sends late anyway

Sleep = Callable[[float], Awaitable[None]]


class Reserved(Protocol):
    """Slots from `first` on, or (`first` None) a wait; `now` on the budget's clock."""

    @property
    def first(self) -> float | None: ...

    @property
    def now(self) -> float: ...

    @property
    def wait(self) -> float: ...


class RateBudget(Protocol):
    """Sending slots shared by every instance (storage.rate_limit.SqlRateBudget)."""

    async def reserve(self, name: str, count: int, interval: float) -> Reserved: ...

    async def reserve_in_window(
        self, name: str, *, limit: int, period: float, overall: str, interval: float
    ) -> Reserved: ...

    async def pause(self, name: str, seconds: float) -> None: ...


class SharedRateLimiter(BaseRateLimiter[int]):
    """PTB's rate limiter interface over a RateBudget; see the module docstring."""

    def __init__(
        self,
        budget: RateBudget,
        *,
        rate: float = DEFAULT_RATE,
        max_retries: int = 5,
        clock: Callable[[], float] | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.budget = budget
        self.interval = 1.0 / rate
        self.max_retries = max_retries
        self._clock = clock
        self._sleep = sleep
        self._waiting: deque[asyncio.Future[float]] = deque()
        self._reserver: asyncio.Task[None] | None = None
        self.round_trips = 0
        self.late = 0  # slots given up because the send woke too late for them
        # (local time, local now - database now) of recent answers, smallest first.
        self._offsets: deque[tuple[float, float]] = deque()

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        reserver, self._reserver = self._reserver, None
        if reserver is not None:
            reserver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reserver

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        max_retries = rate_limit_args or self.max_retries
        chat = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat = int(chat)  # type: ignore[arg-type]
        for attempt in range(max_retries + 1):
            if chat is not None:
                group = (isinstance(chat, int) and chat < 0) or isinstance(chat, str)
                await (self.group_slot(str(chat)) if group else self.slot())
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == max_retries:
                    log.warning("rate limit hit after %d retries", max_retries)
                    raise
                # The private timedelta, as PTB's own limiter reads it: the public attribute
                # warns until PTB_TIMEDELTA is set.
                seconds = error._retry_after.total_seconds()
                log.info("rate limit hit; every instance waits %.1f s", seconds)
                with contextlib.suppress(Exception):  # the retry below still waits
                    await self.budget.pause(OVERALL, seconds + RETRY_MARGIN)
                await self._sleep(seconds + RETRY_MARGIN)
        raise AssertionError("unreachable")  # pragma: no cover

    async def slot(self) -> None:
        """Wait for this send's overall slot (reserved with the others waiting here); woken
        too late for it, take a fresh one (see the module docstring)."""
        for _ in range(LATE_RETRIES + 1):
            future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            self._waiting.append(future)
            if self._reserver is None or self._reserver.done():
                self._reserver = asyncio.create_task(self._reserve(), name="telegram rate slots")
            at = await future
            if await self._on_time(at):
                return

    async def _on_time(self, at: float) -> bool:
        """Sleep until `at` (this process's clock); False when woken later than it allows."""
        delay = at - self._now()
        if delay > 0:
            await self._sleep(delay)
        if self._now() - at <= LATE_MARGIN:
            return True
        self.late += 1
        return False

    async def _reserve(self) -> None:
        """Reserve slots for the sends waiting, a batch per round trip, until none wait."""
        while self._waiting:
            count = min(len(self._waiting), MAX_BATCH)
            try:
                reserved = await self.budget.reserve(OVERALL, count, self.interval)
            except Exception as error:
                for _ in range(count):
                    future = self._waiting.popleft()
                    if not future.done():
                        future.set_exception(error)
                continue
            self.round_trips += 1
            assert reserved.first is not None
            base = self._local(reserved.first, reserved.now)
            for index in range(count):
                future = self._waiting.popleft()
                if not future.done():
                    future.set_result(base + index * self.interval)

    def _local(self, slot: float, db_now: float) -> float:
        """`slot` (database clock) on this process's clock; see Clocks in the module docstring."""
        now = self._now()
        sample = now - db_now
        window = self._offsets  # a sliding-window minimum: times and samples both increase
        while window and window[-1][1] >= sample:
            window.pop()
        window.append((now, sample))
        while window[0][0] < now - OFFSET_WINDOW:
            window.popleft()
        return slot + window[0][1]

    async def group_slot(self, chat: str) -> None:
        """Wait for a slot that keeps the group `chat` within its window and the bot overall;
        woken too late for it, take a fresh one."""
        tries = 0
        while True:
            reserved = await self.budget.reserve_in_window(
                GROUP_PREFIX + chat,
                limit=GROUP_LIMIT,
                period=GROUP_PERIOD,
                overall=OVERALL,
                interval=self.interval,
            )
            self.round_trips += 1
            if reserved.first is None:
                await self._sleep(max(reserved.wait, self.interval))
                continue
            at = self._local(reserved.first, reserved.now)
            if await self._on_time(at) or tries == LATE_RETRIES:
                return
            tries += 1
