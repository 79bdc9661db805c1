"""Hostile input through the fake Telegram Bot API, one bot per module: each case says what is
sent, what the reply must say (catalog texts) and which stored things may change."""

from __future__ import annotations

import asyncio
import sqlite3
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fakes.telegram_api import FakeTelegram, QueuedUpdate, find_api_json

from bot.app import Runtime
from bot.config import Settings
from bot.core.i18n import t
from bot.core.plan.model import Role
from hostile import worlds
from hostile.snapshot import Snapshot, assert_only, new_rows, snapshot
from storage.db import make_engine
from storage.roster import SqlRoster

pytestmark = pytest.mark.asyncio(loop_scope="module")

JSON = dict[str, Any]
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml" + bytes(64)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(120)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100)
HTML = b"<!doctype html><html><body>not a file</body></html>"
STORED = ("submission", "files")  # what an accepted file changes
ASKED = ("pending_step",)  # what a question waiting for an answer changes


@dataclass
class World:
    fake: FakeTelegram
    data: Path
    url: str
    runtime: Runtime
    people: dict[str, JSON] = field(default_factory=dict)
    seen: list[QueuedUpdate] = field(default_factory=list)

    async def idle(self) -> None:
        """Wait until every update queued so far was fetched and handled: PTB's queue empty and
        no update in hand, several times in a row."""
        for update in self.seen:
            if self.fake._allowed(update):  # the rest the bot never asks for
                await self.fake.wait_served(update)
        self.seen.clear()
        (platform,) = [p for p in self.runtime.platforms if hasattr(p, "application")]
        application = platform.application
        calm = 0
        while calm < 3:
            await asyncio.sleep(0.01)
            busy = (
                not application.update_queue.empty()
                or application.update_processor.current_concurrent_updates > 0
            )
            calm = 0 if busy else calm + 1

    def track(self, queued: QueuedUpdate | None) -> None:
        if queued is not None:
            self.seen.append(queued)

    async def text(self, who: str, text: str, chat: JSON | None = None) -> JSON:
        message = await self.fake.send_text(self.people[who], text, chat)
        self.track(message.queued_update)
        return message

    async def document(
        self,
        who: str,
        content: bytes | None,
        name: str | None,
        *,
        mime: str | None = None,
        size: int | None = None,
        caption: str | None = None,
    ) -> JSON:
        ref = self.fake.add_file(content, size=size, file_name=name, mime_type=mime)
        message = await self.fake.send_document(self.people[who], ref, caption=caption)
        self.track(message.queued_update)
        return message

    async def raw(self, update: JSON) -> None:
        self.track(await self.fake.queue_update(update))

    async def press(self, who: str, message: JSON, data: str) -> str:
        query_id = f"q-{who}-{message['message_id']}-{len(self.seen)}"
        await self.raw(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.people[who],
                    "message": message,
                    "chat_instance": "1",
                    "data": data,
                }
            }
        )
        return query_id

    async def question(self, who: str, text: str) -> JSON:
        """Send a text report and return the bot's question with its buttons."""
        await self.text(who, text)
        return await self.fake.wait_for_message(self.people[who]["id"], contains="Nộp")

    async def contact_id(self, who: str) -> int:
        with sqlite3.connect(self.data / "baocao.db") as connection:
            (row,) = connection.execute(
                "SELECT id FROM contact WHERE platform = 'telegram' AND user_id = ?",
                (str(self.people[who]["id"]),),
            ).fetchall()
        connection.close()
        return int(row[0])


def buttons(message: JSON) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button["callback_data"] for row in rows for button in row]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    data = tmp_path_factory.mktemp("hostile-telegram") / "data"
    url = await worlds.department(data)
    async with FakeTelegram(bot_username="baocao_so_bot") as fake:
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            data_dir=data,
            database_url=url,
            admins=[],
            reminder_tick=60,
        )
        runtime = Runtime(config, poll_timeout=1)
        await runtime.start()
        try:
            await fake.wait_polling()
            here = World(fake, data, url, runtime)
            for key, (uid, name, unit, role) in {
                "binh": (1002, "Bình", "phong-b", Role.HEAD),
                "lan": (1001, "Lan", "phong-a", Role.HEAD),
                "mai": (1005, "Mai", "van-phong", Role.OFFICE),
                "chi": (1009, "Chi", "phong-a", Role.HEAD),
                "burst": (1010, "Hùng", "phong-b", Role.HEAD),
            }.items():
                here.people[key] = fake.user(uid, name)
                code = await worlds.invite(url, unit, role)
                await fake.send_text(here.people[key], f"/start {code}")
                await fake.wait_for_message(uid, contains="Chào")
            here.people["stranger"] = fake.user(2001, "Người lạ")
            here.people["bot"] = {"id": 3001, "is_bot": True, "first_name": "Bot khác"}
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
    silent: bool = False  # nothing at all may be sent
    allowed: tuple[str, ...] = ()  # the stored things that may change
    check: Callable[[Snapshot, Snapshot], None] | None = None
    chat: str = "binh"  # whose private chat the replies are read in


def stored_name(expected: str) -> Callable[[Snapshot, Snapshot], None]:
    def check(before: Snapshot, after: Snapshot) -> None:
        (row,) = new_rows(before, after, "submission")
        names = [value for value in row if isinstance(value, str) and value.endswith(".pdf")]
        assert expected in names, row
        paths = [p for p, _ in after["files"] if (p, _) not in before["files"]]
        assert paths and all(p.startswith("files/") and ".." not in p for p in paths), paths

    return check


def nothing_stored(before: Snapshot, after: Snapshot) -> None:
    assert new_rows(before, after, "submission") == []


def doc(content: bytes | None, name: str | None, **kw: Any) -> Act:
    return lambda w: w.document("binh", content, name, **kw)


def say(text: str, who: str = "binh") -> Act:
    return lambda w: w.text(who, text)


async def forged(w: World, data: str) -> None:
    message = w.fake.sent_messages(w.people["binh"]["id"])[-1]
    await w.press("binh", message, data)


async def stale_button(w: World) -> None:
    question = await w.question("binh", "Nội dung cũ")
    await w.text("binh", "/huy")
    await w.idle()
    await w.press("binh", question, buttons(question)[0])


async def someone_elses_button(w: World) -> None:
    question = await w.question("lan", "Của Phòng A")
    await w.press("binh", question, buttons(question)[0])
    await w.idle()
    await w.text("lan", "/huy")


async def edited_command(w: World) -> None:
    sent = await w.text("binh", "/lich")
    await w.idle()
    edited = {k: v for k, v in sent.items() if k != "entities"} | {
        "text": "/tinhhinh bc-quy",
        "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
        "edit_date": sent["date"] + 1,
    }
    await w.raw({"edited_message": edited})


async def channel_post(w: World, *, edited: bool = False) -> None:
    channel = w.fake.channel(-1009001, "Kênh lạ")
    post = {
        "message_id": 7,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": channel,
        "sender_chat": channel,
        "text": "/tinhhinh bc-quy",
    }
    if edited:
        post["edit_date"] = post["date"] + 1
    await w.raw({"edited_channel_post" if edited else "channel_post": post})


async def from_a_bot(w: World) -> None:
    message = {
        "message_id": 99,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": w.fake.private_chat(w.people["binh"]),
        "from": w.people["bot"],
        "text": "Báo cáo giả từ một bot",
    }
    await w.raw({"message": message})


async def unknown_group(w: World) -> None:
    group = w.fake.group_chat(-100777, "Nhóm lạ")
    await w.text("stranger", "/tinhhinh bc-quy", group)


async def unknown_private_chat(w: World) -> None:
    # A chat id the bot never saw, with a sender who never started it.
    ghost = w.fake.user(2999, "Ma")
    w.people["ghost"] = ghost
    message = {
        "message_id": 1,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": {"id": 2999, "type": "private", "first_name": "Ma"},
        "from": ghost,
        "text": "Phòng ma nộp báo cáo",
    }
    await w.raw({"message": message})


async def removed_mid_conversation(w: World) -> None:
    question = await w.question("chi", "Phòng A báo cáo quý")
    engine = make_engine(w.url)
    try:
        await SqlRoster(engine).remove_contact(
            contact_id=await w.contact_id("chi"), now=datetime.now(UTC)
        )
    finally:
        await engine.dispose()
    await w.press("chi", question, buttons(question)[0])


async def plan_changed_mid_submission(w: World) -> None:
    question = await w.question("lan", "Phòng A báo cáo chuyên đề")
    thematic = [data for data in buttons(question)][1]
    await worlds.reapply(w.url, with_thematic=False)
    try:
        await w.press("lan", question, thematic)
        await w.idle()
    finally:
        await worlds.reapply(w.url, with_thematic=True)
    await w.text("lan", "/huy")


async def burst(w: World) -> None:
    """200 messages within 10 s from one person, as a stuck client or a script sends them."""
    person = w.people["burst"]
    for i in range(200):
        message = await w.fake.send_text(person, f"Tin số {i}")
        w.track(message.queued_update)
    await w.idle()
    await w.text("burst", "/huy")


NFD_NAME = unicodedata.normalize("NFD", "Báo cáo quý Phòng B.pdf")
LONG_NAME = "bao-cao-" + "ệ" * 300 + ".pdf"

CASES: list[Case] = [
    # --- files: size -------------------------------------------------------------------
    Case("zero-byte-pdf", doc(b"", "rong.pdf"), (t("submit-file-empty"),)),
    Case("zero-byte-no-name", doc(b"", None), (t("submit-file-type", name="?"),)),
    Case(
        "oversized-25mb",
        doc(None, "ho-so.pdf", size=25 * 1024 * 1024),
        (t("submit-file-too-big", size="25", limit="20").split("(")[0],),
        allowed=("web_link",),
    ),
    Case(
        "oversized-exactly-20mb-plus-1",
        doc(None, "ho-so.pdf", size=20 * 1024 * 1024 + 1),
        ("Tệp quá lớn",),
        allowed=("web_link",),
    ),
    # --- files: lying extensions and MIME types ----------------------------------------
    Case(
        "exe-named-pdf",
        doc(EXE, "bao-cao.pdf", mime="application/pdf"),
        (t("submit-file-lies", name="bao-cao.pdf", kind="PDF"),),
    ),
    Case(
        "html-named-docx",
        doc(HTML, "bao-cao.docx"),
        (t("submit-file-lies", name="bao-cao.docx", kind="DOCX"),),
    ),
    Case(
        "pdf-named-docx",
        doc(PDF, "bao-cao.docx"),
        (t("submit-file-lies", name="bao-cao.docx", kind="DOCX"),),
    ),
    Case(
        "zip-named-xls",
        doc(DOCX, "so-lieu.xls"),
        (t("submit-file-lies", name="so-lieu.xls", kind="XLS"),),
    ),
    Case(
        "ole-named-xlsx",
        doc(OLE, "so-lieu.xlsx"),
        (t("submit-file-lies", name="so-lieu.xlsx", kind="XLSX"),),
    ),
    Case(
        "jpeg-named-png", doc(JPEG, "anh.png"), (t("submit-file-lies", name="anh.png", kind="PNG"),)
    ),
    Case(
        "text-named-zip",
        doc(b"just words", "ho-so.zip"),
        (t("submit-file-lies", name="ho-so.zip", kind="ZIP"),),
    ),
    Case(
        "upper-case-extension-lies",
        doc(EXE, "BAO-CAO.PDF"),
        (t("submit-file-lies", name="BAO-CAO.PDF", kind="PDF"),),
    ),
    Case("exe-extension", doc(EXE, "setup.exe"), (t("submit-file-type", name="setup.exe"),)),
    Case(
        "double-extension",
        doc(EXE, "bao-cao.pdf.exe"),
        (t("submit-file-type", name="bao-cao.pdf.exe"),),
    ),
    Case("no-extension", doc(PDF, "baocao"), (t("submit-file-type", name="baocao"),)),
    Case(
        "html-extension-pdf-mime",
        doc(HTML, "trang.html", mime="application/pdf"),
        (t("submit-file-type", name="trang.html"),),
    ),
    Case(
        "real-pdf-lying-mime",
        doc(PDF, "that.pdf", mime="application/x-msdownload"),
        ("Biên nhận", "tệp «that.pdf»"),
        allowed=STORED,
        check=stored_name("that.pdf"),
    ),
    Case("real-docx-no-mime", doc(DOCX, "that.docx"), ("Biên nhận",), allowed=STORED),
    # --- files: names ------------------------------------------------------------------
    Case(
        "name-dot-dot-slash",
        doc(PDF, "../../etc/passwd.pdf"),
        ("Biên nhận",),
        allowed=STORED,
        check=stored_name("passwd.pdf"),
    ),
    Case(
        "name-backslashes",
        doc(PDF, "..\\..\\Windows\\bao-cao.pdf"),
        ("Biên nhận",),
        allowed=STORED,
        check=stored_name("bao-cao.pdf"),
    ),
    Case(
        "name-nul",
        doc(PDF, "bao\x00cao.pdf"),
        ("Biên nhận", "«baocao.pdf»"),
        allowed=STORED,
        check=stored_name("baocao.pdf"),
    ),
    Case("name-300-characters", doc(PDF, LONG_NAME), ("Biên nhận",), allowed=STORED),
    Case(
        "name-nfd-vietnamese",
        doc(PDF, NFD_NAME),
        ("Biên nhận", "«Báo cáo quý Phòng B.pdf»"),
        allowed=STORED,
        check=stored_name("Báo cáo quý Phòng B.pdf"),
    ),
    Case(
        "name-emoji",
        doc(PDF, "📊 báo cáo 👍.pdf"),
        ("Biên nhận", "📊 báo cáo 👍.pdf"),
        allowed=STORED,
    ),
    Case(
        "name-right-to-left",
        doc(PDF, "تقرير\u202egpj.pdf"),
        ("Biên nhận", "«تقريرgpj.pdf»"),
        allowed=STORED,
    ),
    Case("name-only-dots", doc(PDF, "...pdf"), (t("submit-file-type", name="pdf"),)),
    Case("photo-that-is-html", lambda w: photo(w, HTML), (t("submit-photo-lies"),)),
    Case(
        "photo-real",
        lambda w: photo(w, JPEG),
        ("Biên nhận", t("receipt-what-photo")),
        allowed=STORED,
    ),
    # --- text ----------------------------------------------------------------------------
    Case(
        "text-10000-characters",
        say("x" * 10_000),
        (t("submit-text-too-long", length=10_000, limit=4000).split(",")[0],),
    ),
    Case("text-only-invisible", say("\u200b\u200c\u2060 \u200b"), (t("submit-invisible"),)),
    Case(
        "text-nul-and-rtl",
        say("Báo\x00 cáo \u202eđảo chiều"),
        (t("submit-text-confirm", name="Báo cáo quý"),),
        allowed=ASKED,
    ),
    Case(
        "text-nfd",
        say(unicodedata.normalize("NFD", "Đã hoàn thành kế hoạch")),
        (t("submit-text-confirm", name="Báo cáo quý"),),
        allowed=ASKED,
    ),
    Case(
        "text-emoji-only",
        say("📊📈✅"),
        (t("submit-text-confirm", name="Báo cáo quý"),),
        allowed=ASKED,
    ),
    Case("burst-200-in-10s", burst, (), chat="burst", allowed=ASKED, check=nothing_stored),
    # --- commands --------------------------------------------------------------------------
    Case("start-with-extra-args", say("/start ABC DEF ../x"), (t("start-unknown"),)),
    Case(
        "start-garbage-code-stranger",
        say("/start ' OR 1=1 --", "stranger"),
        (t("start-unknown"),),
        chat="stranger",
    ),
    Case("huy-with-args", say("/huy tat ca ngay"), (t("cancel-nothing"),)),
    Case("baocao-with-args", say("/baocao bc-quy 1 2 3"), ("Báo cáo Phòng B cần nộp",)),
    Case("lich-with-args", say("/lich 01/01/1900"), (t("upcoming-title"),)),
    Case("huongdan-with-args", say("/huongdan " + "x" * 500), ("/baocao",)),
    Case("tinhhinh-by-a-head", say("/tinhhinh bc-quy"), (t("status-not-allowed"),)),
    Case(
        "tinhhinh-unknown-report-nul",
        say("/tinhhinh bc\x00quy", "mai"),
        ("Không có báo cáo nào mã",),
        chat="mai",
    ),
    Case("unknown-command-args", say("/xoahet --force"), (t("unknown-command"),)),
    Case("command-for-another-bot", say("/start@otherbot abc"), (), silent=True),
    Case("nhom-in-private", say("/nhom", "mai"), (t("group-only-in-group"),), chat="mai"),
    # --- buttons ---------------------------------------------------------------------------
    Case(
        "forged-callback-unknown-report",
        lambda w: forged(w, "r:999999"),
        (t("reminder-report-closed"),),
    ),
    Case("forged-callback-garbage", lambda w: forged(w, "\x00💣' OR 1=1"), (t("button-invalid"),)),
    Case("forged-callback-64-bytes", lambda w: forged(w, "s:" + "9" * 62), ()),
    Case("stale-callback", stale_button, (t("button-stale"),), allowed=()),
    Case("someone-elses-button", someone_elses_button, (t("button-stale"),)),
    # --- updates the bot must not act on -------------------------------------------------
    Case("channel-post", lambda w: channel_post(w), silent=True),
    Case("edited-channel-post", lambda w: channel_post(w, edited=True), silent=True),
    Case("message-from-a-bot", from_a_bot, silent=True),
    Case("unknown-group", unknown_group, silent=True),
    Case(
        "unknown-private-chat", unknown_private_chat, (t("stranger").split("!")[0],), chat="ghost"
    ),
    Case(
        "stranger-sends-a-file",
        lambda w: w.document("stranger", PDF, "bc.pdf"),
        (t("stranger").split("!")[0],),
        chat="stranger",
    ),
    Case("edited-command", edited_command, ()),
    # --- the world changes under a conversation ------------------------------------------
    Case(
        "contact-removed-mid-conversation",
        removed_mid_conversation,
        (),
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
]


async def photo(w: World, content: bytes) -> None:
    ref = w.fake.add_file(content, mime_type="image/jpeg")
    message = await w.fake.send_photo(w.people["binh"], ref)
    w.track(message.queued_update)


def replies(fake: FakeTelegram, chat_id: int, since: int) -> list[str]:
    """What the person saw since call #`since`: messages, edits and button notices."""
    seen = []
    for call in fake.calls[since:]:
        if not call.ok:
            continue
        params = call.params
        if call.method in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto"):
            if str(params.get("chat_id")) == str(chat_id):
                seen.append(params.get("text") or params.get("caption") or "")
        elif call.method == "answerCallbackQuery" and params.get("text"):
            seen.append(params["text"])
    return seen


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_hostile_telegram(world: World, case: Case) -> None:
    await world.idle()
    before = snapshot(world.data)
    start = len(world.fake.calls)
    await case.act(world)
    await world.idle()
    after = snapshot(world.data)
    person = world.people.get(case.chat)
    seen = replies(world.fake, person["id"] if person else 0, start)
    everything = replies(world.fake, 0, start) if case.silent else seen
    if case.silent:
        assert [c.method for c in world.fake.calls[start:] if c.method != "getUpdates"] == []
    joined = "\n".join(everything)
    for expected in case.replies:
        assert expected in joined, (expected, everything)
    assert t("error-sorry") not in joined
    assert all(text.strip() for text in seen)
    assert world.fake.token not in joined
    assert_only(before, after, case.allowed)
    if case.check is not None:
        case.check(before, after)
    # What a case left waiting is cancelled, so the next one starts clean.
    for key in ("binh", "lan"):
        await world.text(key, "/huy")
    await world.idle()


@pytest.mark.asyncio(loop_scope="module")
async def test_the_suite_is_big_enough() -> None:
    assert len(CASES) >= 45 and len({case.id for case in CASES}) == len(CASES)
