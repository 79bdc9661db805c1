"""A strict in-process fake Zalo Bot API: passing against it means speaking the real one.

It listens on 127.0.0.1 over HTTP (aiohttp) on a random port, answers the documented methods with
the shapes Zalo documents, and rejects anything the real API does not describe. Tests drive it
from the user's side (``send_text``, ``send_image``...) and observe the bot (``calls``,
``messages_to``, ``wait_for_message``...). ``tests/`` is on pytest's pythonpath, so tests import
it as ``from fakes.zalo_api import FakeZalo, ZaloUser`` (like ``fakes.telegram_api``). Usage::

    async with FakeZalo() as fake:                      # token=DEFAULT_TOKEN
        client = MyZaloClient(token=fake.token, api_url=fake.api_url)
        alice = fake.user("a1b2c3d4e5f6", "Nguyễn Văn A")
        mid = await fake.send_text(alice, "ABC123")     # queued as message.text.received
        reply = await fake.wait_for_message(alice.id, contains="Chào")
        fake.assert_clean()

The API, as public sources show it (docs copies of bot.zaloplatforms.com/docs, the openclaw Zalo
extension, zalo-bot-js, python-zalo-bot), and where they disagree the fake offers both forms:

- ``POST {api_url}/bot{TOKEN}/{method}`` with a JSON body. Answers ``{"ok": true, "result": ...}``
  or ``{"ok": false, "error_code": int, "description": str}``.
- ``getUpdates {"timeout"}``: ONE update object per call, never a list; ``timeout`` is a String in
  the docs and openclaw sends ``"30"``, others send 30: both are accepted (a float too), capped at
  ``max_poll_timeout`` (30 s), default 30. Nothing within the timeout:
  ``{"ok": false, "error_code": 408, "description": "Request timeout"}`` with HTTP status 200;
  set ``fake.timeout_status = 408`` for the HTTP-408 form. Two concurrent polls are allowed; each
  update goes to exactly one of them.
- Updates: ``{"event_name": ..., "message": {"message_id", "date" (ms), "from": {"id",
  <sender_name_field>, "is_bot": false}, "chat": {"id", "chat_type": "PRIVATE"}, ...}}``. The
  sender's name is ``display_name`` (zalo-bot-js docs) by default; ``fake.sender_name_field =
  "name"`` (openclaw) or ``"first_name"`` (the docs' getUpdates sample) switches. An image is
  ``photo_url`` (python-zalo-bot, zalo-bot-js code) or ``photo`` (the docs, openclaw): choose with
  ``fake.image_field`` (or per call). A protected user's every message arrives as
  ``message.unsupported.received`` without content.
- Webhook: ``setWebhook {"url", "secret_token"}`` (both required, secret 8..256 characters) ->
  ``{"url", "updated_at"}``; ``deleteWebhook {}`` -> ``{"url": "", "updated_at"}``;
  ``getWebhookInfo {}`` -> ``{"url", "updated_at"}``. Deliveries are POSTs with header
  ``X-Bot-Api-Secret-Token``; the body is the bare update, or ``{"ok": true, "result": update}``
  with ``fake.webhook_wrapped = True`` (zalo-bot-js documents that form).
- ``sendMessage {"chat_id", "text" 1..2000}``, ``sendPhoto {"chat_id", "photo" URL, "caption"?
  1..2000}``, ``sendSticker {"chat_id", "sticker"}`` -> ``{"message_id", "date"}``;
  ``sendChatAction {"chat_id", "action": "typing" | "upload_photo"}`` -> ``{"ok": true}`` with no
  ``result`` at all, as the docs' sample shows.
- ``getMe {}`` -> ``fake.bot_info``: ``{"id", "account_name", "account_type", "can_join_groups"}``
  as documented; clients also read ``name``/``display_name``: set ``fake.bot_info`` to test those.

What counts as breaking the API (answered ``ok: false`` AND recorded in ``fake.rejected``, so that
``assert_clean()`` fails): an unknown method (404; names are case-sensitive); a wrong token in the
path (401); an HTTP verb other than POST (405: the docs say POST for every method; some READMEs
``curl -X GET getMe`` and the real server may allow it, but a client must not rely on it); a body
that is not a JSON object sent as ``application/json`` (400; an empty body counts as ``{}``); a
missing required field, an unknown field, a value of the wrong type (every field is a string
except ``timeout``; ``null`` is a wrong type) (400); ``text`` empty, blank or longer than 2,000,
``caption`` empty or longer than 2,000 (lengths are counted in UTF-16 code units, as a Java or
JavaScript server would: never less than Python's ``len``) (400); an unknown chat action (400);
``secret_token`` outside 8..256 characters or with characters an HTTP header cannot carry
(printable ASCII without spaces is required here; the real rule is undocumented) (400); a webhook
url that is not https (400; ``http://127.0.0.1`` and ``http://localhost`` are allowed for tests and
recorded in ``fake.insecure_webhooks``); a ``photo`` that is not an http(s) URL (400); a
``chat_id`` of a chat that never wrote to the bot (400; a chat is known once any update from it
was queued); getUpdates while a webhook is set (409,
like Telegram's conflict; the real code is undocumented). A crash of the fake itself answers 500
and is recorded too.

Faults a test scripts are not violations: ``expire_token()`` (401 everywhere), ``rate_limit(n)``
(429 with ``parameters.retry_after`` and a ``Retry-After`` header, or only one of them, or
neither), ``fail_next(method, ...)``, ``block(user)`` (sends to them answer error_code 403,
"User has blocked the bot": the real answer is undocumented; 403 is what the adapter maps to an
unreachable person), ``fail_next_download()``. Error answers carry the error code as HTTP status
(like Telegram) unless ``fake.errors_as_http_200 = True``; the 408 of getUpdates follows
``timeout_status``.

Webhook delivery: after setWebhook, every queued update (and each new one) is POSTed, one at a
time by default (``webhook_concurrency``), to the url (or to ``fake.webhook_target`` when a test
registers an https url it cannot serve). Each answer's HTTP status goes to
``fake.webhook_answers`` (0 when there was no answer: refused, reset, timed out). A non-2xx answer
is retried ``webhook_retries`` times (3) after ``webhook_retry_delay`` seconds (0.05), doubling;
after that the update is given up and kept in ``fake.webhook_dropped``.

sendPhoto: the fake GETs the URL as Zalo's servers do and records the bytes, or None when the
fetch fails or the body is not an image (JPEG, PNG, GIF or WebP by its first bytes), in
``photo_bytes(chat_id)``. Whether the real API then answers ``ok: false`` is undocumented:
``fake.photo_fetch_failure_is_error`` (False) switches; either way the failure is kept in
``fake.photo_failures`` and ``assert_clean()`` reports it (clear the list when a test expects it).

Images users send are served by the fake at ``{api_url}/files/<random>.jpg`` (image/jpeg).

Additions to the shared interface (all optional): ``DEFAULT_TOKEN``; ``Call`` (unpacks as
``(method, body, answer)`` and also has ``status``, ``reason``); ``user(..., protected=True)``;
``send_image(..., field=...)``; ``send_sticker(user, sticker=...)``; ``build_update(...)``;
``discard_pending()``; ``add_file()``; ``calls_to()``; ``unblock``, ``restore_token``,
``fail_next(..., times, retry_after, http_status)``, ``rate_limit(..., form=...)``,
``fail_next_download``; ``latency``, ``timeout_status``, ``errors_as_http_200``,
``image_field``, ``sender_name_field``, ``webhook_wrapped``, ``webhook_target``,
``webhook_retries``, ``webhook_retry_delay``, ``webhook_timeout``,
``photo_fetch_failure_is_error``, ``bot_info``; ``webhook_url``, ``webhook_secret``,
``insecure_webhooks``, ``webhook_dropped``, ``photo_failures``, ``downloads``, ``held_polls``,
``pending``; ``mark()``, ``pop_rejected()``, ``wait_for_photo()``, ``wait_polling()``,
``wait_drained()``, ``wait_webhook_answers()``. ``wait_for_message`` and ``wait_for_photo``
look at what the bot sent to the chat since the user's last message (or ``mark()``) unless given
``since`` (``since=0``: everything).

Cost per request is a few dictionary lookups and list appends (per-chat lists, no copies), so a
benchmark can push thousands of messages through it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

JSON = dict[str, Any]

DEFAULT_TOKEN = "1459232241454765289:FakeZaloBotTokenForTests-baocao"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_LIMIT = 2000
CAPTION_LIMIT = 2000
SECRET_MIN, SECRET_MAX = 8, 256
MAX_POLL_TIMEOUT = 30.0
DEFAULT_POLL_TIMEOUT = 30.0  # the docs' default when no timeout is sent
PHOTO_FETCH_LIMIT = 10 * 1024 * 1024

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"

SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendChatAction"})
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
BLOCKED_CODE, BLOCKED_DESCRIPTION = 403, "User has blocked the bot"

# method -> (required fields, optional fields), from the docs' parameter tables.
METHODS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "getMe": (frozenset(), frozenset()),
    "getUpdates": (frozenset(), frozenset({"timeout"})),
    "setWebhook": (frozenset({"url", "secret_token"}), frozenset()),
    "deleteWebhook": (frozenset(), frozenset()),
    "getWebhookInfo": (frozenset(), frozenset()),
    "sendMessage": (frozenset({"chat_id", "text"}), frozenset()),
    "sendPhoto": (frozenset({"chat_id", "photo"}), frozenset({"caption"})),
    "sendSticker": (frozenset({"chat_id", "sticker"}), frozenset()),
    "sendChatAction": (frozenset({"chat_id", "action"}), frozenset()),
}

PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

_NO_RESULT = object()  # a success answered as {"ok": true} alone (sendChatAction)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def is_image(data: bytes) -> bool:
    """True for JPEG, PNG, GIF and WebP data, judged by the first bytes."""
    return (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or data.startswith((b"GIF87a", b"GIF89a"))
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    )


# --------------------------------------------------------------------------------------------
# Records the tests look at
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZaloUser:
    """A Zalo person; ``protected`` ones (minors...) reach bots only as unsupported messages."""

    id: str
    name: str
    protected: bool = False


@dataclass(eq=False)
class Call:
    """One request to the API as the fake answered it; unpacks as ``(method, body, answer)``."""

    method: str  # as requested (the path's last part)
    body: JSON  # the parsed JSON body; {} when it could not be parsed
    answer: JSON  # the JSON answered
    status: int  # the HTTP status answered
    reason: str | None = None  # why it broke the API, for rejected calls

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.body, self.answer))

    @property
    def ok(self) -> bool:
        return bool(self.answer.get("ok"))

    def __repr__(self) -> str:
        body = {k: (v if len(repr(v)) < 80 else repr(v)[:77] + "...") for k, v in self.body.items()}
        why = f" ({self.reason})" if self.reason else ""
        return f"<Call {self.method} {body} -> {self.status} {self.answer}{why}>"


class ApiError(Exception):
    """An ``ok: false`` answer; ``violation`` says how the request broke the API, if it did."""

    def __init__(
        self,
        error_code: int,
        description: str,
        *,
        violation: str | None = None,
        http_status: int | None = None,
        parameters: JSON | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.violation = violation
        self.http_status = http_status
        self.parameters = parameters
        self.headers = headers or {}

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}", violation=reason)


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    http_status: int | None


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class FakeZalo:
    """A fake Zalo Bot API on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        clock: Callable[[], float] = time.time,
        max_poll_timeout: float = MAX_POLL_TIMEOUT,
        webhook_concurrency: int = 1,
    ) -> None:
        self.token = token
        self.clock = clock
        self.max_poll_timeout = max_poll_timeout
        bot_id = token.split(":", 1)[0]
        self.bot_info: JSON = {
            "id": bot_id if bot_id.isdigit() else "1459232241454765289",
            "account_name": "bot.baocao",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

        # switches
        self.latency = 0.0  # seconds added to every answer
        self.timeout_status = 200  # HTTP status of getUpdates' 408 answer (200 or 408)
        self.errors_as_http_200 = False
        self.image_field: Literal["photo_url", "photo"] = "photo_url"
        self.sender_name_field: Literal["display_name", "name", "first_name"] = "display_name"
        self.webhook_wrapped = False
        self.webhook_target: str | None = None  # deliver here instead of the registered url
        self.webhook_retries = 3
        self.webhook_retry_delay = 0.05
        self.webhook_timeout = 10.0
        self.photo_fetch_failure_is_error = False

        # observations
        self.calls: list[Call] = []
        self.rejected: list[Call] = []
        self.webhook_answers: list[int] = []
        self.webhook_dropped: list[JSON] = []
        self.insecure_webhooks: list[str] = []
        self.photo_failures: list[str] = []  # photo URLs the fake could not fetch as an image
        self.downloads: list[tuple[str, int]] = []  # (file name, HTTP status) served
        self.webhook_url = ""
        self.webhook_secret = ""
        self.held_polls = 0

        self._webhook_updated_at = 0
        self._webhook_concurrency = webhook_concurrency
        self._pending: deque[JSON] = deque()
        self._in_flight = 0
        self._users: dict[str, ZaloUser] = {}
        self._known_chats: set[str] = set()
        self._blocked: set[str] = set()
        self._by_message_id: dict[str, JSON] = {}
        self._calls_by_method: dict[str, list[Call]] = {}
        self._messages: dict[str, list[JSON]] = {}
        self._photos: dict[str, list[JSON]] = {}
        self._photo_bytes: dict[str, list[bytes | None]] = {}
        self._message_marks: dict[str, int] = {}
        self._photo_marks: dict[str, int] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._download_failures: deque[int] = deque()
        self._failures: dict[str, deque[_Failure]] = {}
        self._rate_limited = 0
        self._rate_retry_after = 1
        self._rate_form = "both"
        self._expired = False
        self._id_prefix = secrets.token_hex(4)
        self._ids = itertools.count(1)
        self._closing = False
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._workers: list[asyncio.Task[None]] = []
        self.port = 0

    # ---- lifecycle ----------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """What a client uses instead of https://bot-api.zaloplatforms.com."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeZalo:
        self._cond = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/files/{name}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = aiohttp.ClientSession()
        self._workers = [
            asyncio.create_task(self._webhook_worker()) for _ in range(self._webhook_concurrency)
        ]
        return self

    async def stop(self) -> None:
        """Stop serving; held polls answer 408 at once, webhook delivery stops."""
        if self._runner is None:
            return
        self._closing = True
        await self._notify()
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []
        runner, self._runner = self._runner, None
        await runner.cleanup()
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> FakeZalo:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the user's side ------------------------------------------------------------------

    def user(self, id: str, name: str, *, protected: bool = False) -> ZaloUser:
        """A Zalo person the bot has not heard from yet."""
        person = ZaloUser(id, name, protected)
        self._users[id] = person
        return person

    def build_update(
        self,
        user: ZaloUser,
        event_name: str,
        content: JSON | None = None,
    ) -> JSON:
        """An update from ``user`` as Zalo would send it, without queueing it (for
        ``deliver_webhook``); a protected user's update is always unsupported, without content."""
        message: JSON = {
            "message_id": self._new_id(),
            "date": self._now_ms(),
            "from": {"id": user.id, self.sender_name_field: user.name, "is_bot": False},
            "chat": {"id": user.id, "chat_type": "PRIVATE"},
        }
        if user.protected:
            event_name = EVENT_UNSUPPORTED
        elif content:
            message.update(content)
        return {"event_name": event_name, "message": message}

    async def send_text(self, user: ZaloUser, text: str) -> str:
        """``user`` writes ``text``; returns the message_id."""
        return await self._queue_from(user, self.build_update(user, EVENT_TEXT, {"text": text}))

    async def send_image(
        self,
        user: ZaloUser,
        data: bytes,
        caption: str | None = None,
        *,
        field: Literal["photo_url", "photo"] | None = None,
    ) -> str:
        """``user`` sends a picture, served by the fake at ``{api_url}/files/<random>.jpg``."""
        url = self.add_file(data, ".jpg", "image/jpeg")
        content: JSON = {field or self.image_field: url}
        if caption is not None:
            content["caption"] = caption
        return await self._queue_from(user, self.build_update(user, EVENT_IMAGE, content))

    async def send_sticker(self, user: ZaloUser, sticker: str | None = None) -> str:
        """``user`` sends a sticker (an id and the url of its picture)."""
        content = {
            "sticker": sticker or secrets.token_hex(10),
            "url": self.add_file(PNG_1x1, ".png", "image/png"),
        }
        return await self._queue_from(user, self.build_update(user, EVENT_STICKER, content))

    async def send_unsupported(self, user: ZaloUser) -> str:
        """``user`` sends what bots cannot receive (a file, a location...)."""
        return await self._queue_from(user, self.build_update(user, EVENT_UNSUPPORTED))

    async def send_raw(self, update: JSON) -> str | None:
        """Queue any update as it is; returns its message_id if it has one."""
        message = update.get("message")
        message_id = None
        chat_id = None
        if isinstance(message, dict):
            message_id = message.get("message_id")
            chat = message.get("chat")
            if isinstance(chat, dict):
                chat_id = chat.get("id")
        if isinstance(message_id, str):
            self._by_message_id[message_id] = update
        await self._queue(update, chat_id if isinstance(chat_id, str) else None)
        return message_id if isinstance(message_id, str) else None

    async def redeliver(self, message_id: str) -> None:
        """Queue the update that carried ``message_id`` once more, unchanged."""
        update = self._by_message_id[message_id]
        chat_id = update["message"]["chat"]["id"]
        await self._queue(update, chat_id if isinstance(chat_id, str) else None)

    def discard_pending(self) -> int:
        """Forget the queued updates, as if another client had taken them; returns how many."""
        count = len(self._pending)
        self._pending.clear()
        return count

    def add_file(self, data: bytes, suffix: str = ".jpg", content_type: str = "image/jpeg") -> str:
        """Serve ``data`` at a new unguessable URL of the fake; returns the URL."""
        name = secrets.token_hex(12) + suffix
        self._files[name] = (data, content_type)
        return f"{self.api_url}/files/{name}"

    def block(self, user: ZaloUser) -> None:
        """``user`` blocks the bot: sends to them answer 403."""
        self._blocked.add(user.id)

    def unblock(self, user: ZaloUser) -> None:
        self._blocked.discard(user.id)

    # ---- faults -------------------------------------------------------------------------

    def rate_limit(
        self,
        n: int,
        retry_after: int = 1,
        *,
        form: Literal["both", "parameters", "header", "none"] = "both",
    ) -> None:
        """The next ``n`` valid send* calls answer 429; ``form`` says where ``retry_after`` goes
        (``parameters.retry_after``, a ``Retry-After`` header, both or neither)."""
        self._rate_limited = n
        self._rate_retry_after = retry_after
        self._rate_form = form

    def expire_token(self) -> None:
        """Every call answers 401 from now on."""
        self._expired = True

    def restore_token(self) -> None:
        self._expired = False

    def fail_next(
        self,
        method: str,
        error_code: int = 400,
        description: str | None = None,
        *,
        times: int = 1,
        retry_after: int | None = None,
        http_status: int | None = None,
    ) -> None:
        """Answer the next ``times`` valid calls of ``method`` with an error; they have no
        effect. ``http_status`` defaults to ``error_code``."""
        if description is None:
            description = {
                400: "Bad Request",
                401: "Unauthorized",
                403: "Forbidden",
                404: "Not Found",
                429: "Too Many Requests",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(error_code, f"Error {error_code}")
        self._failures.setdefault(method, deque()).extend(
            _Failure(error_code, description, retry_after, http_status) for _ in range(times)
        )

    def fail_next_download(self, status: int = 404, *, times: int = 1) -> None:
        """The next ``times`` downloads of files the fake serves answer ``status``."""
        self._download_failures.extend([status] * times)

    # ---- observing the bot ----------------------------------------------------------------

    def messages_to(self, chat_id: str) -> list[JSON]:
        """The sendMessage bodies the fake accepted for ``chat_id``, in order."""
        return list(self._messages.get(chat_id, ()))

    def photos_to(self, chat_id: str) -> list[JSON]:
        """The sendPhoto bodies the fake accepted for ``chat_id``, in order."""
        return list(self._photos.get(chat_id, ()))

    def photo_bytes(self, chat_id: str) -> list[bytes | None]:
        """What the fake fetched for each accepted sendPhoto to ``chat_id`` (None: failed)."""
        return list(self._photo_bytes.get(chat_id, ()))

    def calls_to(self, method: str) -> list[Call]:
        return list(self._calls_by_method.get(method, ()))

    @property
    def pending(self) -> int:
        """Updates queued and not yet handed to a poll or a webhook delivery."""
        return len(self._pending)

    def assert_clean(self) -> None:
        """Fail if any call broke the API or a photo the bot sent could not be fetched."""
        problems = [f"{c.method}: {c.reason} -> {c.answer}" for c in self.rejected]
        problems += [
            f"sendPhoto: could not fetch an image from {url}" for url in self.photo_failures
        ]
        assert not problems, "the bot broke the Zalo Bot API:\n" + "\n".join(problems)

    def pop_rejected(self, contains: str = "") -> list[Call]:
        """Remove and return the rejected calls whose reason contains ``contains`` (expected)."""
        taken = [c for c in self.rejected if contains in (c.reason or "")]
        self.rejected = [c for c in self.rejected if contains not in (c.reason or "")]
        return taken

    def mark(self, chat_id: str | None = None) -> None:
        """Make later waits for ``chat_id`` (every chat when None) consider only what the bot
        sends from now on; a user's message does this for their chat."""
        chats = [chat_id] if chat_id is not None else set(self._messages) | set(self._photos)
        for chat in chats:
            self._message_marks[chat] = len(self._messages.get(chat, ()))
            self._photo_marks[chat] = len(self._photos.get(chat, ()))

    async def wait_for_message(
        self,
        chat_id: str,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's deadline, not an I/O timeout
        *,
        since: int | None = None,
    ) -> JSON:
        """The first sendMessage body to ``chat_id`` whose text contains ``contains``, among
        those since the user's last message (or ``mark()``, or index ``since``)."""
        sent = self._messages.setdefault(chat_id, [])
        start = self._message_marks.get(chat_id, 0) if since is None else since
        found = await self._wait(self._scanner(sent, start, "text", contains), timeout)
        if found is None:
            there = [m["text"] for m in sent]
            raise AssertionError(
                f"the bot sent no message to {chat_id} containing {contains!r} within {timeout} s"
                f" (looking from #{start}); its messages there: {there}; "
                f"rejected: {self.rejected}"
            )
        result: JSON = found
        return result

    async def wait_for_photo(
        self,
        chat_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's deadline
        *,
        since: int | None = None,
    ) -> JSON:
        """The first sendPhoto body to ``chat_id`` since the user's last message (or ``since``)."""
        sent = self._photos.setdefault(chat_id, [])
        start = self._photo_marks.get(chat_id, 0) if since is None else since
        found = await self._wait(self._scanner(sent, start, "caption", None), timeout)
        if found is None:
            raise AssertionError(
                f"the bot sent no photo to {chat_id} within {timeout} s; rejected: {self.rejected}"
            )
        result: JSON = found
        return result

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's deadline
    ) -> list[Call]:
        """Wait until ``count`` calls of ``method`` were answered; returns them all."""
        calls = self._calls_by_method.setdefault(method, [])
        if not await self._wait(lambda: len(calls) >= count or None, timeout):
            raise AssertionError(
                f"{len(calls)} {method} calls within {timeout} s, wanted {count}; "
                f"last calls: {self.calls[-10:]}"
            )
        return list(calls)

    async def wait_polling(
        self,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        count: int = 1,
    ) -> None:
        """Wait until the bot holds ``count`` getUpdates requests open."""
        if not await self._wait(lambda: self.held_polls >= count or None, timeout):
            raise AssertionError(f"{self.held_polls} getUpdates held after {timeout} s")

    async def wait_drained(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was handed out (and webhook deliveries finished)."""
        if not await self._wait(
            lambda: (not self._pending and not self._in_flight) or None, timeout
        ):
            raise AssertionError(f"{len(self._pending)} updates still queued after {timeout} s")

    async def wait_webhook_answers(
        self,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[int]:
        """Wait until the bot's webhook answered ``count`` deliveries; returns their statuses."""
        if not await self._wait(lambda: len(self.webhook_answers) >= count or None, timeout):
            raise AssertionError(
                f"{len(self.webhook_answers)} webhook answers within {timeout} s, wanted {count}"
            )
        return list(self.webhook_answers)

    async def deliver_webhook(
        self,
        update: JSON,
        secret: str | None = None,
        *,
        url: str | None = None,
        wrapped: bool | None = None,
    ) -> int:
        """POST one update to the webhook right now (no retry); returns the HTTP status, which
        also goes to ``webhook_answers``. ``secret`` defaults to the registered one."""
        target = url or self.webhook_target or self.webhook_url
        if not target:
            raise RuntimeError("no webhook url: the bot did not call setWebhook")
        wrap = self.webhook_wrapped if wrapped is None else wrapped
        payload = {"ok": True, "result": update} if wrap else update
        status = await self._post_webhook(
            target, self.webhook_secret if secret is None else secret, payload
        )
        self.webhook_answers.append(status)
        await self._notify()
        return status

    # ---- internals: waiting -------------------------------------------------------------

    @staticmethod
    def _scanner(
        sent: list[JSON], start: int, key: str, contains: str | None
    ) -> Callable[[], JSON | None]:
        position = start

        def find() -> JSON | None:
            nonlocal position
            while position < len(sent):
                body = sent[position]
                position += 1
                if contains is None or contains in body.get(key, ""):
                    return body
            return None

        return find

    async def _notify(self) -> None:
        if self._cond is None:
            return
        async with self._cond:
            self._cond.notify_all()

    async def _wait(self, find: Callable[[], Any], timeout: float) -> Any:  # noqa: ASYNC109
        """Run ``find`` (under the lock) until it returns something, the time is up or the
        fake stops; each change of state wakes the waiters, nobody polls."""
        if self._cond is None:
            raise RuntimeError("FakeZalo is not started")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._cond:
            while True:
                if self._closing:
                    return None
                found = find()
                if found is not None:
                    return found
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                try:
                    async with asyncio.timeout(remaining):
                        await self._cond.wait()
                except TimeoutError:
                    return None if self._closing else find()

    # ---- internals: updates -------------------------------------------------------------

    def _new_id(self) -> str:
        return f"{self._id_prefix}{next(self._ids):012x}"

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    async def _queue_from(self, user: ZaloUser, update: JSON) -> str:
        self._users.setdefault(user.id, user)
        message_id: str = update["message"]["message_id"]
        self._by_message_id[message_id] = update
        await self._queue(update, user.id)
        return message_id

    async def _queue(self, update: JSON, chat_id: str | None) -> None:
        if chat_id is not None:
            self._known_chats.add(chat_id)
            self.mark(chat_id)
        self._pending.append(update)
        await self._notify()

    def _take_for_poll(self) -> JSON | None:
        if self._pending and not self.webhook_url:
            return self._pending.popleft()
        return None

    # ---- internals: webhook -------------------------------------------------------------

    async def _webhook_worker(self) -> None:
        assert self._cond is not None
        while True:
            async with self._cond:
                await self._cond.wait_for(
                    lambda: self._closing or bool(self._pending and self.webhook_url)
                )
                if self._closing:
                    return
                update = self._pending.popleft()
                self._in_flight += 1
            try:
                await self._deliver_with_retries(update)
            finally:
                self._in_flight -= 1
                await self._notify()

    async def _deliver_with_retries(self, update: JSON) -> None:
        payload = {"ok": True, "result": update} if self.webhook_wrapped else update
        target = self.webhook_target or self.webhook_url
        secret = self.webhook_secret
        for attempt in range(1 + self.webhook_retries):
            status = await self._post_webhook(target, secret, payload)
            self.webhook_answers.append(status)
            await self._notify()
            if 200 <= status < 300:
                return
            if attempt < self.webhook_retries:
                await asyncio.sleep(self.webhook_retry_delay * 2**attempt)
        self.webhook_dropped.append(update)

    async def _post_webhook(self, url: str, secret: str, payload: JSON) -> int:
        assert self._session is not None
        try:
            async with self._session.post(
                url,
                data=json.dumps(payload, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json", SECRET_HEADER: secret},
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return 0

    # ---- internals: HTTP ----------------------------------------------------------------

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._calls_by_method.setdefault(call.method, []).append(call)
        if call.reason is not None:
            self.rejected.append(call)

    def _response(self, answer: JSON, status: int, headers: dict[str, str]) -> web.Response:
        return web.Response(
            text=json.dumps(answer, ensure_ascii=False),
            status=status,
            content_type="application/json",
            headers=headers,
        )

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        answer = {"ok": False, "error_code": 404, "description": "Not Found"}
        self._record(
            Call(request.path, {}, answer, 404, f"{request.method} {request.path}: not an API URL")
        )
        await self._notify()
        return self._response(answer, 404, {})

    async def _handle_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        stored = self._files.get(name)
        if stored is None:
            self.downloads.append((name, 404))
            answer = {"ok": False, "error_code": 404, "description": "Not Found"}
            self._record(Call(request.path, {}, answer, 404, f"download of an unknown file {name}"))
            return self._response(answer, 404, {})
        if self._download_failures:
            status = self._download_failures.popleft()
            self.downloads.append((name, status))
            return web.Response(status=status, text="")
        self.downloads.append((name, 200))
        data, content_type = stored
        return web.Response(body=data, content_type=content_type)

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body: JSON = {}
        headers: dict[str, str] = {}
        reason: str | None = None
        taken: JSON | None = None
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            if self._expired:
                raise ApiError(401, "Unauthorized")
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized", violation="wrong token in the URL")
            if method not in METHODS:
                raise ApiError(
                    404, f"Not Found: no method {method!r}", violation=f"unknown method {method!r}"
                )
            if request.method != "POST":
                raise ApiError(
                    405,
                    "Method Not Allowed: use POST with a JSON body",
                    violation=f"{request.method} instead of POST",
                )
            body = await self._read_json(request)
            self._validate(method, body)
            if method == "getUpdates":
                taken = await self._get_updates(body)
                result: Any = taken
            else:
                result = await self._dispatch(method, body)
            answer: JSON = {"ok": True} if result is _NO_RESULT else {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            answer = error.body()
            reason = error.violation
            headers = error.headers
            if error.http_status is not None:
                status = error.http_status
            elif self.errors_as_http_200:
                status = 200
            else:
                status = error.error_code
        except asyncio.CancelledError:
            if taken is not None:  # the poller went away after taking an update: keep it
                self._pending.appendleft(taken)
            raise
        except Exception as error:  # a bug of the fake: answer like a server error, loudly
            answer = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            status, reason = 500, f"the fake crashed: {error!r}"
        self._record(Call(method, body, answer, status, reason))
        try:
            await self._notify()
        except asyncio.CancelledError:
            if taken is not None:
                self._pending.appendleft(taken)
            raise
        return self._response(answer, status, headers)

    async def _read_json(self, request: web.Request) -> JSON:
        if request.content_type != "application/json":
            got = request.content_type
            raise _bad(f"the body must be JSON (Content-Type: application/json), got {got}")
        raw = await request.read()
        if not raw.strip():
            return {}
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise _bad("the body is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise _bad("the JSON body must be an object")
        return parsed

    def _validate(self, method: str, body: JSON) -> None:
        required, optional = METHODS[method]
        for key in body:
            if key not in required and key not in optional:
                raise _bad(f"unknown field {key!r} for {method}")
        for key in required:
            if key not in body:
                raise _bad(f"required field {key!r} of {method} is missing")
        for key, value in body.items():
            if key == "timeout":
                continue
            if not isinstance(value, str):
                raise _bad(
                    f"field {key!r} of {method} must be a string, got {type(value).__name__}"
                )
        if "chat_id" in body and not body["chat_id"]:
            raise _bad("chat_id is empty")
        if method == "getUpdates" and "timeout" in body:
            self._poll_timeout(body["timeout"])
        elif method == "sendMessage":
            text = body["text"]
            if not text.strip() or utf16_len(text) > TEXT_LIMIT:
                raise _bad(f"text must be 1 to {TEXT_LIMIT} characters, got {utf16_len(text)}")
        elif method == "sendPhoto":
            caption = body.get("caption")
            if caption is not None and (not caption.strip() or utf16_len(caption) > CAPTION_LIMIT):
                raise _bad(
                    f"caption must be 1 to {CAPTION_LIMIT} characters, got {utf16_len(caption)}"
                )
            photo = urlsplit(body["photo"])
            if photo.scheme not in ("http", "https") or not photo.hostname:
                raise _bad(f"photo must be an http(s) URL, got {body['photo'][:80]!r}")
        elif method == "sendSticker" and not body["sticker"]:
            raise _bad("sticker is empty")
        elif method == "sendChatAction" and body["action"] not in CHAT_ACTIONS:
            raise _bad(f"unknown chat action {body['action']!r}")
        elif method == "setWebhook":
            self._check_webhook(body["url"], body["secret_token"])

    def _check_webhook(self, url: str, secret: str) -> None:
        if not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise _bad(f"secret_token must be {SECRET_MIN} to {SECRET_MAX} characters")
        if not all("!" <= c <= "~" for c in secret):
            raise _bad("secret_token must be printable ASCII without spaces")
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.hostname:
            return
        if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
            self.insecure_webhooks.append(url)
            return
        raise _bad(f"webhook url must be https, got {url[:80]!r}")

    def _poll_timeout(self, value: Any) -> float:
        seconds: float
        if isinstance(value, bool):
            raise _bad("timeout must be a number of seconds")
        if isinstance(value, int | float):
            seconds = float(value)
        elif isinstance(value, str):
            try:
                seconds = float(value)
            except ValueError:
                raise _bad(f"timeout must be a number of seconds, got {value[:20]!r}") from None
        else:
            raise _bad("timeout must be a number of seconds")
        if not math.isfinite(seconds) or seconds < 0:
            raise _bad(f"timeout must be a number of seconds, got {value!r}")
        return min(seconds, self.max_poll_timeout)

    # ---- internals: methods -------------------------------------------------------------

    def _scripted_failure(self, method: str) -> None:
        failures = self._failures.get(method)
        if not failures:
            return
        failure = failures.popleft()
        parameters = None
        headers = None
        if failure.retry_after is not None:
            parameters = {"retry_after": failure.retry_after}
            headers = {"Retry-After": str(failure.retry_after)}
        raise ApiError(
            failure.error_code,
            failure.description,
            http_status=failure.http_status,
            parameters=parameters,
            headers=headers,
        )

    async def _get_updates(self, body: JSON) -> JSON:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: a webhook is set; call deleteWebhook before getUpdates",
                violation="getUpdates while a webhook is set",
            )
        self._scripted_failure("getUpdates")
        timeout = (
            self._poll_timeout(body["timeout"])
            if "timeout" in body
            else min(DEFAULT_POLL_TIMEOUT, self.max_poll_timeout)
        )
        self.held_polls += 1
        await self._notify()
        try:
            update: JSON | None = await self._wait(self._take_for_poll, timeout)
        finally:
            self.held_polls -= 1
        if update is None:
            raise ApiError(408, "Request timeout", http_status=self.timeout_status)
        return update

    async def _dispatch(self, method: str, body: JSON) -> Any:
        chat_id = body.get("chat_id")
        if method in SEND_METHODS and chat_id not in self._known_chats:
            raise _bad(f"chat {chat_id!r} never wrote to the bot")
        self._scripted_failure(method)
        if method in SEND_METHODS:
            if self._rate_limited > 0:
                self._rate_limited -= 1
                retry = self._rate_retry_after
                with_parameters = self._rate_form in ("both", "parameters")
                with_header = self._rate_form in ("both", "header")
                raise ApiError(
                    429,
                    "Too Many Requests",
                    parameters={"retry_after": retry} if with_parameters else None,
                    headers={"Retry-After": str(retry)} if with_header else None,
                )
            if chat_id in self._blocked:
                raise ApiError(BLOCKED_CODE, BLOCKED_DESCRIPTION)
        if method == "getMe":
            return self.bot_info
        if method == "setWebhook":
            self.webhook_url = body["url"]
            self.webhook_secret = body["secret_token"]
            self._webhook_updated_at = self._now_ms()
            await self._notify()  # queued updates go out now
            return {"url": self.webhook_url, "updated_at": self._webhook_updated_at}
        if method == "deleteWebhook":
            self.webhook_url = ""
            self.webhook_secret = ""
            self._webhook_updated_at = self._now_ms()
            return {"url": "", "updated_at": self._webhook_updated_at}
        if method == "getWebhookInfo":
            return {"url": self.webhook_url, "updated_at": self._webhook_updated_at}
        if method == "sendChatAction":
            return _NO_RESULT
        assert isinstance(chat_id, str)
        if method == "sendMessage":
            self._messages.setdefault(chat_id, []).append(body)
        elif method == "sendPhoto":
            fetched = await self._fetch_photo(body["photo"])
            if fetched is None and self.photo_fetch_failure_is_error:
                raise ApiError(400, "Bad Request: can't fetch the photo from its URL")
            self._photos.setdefault(chat_id, []).append(body)
            self._photo_bytes.setdefault(chat_id, []).append(fetched)
        return {"message_id": self._new_id(), "date": self._now_ms()}

    async def _fetch_photo(self, url: str) -> bytes | None:
        """GET the photo as Zalo's servers would; None (and a note) unless it is an image."""
        assert self._session is not None
        data: bytes | None = None
        try:
            async with self._session.get(
                url, timeout=aiohttp.ClientTimeout(total=10.0)
            ) as response:
                if response.status == 200:
                    data = await response.content.read(PHOTO_FETCH_LIMIT + 1)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            data = None
        if data is None or len(data) > PHOTO_FETCH_LIMIT or not is_image(data):
            self.photo_failures.append(url)
            return None
        return data
