"""The shared Telegram rate limiter, on an in-memory budget and a clock the test drives."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from telegram.error import RetryAfter

from handlers.telegram.limiter import GROUP_PERIOD, MAX_BATCH, SharedRateLimiter


@dataclass
class Slots:
    first: float | None
    now: float
    wait: float = 0.0


class Clock:
    """Virtual time: when every task waits, it jumps to the earliest sleeper's wake-up."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(self) -> None:
        while True:
            for _ in range(30):  # whatever can run, runs first
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                future.set_result(None)


@pytest.fixture
async def clock() -> AsyncIterator[Clock]:
    virtual = Clock()
    driver = asyncio.create_task(virtual.run())
    yield virtual
    driver.cancel()


@dataclass
class MemoryBudget:
    """storage.rate_limit.SqlRateBudget's rules on this process's memory."""

    clock: Clock
    next_at: dict[str, float] = field(default_factory=dict)
    recent: dict[str, str] = field(default_factory=dict)
    paused: list[float] = field(default_factory=list)

    async def reserve(self, name: str, count: int, interval: float) -> Slots:
        now = self.clock()
        start = max(self.next_at.get(name, 0.0), now)
        self.next_at[name] = start + count * interval
        return Slots(first=start, now=now)

    async def reserve_in_window(
        self, name: str, *, limit: int, period: float, overall: str, interval: float
    ) -> Slots:
        now = self.clock()
        recent = [x for x in json.loads(self.recent.get(name, "[]")) if x > now - period]
        if len(recent) >= limit:
            return Slots(first=None, now=now, wait=recent[-limit] + period - now)
        taken = await self.reserve(overall, 1, interval)
        assert taken.first is not None
        self.recent[name] = json.dumps([*recent, taken.first][-limit:])
        return taken

    async def pause(self, name: str, seconds: float) -> None:
        self.paused.append(seconds)
        self.next_at[name] = max(self.next_at.get(name, 0.0), self.clock() + seconds)


def most_in_any(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


def limiter_on(clock: Clock, budget: MemoryBudget, rate: float = 29.4) -> SharedRateLimiter:
    return SharedRateLimiter(budget, rate=rate, clock=clock, sleep=clock.sleep)


async def send_all(limiter: SharedRateLimiter, clock: Clock, chats: list[int]) -> list[float]:
    sent: list[float] = []

    async def send() -> bool:
        sent.append(clock())
        return True

    await asyncio.gather(
        *(
            limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)
            for chat in chats
        )
    )
    return sent


async def test_two_instances_share_one_schedule_and_batch_their_round_trips(clock: Clock) -> None:
    budget = MemoryBudget(clock)
    first, second = limiter_on(clock, budget), limiter_on(clock, budget)
    sent = await asyncio.gather(
        send_all(first, clock, list(range(1, 301))), send_all(second, clock, list(range(1, 301)))
    )
    times = [*sent[0], *sent[1]]
    assert len(times) == 600
    assert most_in_any(times, 1.0) <= 30
    assert len(times) / (max(times) - min(times)) >= 29.0
    assert first.round_trips + second.round_trips <= 2 * (300 // MAX_BATCH + 40)


async def test_a_group_gets_at_most_20_in_any_minute(clock: Clock) -> None:
    budget = MemoryBudget(clock)
    limiter = limiter_on(clock, budget)
    sent = await send_all(limiter, clock, [-100] * 45)
    assert most_in_any(sent, GROUP_PERIOD) == 20
    assert max(sent) - min(sent) >= 2 * GROUP_PERIOD


async def test_a_429_pauses_the_shared_schedule_and_is_retried_after_retry_after(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else PTB warns as it builds RetryAfter
    budget = MemoryBudget(clock)
    limiter = limiter_on(clock, budget)
    calls: list[float] = []

    async def send() -> bool:
        calls.append(clock())
        if len(calls) == 1:
            raise RetryAfter(timedelta(seconds=3))
        return True

    assert await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert budget.paused == [pytest.approx(3.1)]
    assert calls[1] - calls[0] >= 3.1


async def test_requests_without_a_chat_are_not_limited(clock: Clock) -> None:
    budget = MemoryBudget(clock)
    limiter = limiter_on(clock, budget)

    async def answer() -> bool:
        return True

    for _ in range(100):
        await limiter.process_request(answer, (), {}, "getMe", {}, None)
    assert budget.next_at == {} and clock() == 1_000.0


async def test_a_send_woken_late_takes_a_fresh_slot_instead_of_bunching(clock: Clock) -> None:
    budget = MemoryBudget(clock)
    wakes = itertools.count()

    async def lagging_sleep(seconds: float) -> None:
        # Every 7th wake-up comes 50 ms late, as on a busy event loop.
        await clock.sleep(seconds + (0.05 if next(wakes) % 7 == 6 else 0.0))

    limiters = [
        SharedRateLimiter(budget, rate=29.4, clock=clock, sleep=lagging_sleep) for _ in range(2)
    ]
    sent = await asyncio.gather(*(send_all(x, clock, list(range(1, 301))) for x in limiters))
    times = [*sent[0], *sent[1]]
    assert len(times) == 600
    assert sum(x.late for x in limiters) > 0
    assert most_in_any(times, 1.0) <= 30


async def test_a_slow_answer_does_not_shift_its_batch_of_slots_later(clock: Clock) -> None:
    budget = MemoryBudget(clock)
    answers = itertools.count()

    class SlowBudget:
        """Every 5th answer comes back 50 ms after the budget decided it."""

        async def reserve(self, name: str, count: int, interval: float) -> Slots:
            slots = await budget.reserve(name, count, interval)
            if next(answers) % 5 == 4:
                await clock.sleep(0.05)
            return slots

    limiters = [
        SharedRateLimiter(SlowBudget(), rate=29.4, clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    sent = await asyncio.gather(*(send_all(x, clock, list(range(1, 301))) for x in limiters))
    times = [*sent[0], *sent[1]]
    assert len(times) == 600
    assert most_in_any(times, 1.0) <= 30
