"""/metrics: who may read it (a Bearer token when BAOCAO_METRICS_TOKEN is set, else this
machine only and not through a proxy), and what it counts after a few real events."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from fakes.messenger import FakeMessenger
from ops_support import ops_world

from bot.app import reminder_dispatcher
from bot.core.model import Chat, ChatKind, Incoming, Sender, SubmissionKind
from bot.core.ports import Outgoing
from bot.metrics import measured

LOCAL = ("127.0.0.1", 40000)
TOKEN = "m3tr1cs-t0ken-0123456789abcdef"


def value(page: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` on the page (labels in any order), 0 when absent."""
    for line in page.splitlines():
        if line.startswith("#"):
            continue
        found = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if found is None or found.group(1) != name:
            continue
        pairs = dict(re.findall(r'([a-z_]+)="([^"]*)"', found.group(2) or ""))
        if pairs == labels:
            return float(found.group(3))
    return 0.0


def test_without_a_token_only_this_machine_reads_it(tmp_path: Path) -> None:
    with ops_world(tmp_path) as world:
        assert world.client.get("/metrics").status_code == 404  # a client elsewhere
    with ops_world(tmp_path / "local", client=LOCAL) as world:
        answer = world.client.get("/metrics")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain; version=")
        assert "baocao_updates_handled" in answer.text
        # Through nginx on this machine the peer is 127.0.0.1 too: refused.
        proxied = world.client.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})
        assert proxied.status_code == 404
        assert "content-security-policy" not in answer.headers  # no session middleware


def test_with_a_token_anyone_with_it_reads_it(tmp_path: Path) -> None:
    with ops_world(tmp_path, metrics_token=TOKEN) as world:
        client = world.client
        assert client.get("/metrics").status_code == 404
        wrong = {"authorization": "Bearer " + TOKEN[:-1] + "x"}
        assert client.get("/metrics", headers=wrong).status_code == 404
        basic = {"authorization": "Basic " + TOKEN}
        assert client.get("/metrics", headers=basic).status_code == 404
        right = client.get("/metrics", headers={"authorization": "Bearer " + TOKEN})
        assert right.status_code == 200 and "baocao_queue_depth" in right.text
    with ops_world(tmp_path / "local", metrics_token=TOKEN, client=LOCAL) as world:
        assert world.client.get("/metrics").status_code == 404  # the token is asked of all


def test_what_it_counts(tmp_path: Path) -> None:
    with ops_world(tmp_path, seed=True, client=LOCAL) as world:
        runtime = world.runtime
        # Web requests, by route template: the token in the path is never a label.
        world.client.get("/dang-nhap/b1mat-l1nk-t0ken")
        world.client.get("/no-such-page/xyz")
        world.client.get("/healthz")

        # Updates: one handled (an unknown code typed), one whose reply fails.
        out = FakeMessenger(platform="telegram")
        broken = FakeMessenger(platform="zalo")

        async def fail(*args: object, **kwargs: object) -> None:
            raise RuntimeError("the platform adapter broke")

        broken.send = fail  # type: ignore[method-assign]

        async def updates() -> None:
            chat = Chat("telegram", "900", ChatKind.PRIVATE)
            event = Incoming(chat, Sender("900", "Người lạ"), runtime.clock(), "t:1", text="ABC")
            await runtime.core.handle(event, out)
            chat = Chat("zalo", "z900", ChatKind.PRIVATE)
            event = Incoming(chat, Sender("z900", "Người lạ"), runtime.clock(), "z:1", text="X")
            with contextlib.suppress(RuntimeError):
                await runtime.core.handle(event, broken)

        world.call(updates)
        assert out.sent  # the reply went, through the timed messenger

        # A submission (new) and the same message again (its first receipt, not counted).
        contact = world.contact(platform="telegram")
        repo = runtime.core.context.repo

        async def submit() -> None:
            (instance, *_) = await repo.open_instances(
                unit_key=contact.unit_key or "", now=runtime.clock()
            )
            for _ in range(2):
                await repo.submit(
                    instance_id=instance.instance_id,
                    unit_key=contact.unit_key or "",
                    contact_id=contact.id,
                    kind=SubmissionKind.TEXT,
                    source_ref="telegram:1:42",
                    now=runtime.clock(),
                    text="Đã tổ chức hội nghị",
                )

        world.call(submit)

        # The dispatch loop as the runtime wires it: it sends the outbox message for a
        # Telegram chat; the one for a Zalo chat waits for a process that runs Zalo.
        outbox = runtime.web.outbox if runtime.web is not None else None
        assert outbox is not None
        waiting = [
            Outgoing(platform="telegram", chat_id="900", text="Tin nhắn"),
            Outgoing(platform="zalo", chat_id="z900", text="Tin nhắn"),
        ]
        world.call(lambda: outbox.put(waiting, now=runtime.clock()))
        messengers = {"telegram": measured(FakeMessenger(platform="telegram"), runtime.metrics)}
        dispatcher = reminder_dispatcher(
            world.config, runtime.engine, messengers, runtime.clock, events=runtime.metrics.events()
        )
        world.call(dispatcher.tick)

        page = world.client.get("/metrics").text

    assert (
        value(
            page,
            "baocao_web_requests_total",
            route="/dang-nhap/{token}",
            method="GET",
            status="200",
        )
        + value(
            page,
            "baocao_web_requests_total",
            route="/dang-nhap/{token}",
            method="GET",
            status="404",
        )
        + value(
            page,
            "baocao_web_requests_total",
            route="/dang-nhap/{token}",
            method="GET",
            status="410",
        )
        == 1
    )
    assert value(page, "baocao_web_requests_total", route="(none)", method="GET", status="404") == 1
    assert (
        value(page, "baocao_web_requests_total", route="/healthz", method="GET", status="200") == 1
    )
    assert "b1mat-l1nk-t0ken" not in page and "no-such-page" not in page

    assert value(page, "baocao_updates_handled_total", platform="telegram", outcome="handled") == 1
    assert value(page, "baocao_updates_handled_total", platform="zalo", outcome="failed") == 1
    assert value(page, "baocao_send_seconds_count", platform="telegram") >= 1
    assert value(page, "baocao_submissions_accepted_total", kind="text") == 1
    assert value(page, "baocao_submissions_accepted_total", kind="file") == 0

    assert value(page, "baocao_outbox_messages_total", outcome="sent") == 1
    # What waits in the outbox, counted at scrape time.
    assert value(page, "baocao_queue_depth", queue="outbox") == 1
    assert value(page, "baocao_queue_depth", queue="reminders_due") == 0
