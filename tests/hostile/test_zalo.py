"""Hostile input through the strict fake Zalo Bot API, one bot per module, by webhook into the
web app: each case says what is sent, what the reply must say (catalog texts, in Zalo's
numbered wording) and which stored things may change."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fakes.zalo_api import FakeZalo, ZaloUser
from zalo_world import JPEG, WEBHOOK_SECRET, free_port

from bot.app import Runtime
from bot.config import Settings
from bot.core import buttons
from bot.core.i18n import t
from bot.core.model import Button
from bot.core.plan.model import Role
from handlers.zalo.messenger import MAX_DOWNLOAD
from handlers.zalo.platform import MAX_WEBHOOK_BODY, SECRET_HEADER, ZaloPlatform
from hostile import worlds
from hostile.snapshot import Snapshot, assert_only, new_rows, snapshot
from storage.db import make_engine
from storage.roster import SqlRoster

pytestmark = pytest.mark.asyncio(loop_scope="module")

JSON = dict[str, Any]
HTML = b"<!doctype html><html><body>not a picture</body></html>"
STORED = ("submission", "files")  # what an accepted photo changes
ASKED = ("pending_step",)  # what a question waiting for an answer changes
LINKED = ("web_link",)  # what a one-time link to the portal changes


def words(key: str, **args: object) -> str:
    """Message `key` as Zalo words it: numbers to type, no files taken in chat."""
    return t(buttons.wording(key, has_buttons=False, receives_files=False), **args)


@dataclass
class World:
    fake: FakeZalo
    data: Path
    url: str
    runtime: Runtime
    zalo: ZaloPlatform
    webhook: str
    people: dict[str, ZaloUser] = field(default_factory=dict)

    async def idle(self) -> None:
        """Wait until every update queued so far was delivered and handled, several times in
        a row with nothing in hand."""
        calm = 0
        while calm < 3:
            await self.fake.wait_drained()
            await asyncio.sleep(0.01)
            busy = bool(self.zalo._workers) or self.fake.pending > 0
            calm = 0 if busy else calm + 1

    async def text(self, who: str, text: str) -> str:
        return await self.fake.send_text(self.people[who], text)

    async def raw(self, update: JSON) -> None:
        await self.fake.send_raw(update)

    def update(self, who: str, event: str, content: JSON | None = None) -> JSON:
        return self.fake.build_update(self.people[who], event, content)

    async def question(self, who: str, text: str) -> JSON:
        """Send a text report and return the bot's numbered question."""
        await self.text(who, text)
        return await self.fake.wait_for_message(self.people[who].id, contains="Nộp")

    async def contact_id(self, who: str) -> int:
        with sqlite3.connect(self.data / "baocao.db") as connection:
            (row,) = connection.execute(
                "SELECT id FROM contact WHERE platform = 'zalo' AND user_id = ?",
                (self.people[who].id,),
            ).fetchall()
        connection.close()
        return int(row[0])

    async def post(self, body: bytes, headers: dict[str, str]) -> int:
        """A call to the webhook from anyone, not only from Zalo."""
        async with httpx.AsyncClient() as client:
            answer = await client.post(self.webhook, content=body, headers=headers)
        return answer.status_code


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    data = tmp_path_factory.mktemp("hostile-zalo") / "data"
    url = await worlds.department(data)
    port = free_port()
    async with FakeZalo() as fake:
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            zalo_token=fake.token,
            zalo_api_url=fake.api_url,
            zalo_webhook_secret=WEBHOOK_SECRET,
            data_dir=data,
            database_url=url,
            admins=[],
            reminder_tick=60,
            web=True,
            web_port=port,
        )
        runtime = Runtime(config, poll_timeout=1)
        await runtime.start()
        try:
            (zalo,) = [p for p in runtime.started if p.name == "zalo"]
            assert isinstance(zalo, ZaloPlatform)
            here = World(fake, data, url, runtime, zalo, f"http://127.0.0.1:{port}/zalo/webhook")
            for key, (uid, name, unit, role) in {
                "binh": ("b0000000b002", "Bình", "phong-b", Role.HEAD),
                "lan": ("1a0000001001", "Lan", "phong-a", Role.HEAD),
                "chi": ("c00000001009", "Chi", "phong-a", Role.HEAD),
                "burst": ("b00000001010", "Hùng", "phong-b", Role.HEAD),
            }.items():
                here.people[key] = fake.user(uid, name)
                code = await worlds.invite(url, unit, role)
                await fake.send_text(here.people[key], f"/start {code}")
                await fake.wait_for_message(uid, contains="Chào")
            here.people["stranger"] = fake.user("5000000002001", "Người lạ")
            here.people["protected"] = fake.user("9000000002002", "Em nhỏ", protected=True)
            await here.idle()
            yield here
        finally:
            await runtime.stop()
    fake.assert_clean()


Act = Callable[[World], Awaitable[Any]]


@dataclass(frozen=True)
class Case:
    id: str
    act: Act
    replies: tuple[str, ...] = ()  # texts the replies must contain, all of them
    silent: bool = False  # nothing at all may be sent, to anyone
    allowed: tuple[str, ...] = ()  # the stored things that may change
    check: Callable[[Snapshot, Snapshot], None] | None = None
    chat: str = "binh"  # whose chat the replies are read in


def nothing_stored(before: Snapshot, after: Snapshot) -> None:
    assert new_rows(before, after, "submission") == []


def stored_once(before: Snapshot, after: Snapshot) -> None:
    assert len(new_rows(before, after, "submission")) == 1


def say(text: str, who: str = "binh") -> Act:
    return lambda w: w.text(who, text)


def raw(build: Callable[[World], JSON]) -> Act:
    return lambda w: w.raw(build(w))


def photo(content: bytes, content_type: str = "image/jpeg", who: str = "binh") -> Act:
    async def act(w: World) -> None:
        url = w.fake.add_file(content, ".jpg", content_type)
        await w.raw(w.update(who, "message.image.received", {"photo_url": url}))

    return act


async def photo_404(w: World) -> None:
    w.fake.fail_next_download(404)
    await photo(JPEG)(w)


async def photo_too_big(w: World) -> None:
    await photo(JPEG + bytes(MAX_DOWNLOAD + 1 - len(JPEG)))(w)


async def redelivered(w: World) -> None:
    mid = await w.fake.send_image(w.people["binh"], JPEG)
    await w.fake.wait_for_message(w.people["binh"].id, contains="Biên nhận")
    await w.idle()
    await w.fake.redeliver(mid)
    await w.idle()
    await w.fake.redeliver(mid)


BURST = 50


async def burst(w: World) -> None:
    """50 messages at once from one person, as a stuck client or a script sends them (the
    200-message burst runs through Telegram's fake; this one keeps the suite's time)."""
    for i in range(BURST):
        await w.fake.send_text(w.people["burst"], f"Tin số {i}")
    await w.idle()
    sent = [m for m in w.fake.messages_to(w.people["burst"].id) if "Nộp" in m["text"]]
    assert len(sent) >= BURST  # each one answered, in order, none dropped
    await w.text("burst", "/huy")


def from_a_bot(w: World) -> JSON:
    update = w.update("binh", "message.text.received", {"text": "Báo cáo giả từ một bot"})
    update["message"]["from"]["is_bot"] = True
    return update


def group_message(w: World) -> JSON:
    update = w.update("binh", "message.text.received", {"text": "Báo cáo trong nhóm"})
    update["message"]["chat"] = {"id": "6000000000777", "chat_type": "GROUP"}
    return update


def group_command(w: World) -> JSON:
    update = w.update("binh", "message.text.received", {"text": "/baocao"})
    update["message"]["chat"] = {"id": "6000000000778", "chat_type": "GROUP"}
    return update


def without(path: tuple[str, ...]) -> Callable[[World], JSON]:
    def build(w: World) -> JSON:
        update = w.update("binh", "message.text.received", {"text": "Báo cáo thiếu trường"})
        holder = update
        for key in path[:-1]:
            holder = holder[key]
        del holder[path[-1]]
        return update

    return build


def replaced(path: tuple[str, ...], value: object) -> Callable[[World], JSON]:
    def build(w: World) -> JSON:
        update = w.update("binh", "message.text.received", {"text": "Báo cáo sai kiểu"})
        holder = update
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
        return update

    return build


async def removed_mid_conversation(w: World) -> None:
    await w.question("chi", "Phòng A báo cáo quý")
    engine = make_engine(w.url)
    try:
        await SqlRoster(engine).remove_contact(
            contact_id=await w.contact_id("chi"), now=datetime.now(UTC)
        )
    finally:
        await engine.dispose()
    await w.text("chi", "1")


async def plan_changed_mid_submission(w: World) -> None:
    question = await w.question("lan", "Phòng A báo cáo chuyên đề")
    assert "2" in question["text"]
    await worlds.reapply(w.url, with_thematic=False)
    try:
        await w.text("lan", "2")
        await w.idle()
    finally:
        await worlds.reapply(w.url, with_thematic=True)
    await w.text("lan", "/huy")


async def reminder_for_a_closed_report(w: World) -> None:
    """A reminder's numbered "submit now" for a report that closed since: typing its number."""
    keyboard = ((Button(t("button-submit-now"), buttons.submit_now(999_999)),),)
    await w.zalo.messenger.send(w.people["binh"].id, "Nhắc nộp báo cáo", keyboard=keyboard)
    await w.text("binh", "1")


def after_question(text: str) -> Act:
    async def act(w: World) -> None:
        await w.question("binh", "Nội dung báo cáo quý")
        await w.text("binh", text)

    return act


def webhook_call(body: bytes, secret: str | None, content_type: str = "application/json") -> Act:
    async def act(w: World) -> None:
        headers = {"content-type": content_type}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        answers.append(await w.post(body, headers))

    return act


answers: list[int] = []


def answered(status: int) -> Callable[[Snapshot, Snapshot], None]:
    def check(before: Snapshot, after: Snapshot) -> None:
        assert answers and answers[-1] == status, answers

    return check


def forged_start(secret: str | None) -> Act:
    """/start with a real invite code, posted by someone who is not Zalo."""

    async def act(w: World) -> None:
        code = await worlds.invite(w.url, "phong-b")
        update = w.update("stranger", "message.text.received", {"text": f"/start {code}"})
        await webhook_call(json.dumps(update).encode(), secret)(w)

    return act


NFD = unicodedata.normalize("NFD", "Đã hoàn thành kế hoạch quý")
CONFIRM = t("submit-text-confirm", name="Báo cáo quý")
TOO_BIG = t("submit-file-too-big", size="> 20", limit="20").split("(")[0]

CASES: list[Case] = [
    # --- text ----------------------------------------------------------------------------
    Case(
        "text-10000-characters",
        say("x" * 10_000),
        (t("submit-text-too-long", length=10_000, limit=4000).split(",")[0],),
    ),
    Case("text-only-invisible", say("\u200b\u200c\u2060 \u200b"), (words("submit-invisible"),)),
    Case("text-nfd-vietnamese", say(NFD), (CONFIRM,), allowed=ASKED),
    Case("text-emoji-only", say("📊📈✅"), (CONFIRM,), allowed=ASKED),
    Case("text-right-to-left", say("تقرير \u202eđảo chiều"), (CONFIRM,), allowed=ASKED),
    Case("text-nul", say("Báo\x00 cáo"), (CONFIRM,), allowed=ASKED),
    # --- numbers -------------------------------------------------------------------------
    Case("number-nothing-offered", say("1"), (words("choice-nothing-offered"),)),
    Case(
        "number-zero",
        after_question("0"),
        (t("choice-not-offered", number=0, count=2),),
        allowed=ASKED,
    ),
    Case(
        "number-too-big",
        after_question("999"),
        (t("choice-not-offered", number=999, count=2),),
        allowed=ASKED,
    ),
    Case("number-negative", after_question("-1"), (CONFIRM,), allowed=ASKED),
    Case("number-huge", after_question("9" * 40), (CONFIRM,), allowed=ASKED),
    Case(
        "number-reminder-closed",
        reminder_for_a_closed_report,
        (t("reminder-report-closed"),),
        allowed=ASKED,
    ),
    # --- commands ------------------------------------------------------------------------
    Case("start-with-extra-words", say("/start ABC DEF ../x"), (t("start-unknown"),)),
    Case(
        "start-garbage-stranger",
        say("/start ' OR 1=1 --", "stranger"),
        (t("start-unknown"),),
        chat="stranger",
    ),
    Case("unknown-command", say("/xoahet --force"), (t("unknown-command"),)),
    Case("unknown-command-unicode", say("/báocáo"), (t("unknown-command"),)),
    Case("slash-alone", say("/"), (CONFIRM,), allowed=ASKED),
    Case("huy-with-words", say("/huy tat ca ngay"), (t("cancel-nothing"),)),
    # --- updates the bot must not act on -------------------------------------------------
    Case(
        "unknown-event",
        raw(lambda w: w.update("binh", "message.reaction.received", {"reaction": "❤"})),
        silent=True,
    ),
    Case("event-name-not-a-string", raw(replaced(("event_name",), ["x"])), silent=True),
    Case("message-missing", raw(without(("message",))), silent=True),
    Case("message-id-missing", raw(without(("message", "message_id"))), silent=True),
    Case("from-missing", raw(without(("message", "from"))), silent=True),
    Case("from-a-string", raw(replaced(("message", "from"), "b0000000b002")), silent=True),
    Case("chat-id-a-list", raw(replaced(("message", "chat", "id"), ["x"])), silent=True),
    Case("text-null", raw(replaced(("message", "text"), None)), silent=True),
    Case("date-a-word", raw(replaced(("message", "date"), "hôm qua")), silent=True),
    Case("from-a-bot", raw(from_a_bot), silent=True),
    Case("group-message", raw(group_message), silent=True),
    Case("group-command", raw(group_command), silent=True),
    # --- what chat cannot carry ----------------------------------------------------------
    Case(
        "sticker",
        lambda w: w.fake.send_sticker(w.people["binh"]),
        (t("unsupported-sticker"),),
        allowed=LINKED,
    ),
    Case(
        "file",
        lambda w: w.fake.send_unsupported(w.people["binh"]),
        (words("submit-unsupported-file").split(";")[0],),
        allowed=LINKED,
    ),
    Case(
        "protected-user",
        lambda w: w.fake.send_text(w.people["protected"], "/start ABCDEF"),
        (t("stranger").split("!")[0],),
        chat="protected",
    ),
    # --- photos --------------------------------------------------------------------------
    Case("photo-404", photo_404, (t("zalo-photo-gone"),)),
    Case("photo-that-is-html", photo(HTML, "text/html"), (t("submit-photo-lies"),)),
    Case("photo-html-said-jpeg", photo(HTML), (t("submit-photo-lies"),)),
    Case("photo-over-the-cap", photo_too_big, (TOO_BIG,), allowed=LINKED),
    Case(
        "photo-redelivered",
        redelivered,
        ("Biên nhận",),
        allowed=STORED,
        check=stored_once,
    ),
    Case("burst-50", burst, (), chat="burst", allowed=ASKED, check=nothing_stored),
    # --- the world changes under a conversation ------------------------------------------
    Case(
        "contact-removed-mid-conversation",
        removed_mid_conversation,
        (t("stranger").split("!")[0],),
        chat="chi",
        allowed=("contact", "pending_step"),
        check=nothing_stored,
    ),
    Case(
        "plan-changed-mid-submission",
        plan_changed_mid_submission,
        (t("submit-closed"),),
        chat="lan",
        allowed=("report", "report_instance", "pending_step"),
        check=nothing_stored,
    ),
    # --- the webhook itself --------------------------------------------------------------
    Case(
        "webhook-wrong-secret",
        forged_start("wrong-secret-123"),
        silent=True,
        allowed=("invite",),
        check=answered(403),
    ),
    Case(
        "webhook-no-secret",
        forged_start(None),
        silent=True,
        allowed=("invite",),
        check=answered(403),
    ),
    Case(
        "webhook-bad-json",
        webhook_call(b'{"event_name": "message.text.received", ', WEBHOOK_SECRET),
        silent=True,
        check=answered(400),
    ),
    Case(
        "webhook-not-an-object",
        webhook_call(b'["message.text.received"]', WEBHOOK_SECRET),
        silent=True,
        check=answered(400),
    ),
    Case(
        "webhook-over-1mb",
        webhook_call(b'{"x": "' + b"a" * MAX_WEBHOOK_BODY + b'"}', WEBHOOK_SECRET),
        silent=True,
        check=answered(413),
    ),
    Case(
        "webhook-over-1mb-no-secret",
        webhook_call(b"a" * (MAX_WEBHOOK_BODY + 1), None),
        silent=True,
        check=answered(403),
    ),
]


def replies(fake: FakeZalo, chat_id: str | None, since: int) -> list[str]:
    """What was sent since call #`since`: to `chat_id`, or to anyone when None."""
    seen = []
    for call in fake.calls[since:]:
        sent = call.ok and call.method in ("sendMessage", "sendPhoto")
        if sent and (chat_id is None or call.body.get("chat_id") == chat_id):
            seen.append(call.body.get("text") or call.body.get("caption") or "")
    return seen


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_hostile_zalo(world: World, case: Case) -> None:
    await world.idle()
    before = snapshot(world.data)
    start = len(world.fake.calls)
    await case.act(world)
    await world.idle()
    after = snapshot(world.data)
    person = world.people.get(case.chat)
    seen = replies(world.fake, person.id if person else None, start)
    everything = replies(world.fake, None, start) if case.silent else seen
    if case.silent:
        assert [c.method for c in world.fake.calls[start:] if c.method not in ("getUpdates",)] == []
    joined = "\n".join(everything)
    for expected in case.replies:
        assert expected in joined, (expected, everything)
    if case.replies:
        assert seen, "no reply"
    assert t("error-sorry") not in joined
    assert all(text.strip() for text in seen)
    assert world.fake.token not in joined and WEBHOOK_SECRET not in joined
    assert_only(before, after, case.allowed)
    if case.check is not None:
        case.check(before, after)
    # What a case left waiting is cancelled, so the next one starts clean.
    for key in ("binh", "lan"):
        await world.text(key, "/huy")
    await world.idle()


@pytest.mark.asyncio(loop_scope="module")
async def test_the_suite_is_big_enough() -> None:
    assert len(CASES) >= 25 and len({case.id for case in CASES}) == len(CASES)
