"""What /metrics shows, in Prometheus's format: counted where the composition root wires the
parts together, so that the domain core and the adapters never import prometheus_client.

Each Runtime has its own registry (not the library's global one): two runtimes in one
process (the tests) count apart. Counted:

- updates handled, by platform and outcome ("handled", "failed": an error reached the
  platform's error handler), around `ReportBot.handle`;
- submissions accepted, by kind (text, file, photo), around the repository's `submit`
  (a redelivered message that returns its first receipt is not counted again);
- reminders and queued messages, by outcome, told by the dispatch loop (DispatchEvents);
- how long each send to a chat platform takes, by platform, around every messenger;
- web requests by route template, method and status (the path would carry tokens);
- the outbox and the due reminders waiting, counted at scrape time (cached a few seconds).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.core.model import (
    Attachment,
    Incoming,
    Keyboard,
    MessageRef,
    Receipt,
    SubmissionKind,
)
from bot.core.ports import Messenger
from bot.core.usecases import ReportBot
from storage.repository import SqlRepository

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("baocao.metrics")

# Seconds: a Bot API call is usually a few hundred milliseconds; a file upload, seconds.
SEND_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Queue depths are counted at most this often, however often Prometheus scrapes.
QUEUE_CACHE_SECONDS = 5.0


class Metrics:
    """One runtime's counters and its registry."""

    def __init__(
        self,
        *,
        engine: AsyncEngine | None = None,
        clock: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.engine = engine
        self.clock = clock
        self.monotonic = monotonic
        self.updates = Counter(
            "baocao_updates_handled",
            "Incoming chat updates handed to the core, by platform and outcome.",
            ["platform", "outcome"],
            registry=self.registry,
        )
        self.submissions = Counter(
            "baocao_submissions_accepted",
            "New report versions recorded, by kind.",
            ["kind"],
            registry=self.registry,
        )
        for kind in SubmissionKind:
            self.submissions.labels(kind=kind.value)
        self.reminders = Counter(
            "baocao_reminders",
            "Reminder rows handled by the dispatch loop, by outcome; unreachable counts people.",
            ["outcome"],
            registry=self.registry,
        )
        self.outbox = Counter(
            "baocao_outbox_messages",
            "Queued messages handled by the dispatch loop, by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in ("sent", "failed", "unreachable"):
            self.reminders.labels(outcome=outcome)
            self.outbox.labels(outcome=outcome)
        self.send_seconds = Histogram(
            "baocao_send_seconds",
            "Time one message or file took to reach a chat platform, by platform.",
            ["platform"],
            buckets=SEND_BUCKETS,
            registry=self.registry,
        )
        self.web_requests = Counter(
            "baocao_web_requests",
            "Web requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "baocao_queue_depth",
            "Messages waiting: the outbox (not yet sent) and reminders due but not sent.",
            ["queue"],
            registry=self.registry,
        )
        self._counted_at: float | None = None

    # ---- what the parts tell ---------------------------------------------------------------

    def update(self, platform: str, outcome: str) -> None:
        self.updates.labels(platform=platform, outcome=outcome).inc()

    def submission(self, kind: str) -> None:
        self.submissions.labels(kind=kind).inc()

    def web_request(self, route: str, method: str, status: int) -> None:
        self.web_requests.labels(route=route, method=method, status=str(status)).inc()

    def events(self) -> DispatchCounts:
        """The dispatch loop's events, counted here."""
        return DispatchCounts(self)

    # ---- the exposition ----------------------------------------------------------------------

    async def exposition(self) -> tuple[bytes, str]:
        """The registry in Prometheus's text format, with the queue depths counted now (or
        a few seconds ago)."""
        await self._count_queues()
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    async def _count_queues(self) -> None:
        if self.engine is None or self.clock is None:
            return
        now = self.monotonic()
        if self._counted_at is not None and now - self._counted_at < QUEUE_CACHE_SECONDS:
            return
        from storage.queues import queue_depths

        self._counted_at = now
        try:
            depths = await queue_depths(self.engine, now=self.clock())
        except Exception as error:  # the rest of the page still serves; /healthz says why
            log.warning("could not count the queues (%s)", type(error).__name__)
            return
        for queue, depth in depths.items():
            self.queue_depth.labels(queue=queue).set(depth)


class DispatchCounts:
    """Implements scheduler.dispatcher.DispatchEvents over Metrics."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def reminder(self, outcome: str) -> None:
        self.metrics.reminders.labels(outcome=outcome).inc()

    def outbox(self, outcome: str) -> None:
        self.metrics.outbox.labels(outcome=outcome).inc()


class MeasuredMessenger:
    """A messenger whose sends are timed (by platform); everything else is the messenger's
    own, attributes a platform adds (`buttons`, `only_chats`) included."""

    # Declared for the Messenger port, read from the inner messenger (a test's messenger may
    # lack the ones it never needs).
    platform: str
    max_text: int
    max_download: int
    max_upload: int

    def __init__(self, inner: Messenger, metrics: Metrics) -> None:
        self._inner = inner
        self._histogram = metrics.send_seconds.labels(platform=inner.platform)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def send(self, chat_id: str, text: str, *, keyboard: Keyboard = ()) -> MessageRef:
        with self._histogram.time():
            return await self._inner.send(chat_id, text, keyboard=keyboard)

    async def edit(self, message: MessageRef, text: str, *, keyboard: Keyboard = ()) -> None:
        await self._inner.edit(message, text, keyboard=keyboard)

    async def answer(self, callback_id: str, text: str | None = None) -> None:
        await self._inner.answer(callback_id, text)

    async def download(self, attachment: Attachment, destination: Path) -> int:
        return await self._inner.download(attachment, destination)

    async def send_file(self, chat_id: str, attachment: Attachment, caption: str) -> MessageRef:
        with self._histogram.time():
            return await self._inner.send_file(chat_id, attachment, caption)

    async def upload(
        self, chat_id: str, path: Path, *, name: str, caption: str = "", photo: bool = False
    ) -> MessageRef:
        with self._histogram.time():
            return await self._inner.upload(chat_id, path, name=name, caption=caption, photo=photo)


def measured(messenger: Messenger, metrics: Metrics | None) -> Messenger:
    """`messenger` with its sends timed, once (a measured one is returned as it is)."""
    if metrics is None or isinstance(messenger, MeasuredMessenger):
        return messenger
    return MeasuredMessenger(messenger, metrics)


class MeasuredBot(ReportBot):
    """ReportBot counting each update by platform and outcome, its replies timed."""

    def __init__(self, *, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

    async def handle(self, incoming: Incoming, out: Messenger) -> None:
        try:
            await super().handle(incoming, measured(out, self.metrics))
        except Exception:
            self.metrics.update(out.platform, "failed")
            raise
        self.metrics.update(out.platform, "handled")


class MeasuredRepository(SqlRepository):
    """SqlRepository counting each new submission by kind."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    async def submit(self, *, source_ref: str, **fields: Any) -> Receipt:
        """SqlRepository.submit, counted. One more indexed read per submission (rare events):
        a redelivered message gets its first receipt back and is not counted twice, but for
        two deliveries racing."""
        again = await self.receipt_for(source_ref=source_ref) is not None
        receipt = await super().submit(source_ref=source_ref, **fields)
        if not again:
            self.metrics.submission(receipt.kind.value)
        return receipt
