"""The dispatch loop: one short repeating tick per process claims due reminder rows and sends them.

It serves every chat platform the process runs (Telegram, Zalo, the console) through their
messengers; APScheduler's AsyncIOScheduler only repeats the tick and the heartbeat. Reminders
are rows, not scheduler jobs, so a restart or a second process loses or doubles nothing
(storage.reminders). Claims are held with a short lease that a live process keeps renewing (the
heartbeat), and a process takes back at once the claims of a dead process of its own host
(scheduler.workers): a crash costs at most the one message in flight, whatever the lease.

A recipient this process cannot reach (another platform, or a console contact not at this
terminal) gets a row in the outbox instead, written before the reminder is marked done; every
tick also claims, the same way, the outbox rows for the chats this process reaches, and sends
them. So each person is reached whichever process claims a reminder.

A summary, the late list and leadership's digest carry the instance's progress chart: after the
text, each recipient gets the picture, drawn once per instance and pass (in a worker thread) for
all of them, and sent to each chat once a pass. A message left in the outbox carries its text
only; the process that sends it draws the chart of the reminder's instance then, from the status
at that moment. A chart that cannot be drawn or sent is logged and left out: it never holds
back, nor repeats, the text.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core import buttons
from bot.core import texts as core_texts
from bot.core.chart import progress_chart
from bot.core.i18n import t
from bot.core.model import Button, Contact, InstanceStatus, Keyboard
from bot.core.plan.model import Plan
from bot.core.ports import (
    ChartRenderer,
    DeliveryError,
    Messenger,
    Outbox,
    Outgoing,
    Queued,
    ReminderStore,
    SeenMessages,
    UnreachableError,
    reach,
)
from bot.core.rules import texts
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.reminders import (
    PLANTED_KINDS,
    UNIT_KINDS,
    DueReminder,
    InstanceFacts,
    Kind,
    Outcome,
    Verdict,
    calendar_of,
    daily_rows,
    decide,
    miss_reason,
    missed_chase,
    planted_rows,
    ready_rows,
)
from scheduler.workers import Worker, is_gone, this_worker

log = logging.getLogger(__name__)

PlanSource = Callable[[], Awaitable[Plan | None]]
READY_EVERY = timedelta(seconds=30)
PRUNE_EVERY = timedelta(hours=6)
SWEEP_EVERY = timedelta(minutes=30)  # staging swept of what was left over an hour ago
# What the office and leadership read about one instance: each carries its chart.
CHARTED_KINDS = frozenset({Kind.SUMMARY, Kind.LATE_LIST, Kind.DIGEST})


class DispatchEvents(Protocol):
    """What the loop tells monitoring as it goes (bot.metrics counts it): a port, so that
    the loop knows no metrics library."""

    def reminder(self, outcome: str) -> None:
        """A reminder row was "sent", "failed" (tried again later) or "missed"; or one of
        its recipients was "unreachable"."""

    def outbox(self, outcome: str) -> None:
        """A queued message was "sent", "failed" (tried again later) or "unreachable"."""


class NoEvents:
    """Implements DispatchEvents for a loop nobody monitors."""

    def reminder(self, outcome: str) -> None:
        pass

    def outbox(self, outcome: str) -> None:
        pass


class Handled(Enum):
    SENT = "sent"
    CLOSED = "closed"  # cancelled, skipped, or put off until working hours: nothing sent
    UNDELIVERED = "undelivered"  # the messenger gave up; the row waits and is tried again


@dataclass(frozen=True)
class DispatchSettings:
    tick: timedelta = timedelta(seconds=5)
    # How long a claim outlives its holder's last sign of life. The heartbeat renews it every
    # quarter lease, so a long fan-out keeps its batch, and a process that died (elsewhere, or
    # where its death cannot be seen) holds its rows at most this long.
    lease: timedelta = timedelta(seconds=60)
    batch: int = 500  # rows claimed at once; a pass ends early when half the lease is unrenewed
    fresh: timedelta = timedelta(seconds=2)  # reread what a batch's rows are decided on this often
    retry_first: timedelta = timedelta(seconds=30)  # a failed row waits, doubling, up to:
    retry_cap: timedelta = timedelta(minutes=30)
    keep_sent: timedelta = timedelta(days=30)  # sent outbox messages are deleted after this
    # Incoming messages already taken in are forgotten after this: no platform redelivers a
    # message a week old.
    keep_seen: timedelta = timedelta(days=7)

    def retry_after(self, attempts: int) -> timedelta:
        """How long a row that failed on its `attempts`-th try waits before the next."""
        doubled: int = 2 ** max(attempts - 1, 0)
        return min(self.retry_first * doubled, self.retry_cap)

    @property
    def heartbeat(self) -> timedelta:
        return self.lease / 4


@lru_cache(maxsize=256)  # one keyboard for a whole fan-out
def submit_now(instance_id: int) -> Keyboard:
    """The "submit now" button under a unit's reminder: the next file goes to this report."""
    return ((Button(t("button-submit-now"), buttons.submit_now(instance_id)),),)


@dataclass(frozen=True, slots=True)
class Picture:
    """A chart ready to send: the file, the name it is sent under, its caption."""

    path: Path
    name: str
    caption: str


@dataclass(frozen=True, slots=True)
class Drawing:
    """An instance's picture to send after a text, drawn only when a recipient this process
    reaches needs it."""

    instance_id: int
    draw: Callable[[], Awaitable[Picture | None]]


class Charts:
    """The charts of one pass, each instance's drawn once, in a worker thread, for all the
    recipients of all its reminders in the pass (a summary and the digest, say), and deleted
    when the pass ends. A chat gets an instance's chart once a pass: after the late list and
    the summary that go to the office group together, one picture, not the same one twice."""

    def __init__(self, renderer: ChartRenderer) -> None:
        self.renderer = renderer
        self._drawn: dict[int, Picture | None] = {}  # by instance id
        self._shown: set[tuple[int, str, str]] = set()  # (instance id, platform, chat)

    def drawing(
        self,
        instance_id: int,
        status: Callable[[], Awaitable[InstanceStatus | None]],
        *,
        now: datetime,
        tz: ZoneInfo,
    ) -> Drawing:
        """The chart of an instance, of the status `status` gives, the first time it is
        needed in this pass."""

        async def draw() -> Picture | None:
            if instance_id not in self._drawn:
                self._drawn[instance_id] = await self._draw(status, now, tz)
            return self._drawn[instance_id]

        return Drawing(instance_id, draw)

    def first_time(self, drawing: Drawing, platform: str, chat_id: str) -> bool:
        """Whether the chat has not had this instance's chart yet in this pass (and now has)."""
        key = (drawing.instance_id, platform, chat_id)
        if key in self._shown:
            return False
        self._shown.add(key)
        return True

    async def _draw(
        self,
        status: Callable[[], Awaitable[InstanceStatus | None]],
        now: datetime,
        tz: ZoneInfo,
    ) -> Picture | None:
        path: Path | None = None
        try:
            instance = await status()
            if instance is None:
                return None
            chart = progress_chart(instance, now=now, tz=tz)
            handle, name = tempfile.mkstemp(prefix="baocao-chart-", suffix=".png")
            os.close(handle)
            path = Path(name)
            await asyncio.to_thread(self.renderer.render, chart, path)
        except Exception:  # the text goes without its picture
            log.exception("could not draw a progress chart")
            if path is not None:
                path.unlink(missing_ok=True)
            return None
        return Picture(path, chart.file_name, t("chart-caption", report=instance.report_name))

    def clear(self) -> None:
        """Delete the pass's pictures: every recipient has had theirs."""
        for picture in self._drawn.values():
            if picture is not None:
                picture.path.unlink(missing_ok=True)
        self._drawn.clear()
        self._shown.clear()


async def plant_reminders(store: ReminderStore, plan: Plan, *, now: datetime) -> int:
    """Make the reminder rows match `plan` (after each apply): idempotent."""
    ids = await store.instance_ids()
    submitted = await store.submitted_units()
    rows = planted_rows(plan, ids, submitted, calendar_of(plan))
    return await store.plant(rows, kinds=PLANTED_KINDS, now=now)


class Dispatcher:
    """Claims due rows with a lease, decides, sends, and marks sent while the claim holds."""

    def __init__(
        self,
        *,
        store: ReminderStore,
        plans: PlanSource,
        messengers: Mapping[str, Messenger],
        settings: DispatchSettings | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        worker: str | None = None,
        outbox: Outbox | None = None,
        charts: ChartRenderer | None = None,
        seen: SeenMessages | None = None,
        events: DispatchEvents | None = None,
        sweep: Callable[[], int] | None = None,
    ) -> None:
        self.store = store
        self.events: DispatchEvents = events or NoEvents()
        self.plans = plans
        self.messengers = messengers
        # Without an outbox, a recipient this process cannot reach is skipped.
        self.outbox = outbox
        self._reach = {platform: reach(messenger) for platform, messenger in messengers.items()}
        self._queued: list[Outgoing] = []  # for the outbox, written before a row is marked
        self._pruned_at: datetime | None = None
        self.seen = seen  # pruned with the outbox, if given
        self._forgot_at: datetime | None = None
        # Removes files left in staging by a download cut short (a crash, a killed process):
        # not only at the next start, which may be far off. Run now and then, in a thread.
        self.sweep = sweep
        self._swept_at: datetime | None = None
        self.settings = settings or DispatchSettings()
        self.clock = clock
        self._me = this_worker()
        self.worker = worker or self._me.name
        self._renewed_at: datetime | None = None  # when this worker's claims last got a lease
        self._looked_for_dead: datetime | None = None
        self._planted: str | None = None
        self._daily: tuple[str, str] | None = None
        self._ready_at: datetime | None = None
        self._stopping = False
        self._running: asyncio.Task[object] | None = None
        self._calendar_for: tuple[str, WorkingCalendar] | None = None
        self._scheduler: AsyncIOScheduler | None = None
        # Without a renderer, summaries go as text alone.
        self._charts = None if charts is None else Charts(charts)
        self._zone: ZoneInfo | None = None  # the plan's, for the charts of queued messages

    def _calendar(self, plan: Plan) -> WorkingCalendar:
        """The plan's calendar, built once per plan: its holiday tables are costly to build."""
        if self._calendar_for is None or self._calendar_for[0] != plan.digest:
            self._calendar_for = (plan.digest, calendar_of(plan))
        return self._calendar_for[1]

    # ---- the loop ------------------------------------------------------------------------------

    def start(self) -> None:
        """Tick every `settings.tick` in the running event loop, one tick at a time."""
        self._stopping = False
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._job,
            "interval",
            seconds=self.settings.tick.total_seconds(),
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
        scheduler.add_job(
            self.heartbeat,
            "interval",
            seconds=self.settings.heartbeat.total_seconds(),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        """Stop ticking; a pass under way finishes the reminder it is sending and gives the
        rest of its batch back, so that nothing waits for a lease to run out."""
        self._stopping = True
        running = self._running
        if running is not None and not running.done():
            await asyncio.wait({running}, timeout=60)
        if self._scheduler is not None:
            # Only now: shutting the scheduler down cancels a job that is still running.
            self._scheduler.shutdown(wait=False)
            self._scheduler = None

    async def _job(self) -> None:
        if self._stopping:
            return
        self._running = asyncio.current_task()
        try:
            await self.tick()
        finally:
            self._running = None

    async def heartbeat(self) -> None:
        """Renew the lease of every claim this worker holds: it is alive, if slow."""
        if self._renewed_at is None:  # nothing held
            return
        now = self.clock()
        try:
            await self.store.renew(worker=self.worker, now=now, lease=self.settings.lease)
            if self.outbox is not None:
                await self.outbox.renew(worker=self.worker, now=now, lease=self.settings.lease)
        except Exception:  # the pass ends at half the lease unless a later beat gets through
            log.warning("could not renew the reminder claims of %s", self.worker, exc_info=True)
            return
        if self._renewed_at is not None:
            self._renewed_at = now

    async def take_back_dead(self) -> int:
        """Make the rows (reminders and outbox messages) claimed by dead processes of this host
        due again at once."""
        taken = 0
        stores: list[tuple[str, ReminderStore | Outbox]] = [("reminder(s)", self.store)]
        if self.outbox is not None:
            stores.append(("outbox message(s)", self.outbox))
        for what, store in stores:
            gone = [
                name
                for name in await store.holders()
                if name != self.worker
                for holder in (Worker.parse(name),)
                if holder is not None and is_gone(holder, self._me)
            ]
            if not gone:
                continue
            count = await store.take_back(gone)
            if count:
                log.warning(
                    "took back %d %s claimed by %s, which stopped without finishing them",
                    count,
                    what,
                    ", ".join(gone),
                )
            taken += count
        return taken

    async def tick(self) -> int:
        """One pass: plant and top up rows when needed, then send every due row. Returns sent."""
        try:
            return await self._tick()
        except Exception:  # the next tick tries again; one bad pass must not stop reminders
            log.exception("reminder tick failed")
            return 0
        finally:
            if self._charts is not None:
                self._charts.clear()

    async def _tick(self) -> int:
        sent = await self._remind()
        if self.outbox is not None and self._reach:
            sent += await self._send_queued(self.outbox)
            now = self.clock()
            if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
                await self.outbox.prune(before=now - self.settings.keep_sent)
                self._pruned_at = now
        if self.seen is not None:
            now = self.clock()
            if self._forgot_at is None or now - self._forgot_at >= PRUNE_EVERY:
                await self.seen.forget(before=now - self.settings.keep_seen)
                self._forgot_at = now
        if self.sweep is not None:
            now = self.clock()
            if self._swept_at is None or now - self._swept_at >= SWEEP_EVERY:
                self._swept_at = now
                swept = await asyncio.to_thread(self.sweep)
                if swept:
                    log.info("removed %d unfinished downloads from staging", swept)
        return sent

    async def _remind(self) -> int:
        plan = await self.plans()
        if plan is None:
            return 0
        now = self.clock()
        tz = ZoneInfo(plan.organisation.timezone)
        self._zone = tz
        calendar = self._calendar(plan)
        if self._planted != plan.digest:
            await plant_reminders(self.store, plan, now=now)
            self._planted = plan.digest
        day = now.astimezone(tz).date().isoformat()
        if self._daily != (plan.digest, day):
            facts = await self.store.facts()
            await self.store.ensure(daily_rows(plan, facts, now=now, calendar=calendar))
            self._daily = (plan.digest, day)
        await self._ready(plan, now)
        if self._looked_for_dead is None or now - self._looked_for_dead >= self.settings.heartbeat:
            await self.take_back_dead()
            self._looked_for_dead = now
        async with self.store.marking():
            return await self._send_due(plan)

    async def _send_due(self, plan: Plan) -> int:
        """Claim due rows a batch at a time and handle each; returns how many were sent.

        A pass ends early, giving the rest of its batch back as it was, when the process is
        stopping, when half the lease has gone by since the claims were last renewed (the
        heartbeat is failing: a send that started later might outlive the claim, and another
        process would send the row again), or when a delivery failed after the messenger's own
        retries (the platform is likely down: the next tick tries again).
        """
        try:
            return await self._claim_and_send(plan)
        finally:
            self._renewed_at = None

    async def _claim_and_send(self, plan: Plan) -> int:
        sent = 0
        while not self._stopping:
            claimed_at = self.clock()
            self._renewed_at = claimed_at  # before the claim: a beat meanwhile renews it
            batch = await self.store.claim(
                worker=self.worker,
                now=claimed_at,
                lease=self.settings.lease,
                limit=self.settings.batch,
            )
            if not batch:
                return sent
            facts_by_id, people = await self.store.for_batch(batch)
            loaded_at = self.clock()
            for position, row in enumerate(batch):
                now = self.clock()
                renewed_at = self._renewed_at or claimed_at
                if self._stopping or now - renewed_at >= self.settings.lease / 2:
                    await self.store.give_back(
                        [rest.id for rest in batch[position:]], worker=self.worker
                    )
                    return sent
                if now - loaded_at >= self.settings.fresh:  # e.g. a unit reported meanwhile
                    facts_by_id, people = await self.store.for_batch(batch[position:])
                    loaded_at = now
                handled = await self._handle(row, facts_by_id.get(row.instance_id), plan, people)
                if handled is Handled.SENT:
                    sent += 1
                elif handled is Handled.UNDELIVERED:
                    await self.store.give_back(
                        [rest.id for rest in batch[position + 1 :]], worker=self.worker
                    )
                    return sent
            if len(batch) < self.settings.batch:
                return sent
        return sent

    async def _ready(self, plan: Plan, now: datetime) -> None:
        """Tell the office once when every unit of a cascade's report is in (checked each
        `READY_EVERY`, only for the reports a cascade compiles)."""
        dependencies = {key for report in plan.reports for key in report.depends_on}
        if not dependencies or (self._ready_at is not None and now - self._ready_at < READY_EVERY):
            return
        self._ready_at = now
        facts = await self.store.facts(report_keys=dependencies)
        by_report: dict[str, list[InstanceFacts]] = {}
        for fact in facts:
            by_report.setdefault(fact.report_key, []).append(fact)
        await self.store.ensure(ready_rows(plan, by_report, now=now))

    # ---- one row -------------------------------------------------------------------------------

    async def _handle(
        self,
        row: DueReminder,
        fact: InstanceFacts | None,
        plan: Plan,
        people: Mapping[str, Sequence[Contact]],
    ) -> Handled:
        now = self.clock()
        tz = ZoneInfo(plan.organisation.timezone)
        calendar = self._calendar(plan)
        verdict, later = decide(
            row, fact, now=now, tz=tz, calendar=calendar, settings=plan.settings
        )
        if verdict is Verdict.CANCEL:
            await self.store.finish(
                reminder_id=row.id, worker=self.worker, status=Outcome.CANCELLED, now=now
            )
            return Handled.CLOSED
        if verdict is Verdict.SKIP:
            await self.store.finish(
                reminder_id=row.id, worker=self.worker, status=Outcome.SKIPPED, now=now
            )
            return Handled.CLOSED
        if verdict is Verdict.MISS:
            assert fact is not None
            await self._missed(row, fact, plan, now)
            return Handled.CLOSED
        if verdict is Verdict.LATER:
            assert later is not None
            await self.store.postpone(reminder_id=row.id, worker=self.worker, due_at=later)
            return Handled.CLOSED
        assert fact is not None
        try:
            await self._send(row, fact, plan, now, people)
        except DeliveryError:
            # What was queued stays queued: sent again, the reminder queues each message once.
            await self._flush()
            wait = self.settings.retry_after(row.attempts)
            self.events.reminder("failed")
            log.warning("reminder %s not delivered; trying again in %s", row.id, wait)
            await self.store.postpone(reminder_id=row.id, worker=self.worker, due_at=now + wait)
            return Handled.UNDELIVERED
        # Before the row is marked: were the process to die between the two, the row is sent
        # again and queues nothing twice; the other way round, the queued messages were lost.
        await self._flush()
        if not await self.store.finish(
            reminder_id=row.id, worker=self.worker, status=Outcome.SENT, now=self.clock()
        ):
            log.warning("reminder %s was sent after its lease ran out", row.id)
        self.events.reminder("sent")
        return Handled.SENT

    async def _missed(
        self, row: DueReminder, fact: InstanceFacts, plan: Plan, now: datetime
    ) -> None:
        """Record a "before" reminder that can no longer arrive in time, and chase the unit."""
        reason = miss_reason(fact, now=now)
        tz = ZoneInfo(plan.organisation.timezone)
        chase = missed_chase(
            row, now=now, tz=tz, calendar=self._calendar(plan), settings=plan.settings
        )
        # The chase first: were the process to die between the two, the row is taken again.
        await self.store.ensure([chase])
        if await self.store.finish(
            reminder_id=row.id,
            worker=self.worker,
            status=Outcome.MISSED,
            now=now,
            note=reason.value,
        ):
            self.events.reminder("missed")
            log.warning(
                "reminder %s (%s, %s, unit %s) missed: %s; the unit is chased from %s",
                row.id,
                fact.report_key,
                row.rule_key,
                row.unit_key,
                reason.value,
                chase.due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
            )

    async def _send(
        self,
        row: DueReminder,
        fact: InstanceFacts,
        plan: Plan,
        now: datetime,
        people: Mapping[str, Sequence[Contact]],
    ) -> None:
        tz = ZoneInfo(plan.organisation.timezone)
        calendar = self._calendar(plan)
        today = now.astimezone(tz).date()
        if row.kind in UNIT_KINDS:
            assert row.unit_key is not None
            unit = fact.unit(row.unit_key)
            assert unit is not None
            text = texts.unit_reminder(fact, unit, now, tz, calendar)
            keyboard = submit_now(fact.instance_id)
            for contact in people.get(row.unit_key, ()):
                await self._to_person(contact, text, keyboard, origin=row.id)
        elif row.kind is Kind.SUMMARY:
            status = await self.store.instance_status(fact.instance_id, now=now)
            if status is not None:
                chart = self._chart(fact.instance_id, now, tz, status)
                await self._to_office(
                    core_texts.status_text(status, tz), origin=row.id, chart=chart
                )
        elif row.kind is Kind.LATE_LIST:
            chart = self._chart(fact.instance_id, now, tz)
            await self._to_office(
                texts.late_units(fact, today, calendar), origin=row.id, chart=chart
            )
        elif row.kind is Kind.ESCALATION:
            await self._to_people(
                await self.store.leaders(), texts.escalation(fact, today, calendar), origin=row.id
            )
        elif row.kind is Kind.DIGEST:
            status = await self.store.instance_status(fact.instance_id, now=now)
            if status is not None:
                text = t("digest-title") + "\n" + core_texts.status_text(status, tz)
                chart = self._chart(fact.instance_id, now, tz, status)
                await self._to_people(await self.store.leaders(), text, origin=row.id, chart=chart)
        elif row.kind is Kind.READY:
            compiled = [r.name for r in plan.reports if fact.report_key in r.depends_on]
            await self._to_office(texts.ready(fact, compiled), origin=row.id)

    def _chart(
        self,
        instance_id: int,
        now: datetime,
        tz: ZoneInfo,
        status: InstanceStatus | None = None,
    ) -> Drawing | None:
        """The chart that goes after a reminder's text, of `status` when the text was made
        from it (so that the two agree), else of the instance's status now."""
        if self._charts is None:
            return None

        async def current() -> InstanceStatus | None:
            if status is not None:
                return status
            return await self.store.instance_status(instance_id, now=now)

        return self._charts.drawing(instance_id, current, now=now, tz=tz)

    async def _show(self, messenger: Messenger, chat_id: str, chart: Drawing | None) -> None:
        """Send the chart after its text; a chart that fails is logged, never retried: the
        text it illustrates has gone, and must not go twice."""
        if chart is None or self._charts is None:
            return
        if not self._charts.first_time(chart, messenger.platform, chat_id):
            return
        picture = await chart.draw()
        if picture is None:
            return
        try:
            await messenger.upload(
                chat_id, picture.path, name=picture.name, caption=picture.caption, photo=True
            )
        except Exception:
            log.warning(
                "the progress chart did not reach chat %s on %s",
                chat_id,
                messenger.platform,
                exc_info=True,
            )

    # ---- recipients ----------------------------------------------------------------------------

    def _reaching(self, platform: str, chat_id: str) -> Messenger | None:
        """This process's messenger that can deliver to `chat_id` on `platform`, if any."""
        messenger = self.messengers.get(platform)
        chats = self._reach.get(platform)
        if messenger is None or (chats is not None and chat_id not in chats):
            return None
        return messenger

    def _queue(self, message: Outgoing) -> None:
        """Leave `message` for a process that reaches its chat (nowhere without an outbox)."""
        if self.outbox is not None:
            self._queued.append(message)

    async def _flush(self) -> None:
        queued, self._queued = self._queued, []
        if queued and self.outbox is not None:
            await self.outbox.put(queued, now=self.clock())

    async def _to_person(
        self,
        contact: Contact,
        text: str,
        keyboard: Keyboard = (),
        *,
        origin: int | None = None,
        chart: Drawing | None = None,
    ) -> None:
        messenger = self._reaching(contact.platform, contact.chat_id)
        if messenger is None:
            self._queue(
                Outgoing(
                    platform=contact.platform,
                    chat_id=contact.chat_id,
                    text=text,
                    keyboard=keyboard,
                    contact_id=contact.id,
                    reminder_id=origin,
                )
            )
            return
        try:
            await _deliver(messenger, contact.chat_id, text, keyboard)
        except UnreachableError:
            self.events.reminder("unreachable")
            await self._unreachable(contact)
            return
        await self._show(messenger, contact.chat_id, chart)

    async def _unreachable(self, contact: Contact) -> None:
        """Mark the person unreachable; the office is told the first time."""
        if await self.store.mark_unreachable(contact_id=contact.id, now=self.clock()):
            await self._to_office(
                t("office-unreachable", name=contact.display_name, unit=contact.unit_name)
            )

    async def _to_people(
        self,
        contacts: Sequence[Contact],
        text: str,
        *,
        origin: int | None = None,
        chart: Drawing | None = None,
    ) -> None:
        for contact in contacts:
            await self._to_person(contact, text, origin=origin, chart=chart)

    async def _to_office(
        self, text: str, *, origin: int | None = None, chart: Drawing | None = None
    ) -> None:
        """The office group where one is bound on a platform; the office staff elsewhere."""
        groups = await self.store.office_groups()
        for platform, chat in groups.items():
            messenger = self._reaching(platform, chat)
            if messenger is None:
                self._queue(
                    Outgoing(platform=platform, chat_id=chat, text=text, reminder_id=origin)
                )
                continue
            try:
                await _deliver(messenger, chat, text)
            except UnreachableError:
                log.warning("the office group on %s cannot be reached", platform)
                continue
            await self._show(messenger, chat, chart)
        for contact in await self.store.office_staff():
            if contact.platform not in groups:
                await self._to_person(contact, text, origin=origin, chart=chart)

    # ---- the outbox ----------------------------------------------------------------------------

    async def _send_queued(self, outbox: Outbox) -> int:
        """Claim the outbox messages this process can deliver and send them, a batch at a
        time, as `_send_due` does reminders (and ending early for the same reasons)."""
        sent = 0
        try:
            while not self._stopping:
                claimed_at = self.clock()
                self._renewed_at = claimed_at
                batch = await outbox.claim(
                    reach=self._reach,
                    worker=self.worker,
                    now=claimed_at,
                    lease=self.settings.lease,
                    limit=self.settings.batch,
                )
                if not batch:
                    return sent
                for position, message in enumerate(batch):
                    renewed_at = self._renewed_at or claimed_at
                    if self._stopping or self.clock() - renewed_at >= self.settings.lease / 2:
                        await outbox.give_back(
                            [rest.id for rest in batch[position:]], worker=self.worker
                        )
                        return sent
                    handled = await self._send_one(outbox, message)
                    await self._flush()
                    if handled is Handled.SENT:
                        sent += 1
                    elif handled is Handled.UNDELIVERED:
                        await outbox.give_back(
                            [rest.id for rest in batch[position + 1 :]], worker=self.worker
                        )
                        return sent
                if len(batch) < self.settings.batch:
                    return sent
            return sent
        finally:
            self._renewed_at = None

    async def _send_one(self, outbox: Outbox, message: Queued) -> Handled:
        messenger = self._reaching(message.platform, message.chat_id)
        if messenger is None:  # never so: a claim asks only for the chats this process reaches
            wait = self.settings.retry_after(message.attempts)
            await outbox.postpone(
                message_id=message.id, worker=self.worker, due_at=self.clock() + wait
            )
            return Handled.CLOSED
        try:
            await _deliver(messenger, message.chat_id, message.text, message.keyboard)
        except UnreachableError:
            self.events.outbox("unreachable")
            await outbox.unreachable(message_id=message.id, worker=self.worker, now=self.clock())
            if message.contact is not None:
                await self._unreachable(message.contact)
            else:
                log.warning("the office group on %s cannot be reached", message.platform)
            return Handled.CLOSED
        except DeliveryError:
            wait = self.settings.retry_after(message.attempts)
            self.events.outbox("failed")
            log.warning("outbox message %s not delivered; trying again in %s", message.id, wait)
            await outbox.postpone(
                message_id=message.id, worker=self.worker, due_at=self.clock() + wait
            )
            return Handled.UNDELIVERED
        # Marked before the chart goes: the text is what must not go twice.
        if not await outbox.sent(message_id=message.id, worker=self.worker, now=self.clock()):
            log.warning("outbox message %s was sent after its lease ran out", message.id)
        self.events.outbox("sent")
        await self._show(messenger, message.chat_id, self._queued_chart(message))
        return Handled.SENT

    def _queued_chart(self, message: Queued) -> Drawing | None:
        """The chart of a queued summary's instance, as it stands now: the message kept only
        its text, and the process that queued it may be long gone."""
        if message.kind not in CHARTED_KINDS or message.instance_id is None or self._zone is None:
            return None
        return self._chart(message.instance_id, self.clock(), self._zone)


async def _deliver(messenger: Messenger, chat_id: str, text: str, keyboard: Keyboard = ()) -> None:
    """Send `text` in as many pieces as the platform needs; the keyboard goes under the last."""
    *pieces, last = core_texts.split_text(text, messenger.max_text)
    for piece in pieces:
        await messenger.send(chat_id, piece)
    await messenger.send(chat_id, last, keyboard=keyboard)
