"""An in-process fake Telegram Bot API server that a real python-telegram-bot Application polls.

It listens on 127.0.0.1 over HTTP (aiohttp), validates every request against the Bot API reference
in ``shared/telegram-bot-api/api.json`` (method exists, required fields present, no unknown
fields, values of the declared types, nested objects included), and answers with the shapes real
Telegram uses. Tests drive it from the user's side (``send_text``, ``press_button``...) and observe
the bot (``calls``, ``wait_for``, ``sent_messages``...). Usage::

    async with FakeTelegram() as fake:
        app = (
            Application.builder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        ...
        alice = fake.user(1001, "Alice")
        await fake.send_text(alice, "/start CODE")
        reply = await fake.wait_for_message(alice["id"], contains="Welcome")
        fake.assert_clean()

Webhooks: after setWebhook (an https URL, or http on 127.0.0.1/localhost as a local Bot API
server accepts; ``secret_token`` 1-256 characters of A-Z a-z 0-9 _ -), getUpdates answers 409
and queued updates are POSTed to the URL (or to ``fake.webhook_target`` when a test routes them
elsewhere) by ``webhook_concurrency`` workers (default: the webhook's ``max_connections``, 40),
with the header ``X-Telegram-Bot-Api-Secret-Token``. A non-2xx answer is retried after
``webhook_retry_delay`` (0.05 s, doubling, up to ``webhook_retries``); every answer's status goes
to ``webhook_answers`` (0: no answer). ``deliver_webhook(update, secret=...)`` POSTs one update
right now, without retries, and returns the status: for a forged call, or a second delivery.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import html
import itertools
import json
import math
import os
import re
import struct
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import BodyPartReader, ClientError, ClientSession, ClientTimeout, web

JSON = dict[str, Any]

API_JSON_ENV = "BAOCAO_TELEGRAM_API_JSON"
DEFAULT_TOKEN = "123456789:AAFakeTokenForTests_baocao-e2e"

MB = 1024 * 1024
GET_FILE_LIMIT = 20 * MB  # bots may download files up to 20 MB
UPLOAD_LIMIT = 50 * MB  # bots may upload files up to 50 MB
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
PARSE_MODES = {"HTML", "Markdown", "MarkdownV2"}
# Update types delivered when allowed_updates was never set or set to [] (Bot API docs).
NOT_DELIVERED_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
MESSAGE_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", "document", "photo")


def find_api_json() -> Path | None:
    """The Bot API reference: $BAOCAO_TELEGRAM_API_JSON, else ``shared/`` beside the repository,
    else the copy kept here (tests/fakes/telegram-bot-api, MIT, see its LICENSE)."""
    override = os.environ.get(API_JSON_ENV)
    if override:
        return Path(override) if Path(override).is_file() else None
    repo_root = Path(__file__).resolve().parents[2]
    for path in (
        (repo_root / ".." / "shared" / "telegram-bot-api" / "api.json").resolve(),
        Path(__file__).resolve().parent / "telegram-bot-api" / "api.json",
    ):
        if path.is_file():
            return path
    return None


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# The Bot API reference as a validator
# --------------------------------------------------------------------------------------------


@dataclass
class Upload:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"Upload({self.name!r}, {self.filename!r}, {self.content_type!r}, {self.size} bytes)"


class ApiSpec:
    """Methods and types of the Bot API, loaded from api.json, with request validation."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = str(data.get("version", "?"))
        self.methods: dict[str, JSON] = data["methods"]
        self.types: dict[str, JSON] = data["types"]
        self._by_lower = {name.lower(): name for name in self.methods}

    def canonical(self, method: str) -> str | None:
        """Method names are case-insensitive in the Bot API."""
        return self._by_lower.get(method.lower())

    def fields(self, method: str) -> list[JSON]:
        return list(self.methods[method].get("fields", []))

    # ---- requests -----------------------------------------------------------------------

    def parse_request(
        self,
        method: str,
        form: Mapping[str, str],
        json_body: Mapping[str, Any],
        uploads: Mapping[str, Upload],
    ) -> JSON:
        """Decode and validate parameters; raise ApiError(400) naming the offending field.

        Form values (urlencoded or multipart) are strings whose non-string values are JSON
        encoded, which is what python-telegram-bot sends; JSON bodies carry typed values.
        """
        declared = {f["name"]: f for f in self.fields(method)}
        attached = _attach_names(form, json_body)
        params: JSON = {}
        for name in itertools.chain(form, json_body, uploads):
            if name in declared:
                continue
            if name in uploads and name in attached:
                continue  # a file referenced as attach://<name> from another field
            raise bad_request(
                f"unknown parameter '{name}' for method {method} (not in Bot API {self.version})"
            )
        for name, spec in declared.items():
            types: list[str] = spec["types"]
            if name in uploads:
                if "InputFile" not in types:
                    raise bad_request(f"parameter '{name}' of {method} can't be a file upload")
                params[name] = uploads[name]
            elif name in json_body:
                params[name] = json_body[name]
            elif name in form:
                params[name] = self._decode_form_value(method, name, form[name], types)
            elif spec["required"]:
                raise bad_request(f"required parameter '{name}' of method {method} is missing")
            else:
                continue
            error = self.check(params[name], types, name)
            if error:
                raise bad_request(f"invalid parameter '{name}' of method {method}: {error}")
        for name in attached:
            if name not in uploads:
                raise bad_request(f"file attach://{name} is referenced but was not uploaded")
        return params

    def _decode_form_value(self, method: str, name: str, raw: str, types: list[str]) -> Any:
        if types == ["String"]:
            return raw
        try:
            value = json.loads(raw)
        except ValueError:
            if "String" in types:
                return raw
            raise bad_request(
                f"can't parse parameter '{name}' of method {method}: not JSON: {raw[:80]!r}"
            ) from None
        if self.check(value, [t for t in types if t != "String"], name) is None:
            return value
        return raw if "String" in types else value

    # ---- values -------------------------------------------------------------------------

    def check(self, value: Any, types: Iterable[str], path: str) -> str | None:
        """None if ``value`` matches one of ``types``, else a description of the mismatch."""
        errors = [self._check_one(value, t, path) for t in types]
        if any(e is None for e in errors):
            return None
        real = [e for e in errors if e and not e.startswith("expected ")]
        return real[0] if real else f"{path}: expected {' or '.join(types)}"

    def _check_one(self, value: Any, type_name: str, path: str) -> str | None:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return "expected array"
            inner = type_name[len("Array of ") :]
            for i, item in enumerate(value):
                error = self.check(item, [inner], f"{path}[{i}]")
                if error:
                    return error
            return None
        ok: bool
        if type_name == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif type_name == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif type_name == "Boolean":
            ok = isinstance(value, bool)
        elif type_name == "True":
            ok = value is True
        elif type_name == "String":
            ok = isinstance(value, str)
        elif type_name == "InputFile":
            ok = isinstance(value, Upload)
        else:
            return self._check_object(value, type_name, path)
        return None if ok else "expected " + type_name

    def _check_object(self, value: Any, type_name: str, path: str) -> str | None:
        spec = self.types.get(type_name)
        if spec is None:
            return f"{path}: unknown type {type_name}"
        if not isinstance(value, dict):
            return f"expected {type_name} object"
        if spec.get("subtypes"):
            return self.check(value, spec["subtypes"], path)
        fields = {f["name"]: f for f in spec.get("fields", [])}
        if not fields:
            return None
        for key in value:
            if key not in fields:
                return f"{path}: unknown field '{key}' in {type_name}"
        for name, f in fields.items():
            if name not in value:
                if f["required"]:
                    return f"{path}: required field '{name}' of {type_name} is missing"
                continue
            error = self.check(value[name], f["types"], f"{path}.{name}")
            if error:
                return error
        return None


def _attach_names(form: Mapping[str, str], json_body: Mapping[str, Any]) -> set[str]:
    text = " ".join(form.values()) + json.dumps(dict(json_body), default=str)
    return set(re.findall(r"attach://([A-Za-z0-9_\-]+)", text))


# --------------------------------------------------------------------------------------------
# Formatted text: parse_mode HTML / MarkdownV2 / Markdown the way Telegram does
# --------------------------------------------------------------------------------------------


class _Builder:
    """Accumulates plain text while tracking the UTF-16 offset that entities use."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSON] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += utf16_len(text)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def result(self) -> tuple[str, list[JSON]]:
        return "".join(self.parts), sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _entity_error(description: str) -> ApiError:
    return bad_request(f"can't parse entities: {description}")


HTML_TAGS = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _html_entity_at(text: str, i: int) -> tuple[str, int] | None:
    match = re.match(r"&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);", text[i:])
    if not match:
        return None
    name = match.group(1)
    if name.startswith("#x"):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    elif name in _HTML_NAMED:
        return _HTML_NAMED[name], i + match.end()
    else:
        return None
    if code == 0 or code > 0x10FFFF:
        return None
    return chr(code), i + match.end()


def parse_html(text: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode (a port of tdlib's rules, with its error messages)."""
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _html_entity_at(text, i)
            if decoded:
                out.add(decoded[0])
                i = decoded[1]
                continue
        if c != "<":
            out.add(c)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] != "/":
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            if i >= n:
                raise _entity_error(
                    f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                )
            tag = text[begin + 1 : i].lower()
            if tag not in HTML_TAGS:
                raise _entity_error(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                )
            attrs: dict[str, str] = {}
            while True:
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise _entity_error(
                        f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                    )
                if text[i] == ">":
                    break
                name_start = i
                while i < n and not text[i].isspace() and text[i] not in "=>":
                    i += 1
                attr = text[name_start:i].lower()
                if not attr:
                    raise _entity_error(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{_byte_offset(text, begin)}"
                    )
                while i < n and text[i].isspace():
                    i += 1
                if i >= n or text[i] != "=":
                    if tag == "blockquote" and attr == "expandable":
                        attrs[attr] = ""
                        continue
                    raise _entity_error(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {_byte_offset(text, begin)}"
                    )
                i += 1
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise _entity_error(
                        f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}'
                    )
                if text[i] in "\"'":
                    quote = text[i]
                    value_start = i + 1
                    i = text.find(quote, value_start)
                    if i < 0:
                        raise _entity_error(
                            f"Unclosed start tag at byte offset {_byte_offset(text, begin)}"
                        )
                    value = html.unescape(text[value_start:i])
                    i += 1
                else:
                    value_start = i
                    while i < n and not text[i].isspace() and text[i] != ">":
                        i += 1
                    value = text[value_start:i]
                attrs[attr] = value
            i += 1  # '>'
            if tag == "span" and attrs.get("class") != "tg-spoiler":
                raise _entity_error(
                    f'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(text, begin)}"
                )
            stack.append((tag, out.pos, attrs))
            continue
        # end tag
        if not stack:
            raise _entity_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        name_start = i
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        end_tag = text[name_start:i].lower()
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != ">":
            raise _entity_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
        i += 1
        tag, start, attrs = stack.pop()
        if end_tag and end_tag != tag:
            raise _entity_error(
                f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                f'expected "</{tag}>", found "</{end_tag}>"'
            )
        kind = HTML_TAGS[tag]
        extra: JSON = {}
        if tag == "a":
            extra["url"] = attrs.get("href", "")
        elif tag == "tg-emoji":
            extra["custom_emoji_id"] = attrs.get("emoji-id", "")
        elif tag == "blockquote" and "expandable" in attrs:
            kind = "expandable_blockquote"
        elif tag == "tg-time":
            extra["unix_time"] = int(attrs.get("unix", "0") or 0)
            if "format" in attrs:
                extra["date_time_format"] = attrs["format"]
        elif tag == "code" and stack and stack[-1][0] == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                stack[-1][2]["language"] = language[len("language-") :]
            continue
        elif tag == "pre" and attrs.get("language"):
            extra["language"] = attrs["language"]
        out.entity(kind, start, **extra)
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Telegram's MarkdownV2 parse mode (tdlib's rules and messages, blockquotes simplified)."""
    out = _Builder()
    stack: list[tuple[str, int, int]] = []  # kind, utf-16 start, byte offset of the marker
    quote_start: int | None = None
    i, n = 0, len(text)

    def reserved(ch: str) -> ApiError:
        return _entity_error(
            f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
        )

    while i < n:
        c = text[i]
        top = stack[-1][0] if stack else None
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) < 127:
            out.add(text[i + 1])
            i += 2
            continue
        if top in ("code", "pre") and c != "`":
            out.add(c)
            i += 1
            continue
        at_line_start = i == 0 or text[i - 1] == "\n"
        if c == ">" and at_line_start and not stack:
            if quote_start is None:
                quote_start = out.pos
            i += 1
            continue
        if c == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            out.entity("blockquote", quote_start)
            quote_start = None
        if c not in _MDV2_RESERVED:
            out.add(c)
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < n else ""
        closing = {
            "bold": c == "*",
            "italic": c == "_" and nxt != "_",
            "underline": c == "_" and nxt == "_",
            "strikethrough": c == "~",
            "spoiler": c == "|" and nxt == "|",
            "code": c == "`",
            "pre": text.startswith("```", i),
            "text_link": c == "]",
            "custom_emoji": c == "]",
        }.get(top or "", False)
        if closing:
            kind, start, _ = stack.pop()
            i += {"underline": 2, "spoiler": 2, "pre": 3}.get(kind, 1)
            if kind in ("text_link", "custom_emoji"):
                url = ""
                if i < n and text[i] == "(":
                    end = i + 1
                    while end < n and text[end] != ")":
                        end += 2 if text[end] == "\\" else 1
                    if end >= n:
                        raise _entity_error(
                            f"Can't find end of a URL at byte offset {_byte_offset(text, i)}"
                        )
                    url = re.sub(r"\\(.)", r"\1", text[i + 1 : end])
                    i = end + 1
                if kind == "custom_emoji":
                    out.entity(kind, start, custom_emoji_id=url.rpartition("id=")[2])
                else:
                    out.entity(kind, start, url=url)
            else:
                out.entity(kind, start)
            continue
        byte_offset = _byte_offset(text, i)
        if c == "_" and nxt == "_":
            kind, i = "underline", i + 2
        elif c == "_":
            kind, i = "italic", i + 1
        elif c == "*":
            kind, i = "bold", i + 1
        elif c == "~":
            kind, i = "strikethrough", i + 1
        elif c == "|" and nxt == "|":
            kind, i = "spoiler", i + 2
        elif c == "[":
            kind, i = "text_link", i + 1
        elif c == "!" and nxt == "[":
            kind, i = "custom_emoji", i + 2
        elif text.startswith("```", i):
            kind, i = "pre", i + 3
            newline = text.find("\n", i)
            if newline >= 0 and re.fullmatch(r"[A-Za-z0-9_+#\-]*", text[i:newline]):
                i = newline + 1
        elif c == "`":
            kind, i = "code", i + 1
        else:
            raise reserved(c)
        stack.append((kind, out.pos, byte_offset))
    if stack:
        kind, _, byte_offset = stack[-1]
        raise _entity_error(
            f"Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {byte_offset}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.result()


def parse_markdown_legacy(text: str) -> tuple[str, list[JSON]]:
    """Telegram's legacy Markdown parse mode."""
    out = _Builder()
    i, n = 0, len(text)
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = _byte_offset(text, i)
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise _entity_error(f"Can't find end of the entity starting at byte offset {begin}")
            body = text[i + 3 : end]
            start = out.pos
            out.add(body)
            out.entity("pre", start)
            i = end + 3
            continue
        if c == "[":
            close = text.find("]", i + 1)
            if close < 0 or not text.startswith("(", close + 1) or text.find(")", close) < 0:
                raise _entity_error(f"Can't find end of the entity starting at byte offset {begin}")
            url_end = text.find(")", close)
            start = out.pos
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : url_end])
            i = url_end + 1
            continue
        end = text.find(c, i + 1)
        if end < 0:
            raise _entity_error(f"Can't find end of the entity starting at byte offset {begin}")
        start = out.pos
        out.add(text[i + 1 : end])
        out.entity(kinds[c], start)
        i = end + 1
    return out.result()


def format_text(
    text: str, parse_mode: str | None, entities: list[JSON] | None
) -> tuple[str, list[JSON]]:
    """Plain text and entities of a message the way Telegram stores it."""
    if parse_mode is None:
        plain, found = text, list(entities or [])
    elif parse_mode == "HTML":
        plain, found = parse_html(text)
    elif parse_mode == "MarkdownV2":
        plain, found = parse_markdown_v2(text)
    elif parse_mode == "Markdown":
        plain, found = parse_markdown_legacy(text)
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    stripped = plain.strip()
    if stripped != plain and stripped:
        lead = utf16_len(plain[: len(plain) - len(plain.lstrip())])
        limit = utf16_len(stripped)
        clipped = []
        for e in found:
            start = max(e["offset"] - lead, 0)
            end = min(e["offset"] + e["length"] - lead, limit)
            if end > start:
                clipped.append({**e, "offset": start, "length": end - start})
        found = clipped
    return stripped, found


_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]+")


def detect_entities(text: str) -> list[JSON]:
    """Entities Telegram adds to a user's plain text: bot commands, mentions, URLs."""
    found: list[JSON] = []
    for kind, pattern in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
    return sorted(found, key=lambda e: e["offset"])


# --------------------------------------------------------------------------------------------
# Records the tests look at
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One HTTP request to the Bot API, as the fake received and answered it."""

    index: int
    method: str  # canonical name when known, else as requested
    params: JSON  # decoded values; uploads appear as Upload objects
    time: float  # time.perf_counter() when the request arrived
    files: dict[str, Upload] = field(default_factory=dict)
    status: int = 0  # HTTP status of the answer; 0 while pending or if the client went away
    response: JSON | None = None
    done_time: float | None = None
    scripted: bool = False  # answered by fail_next()

    @property
    def done(self) -> bool:
        return self.done_time is not None

    @property
    def ok(self) -> bool:
        return bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        return self.response.get("result") if self.response else None

    @property
    def upload_size(self) -> int:
        """Total bytes of the files uploaded with this request."""
        return sum(upload.size for upload in self.files.values())

    def __repr__(self) -> str:
        params = {
            k: (v if len(repr(v)) < 120 else repr(v)[:117] + "...") for k, v in self.params.items()
        }
        return f"<Call #{self.index} {self.method} {params} -> {self.status}>"


@dataclass
class QueuedUpdate:
    """An update waiting in, or delivered from, the getUpdates queue."""

    update_id: int
    data: JSON
    queued_at: float  # time.perf_counter()
    served_at: float | None = None  # when a getUpdates answer last carried it
    serve_count: int = 0
    confirmed: bool = False

    @property
    def kind(self) -> str:
        return next(k for k in self.data if k != "update_id")


class TgMessage(dict[str, Any]):
    """A Message as JSON (a dict) that also knows the update that delivered it, if any."""

    queued_update: QueuedUpdate | None = None  # None if Telegram would not deliver it


@dataclass(frozen=True)
class FileRef:
    """A file registered with the fake, as a user's client would know it."""

    file_id: str
    file_unique_id: str
    size: int
    file_name: str | None = None
    mime_type: str | None = None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    size: int
    content: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    kind: str | None = None  # "document" | "photo" once it was used as one
    file_path: str | None = None
    width: int = 0
    height: int = 0

    def read(self) -> bytes:
        if self.content is not None:
            return self.content
        pattern = bytes(range(256))
        return (pattern * (self.size // 256 + 1))[: self.size]


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None


@dataclass
class _ChatState:
    chat: JSON  # the Chat object
    bot_status: str = "member"  # for groups and channels: member, administrator, left, kicked
    started: bool = False  # private chats: the user has written to the bot
    blocked: bool = False  # private chats: the user blocked the bot
    admins: set[int] = field(default_factory=set)
    reply_keyboard: JSON | None = None


def _scope_key(scope: JSON | None, language_code: str | None) -> str:
    return json.dumps([scope or {"type": "default"}, language_code or ""], sort_keys=True)


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_WEBHOOK_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{1,256}")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SENDING_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "copyMessage", "forwardMessage"}
)


class FakeTelegram:
    """A fake Bot API server on 127.0.0.1; see the module docstring for usage."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "baocao_test_bot",
        bot_first_name: str = "Báo cáo",
        privacy_mode: bool = True,
        api_json: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        path = api_json or find_api_json()
        if path is None:
            raise FileNotFoundError(
                "Bot API reference not found: expected shared/telegram-bot-api/api.json beside "
                f"the repository, or a path in ${API_JSON_ENV}"
            )
        self.spec = ApiSpec(path)
        self.token = token
        self.privacy_mode = privacy_mode
        self.clock = clock
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        self.calls: list[Call] = []
        self.violations: list[str] = []
        # Off by default; when on, messages beyond Telegram's limits (30 per second overall,
        # 20 per minute in one group) get 429 with retry_after, as the real server answers.
        self.enforce_rate_limit = False
        self._sent_times: collections.deque[float] = collections.deque()
        self._group_times: dict[int, collections.deque[float]] = {}
        self.updates: list[QueuedUpdate] = []  # every update ever queued, in order
        self.downloads: list[tuple[str, int]] = []  # (file_path, HTTP status)
        self.callback_answers: dict[str, JSON] = {}  # callback_query_id -> answerCallbackQuery
        self.commands: dict[str, list[JSON]] = {}  # _scope_key(...) -> commands
        self.bot_texts: dict[tuple[str, str], str] = {}  # (kind, language) -> description...
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_max_connections = 40
        self.webhook_target: str | None = None  # deliver here instead of the registered url
        self.webhook_concurrency: int | None = None  # None: the webhook's max_connections
        self.webhook_retries = 5
        self.webhook_retry_delay = 0.05
        self.webhook_timeout = 10.0
        self.webhook_answers: list[int] = []
        self.webhook_dropped: list[QueuedUpdate] = []
        self.held_polls = 0  # getUpdates requests being held open right now
        # While set, every API call (getUpdates too) is answered with this status, as a Bot API
        # behind a proxy answers 502 when it is down; scripted, so not a violation.
        self.outage: int | None = None
        # Seconds a file download stalls after its first half: a slow network, for a test
        # that kills the bot in the middle of a download.
        self.download_stall = 0.0

        self._pending: list[QueuedUpdate] = []
        self._next_update_id = 700_000_000
        self._allowed_updates: list[str] = []
        self._poll_generation = 0
        self._chats: dict[int, _ChatState] = {}
        self._users: dict[int, JSON] = {}
        self._messages: dict[tuple[int, int], JSON] = {}  # chat view, any reply_markup kept
        self._bot_message_keys: list[tuple[int, int]] = []
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, _StoredFile] = {}
        self._paths: dict[str, _StoredFile] = {}
        self._open_callbacks: dict[str, JSON] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._delays: dict[str, list[float]] = {}
        self._download_failures: list[int | None] = []
        self._ids = itertools.count(1)
        self._mark = 0
        self._closing = False
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._webhook_workers: list[asyncio.Task[None]] = []
        self._in_flight: set[int] = set()  # update ids being POSTed to the webhook
        self._last_webhook_error: tuple[int, str] | None = None
        self.port = 0
        self._impls: dict[str, Callable[[JSON], Any]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_bot_text("description"),
            "getMyDescription": self._get_bot_text("description"),
            "setMyShortDescription": self._set_bot_text("short_description"),
            "getMyShortDescription": self._get_bot_text("short_description"),
            "setMyName": self._set_bot_text("name"),
            "getMyName": self._get_bot_text("name"),
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getFile": self._get_file,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
        }

    # ---- lifecycle ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """For ApplicationBuilder.base_url(); python-telegram-bot appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ApplicationBuilder.base_file_url(); python-telegram-bot appends the token."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> FakeTelegram:
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=UPLOAD_LIMIT + MB)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._session = ClientSession()
        return self

    async def stop(self) -> None:
        """Stop serving; held long polls return at once (empty), webhook delivery stops."""
        if self._runner is None:
            return
        self._closing = True
        await self._notify()
        for task in self._webhook_workers:
            task.cancel()
        await asyncio.gather(*self._webhook_workers, return_exceptions=True)
        self._webhook_workers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- scripting failures ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 502,
        *,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` valid calls of ``method`` ("*" for any) with an error.

        The call has no effect. A 429 carries ``parameters.retry_after`` (default 1 s). Scripted
        failures are not violations.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = {
                400: "Bad Request: scripted failure",
                403: "Forbidden: bot was blocked by the user",
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
                504: "Gateway Timeout",
            }.get(status, f"Error {status}")
        key = method if method == "*" else (self.spec.canonical(method) or method)
        self._failures.setdefault(key, []).extend(
            _Failure(status, description, retry_after) for _ in range(times)
        )

    def delay_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Hold the answer to the next ``times`` calls of ``method`` for ``seconds``."""
        key = self.spec.canonical(method) or method
        self._delays.setdefault(key, []).extend([seconds] * times)

    def fail_next_download(self, status: int | None = None, *, times: int = 1) -> None:
        """Fail the next ``times`` file downloads: answer ``status`` (e.g. 502), or with None
        send the first half of the file and then reset the connection."""
        self._download_failures.extend([status] * times)

    async def _failed_download(self, request: web.Request, body: bytes) -> web.StreamResponse:
        status = self._download_failures.pop(0)
        if status is not None:
            return self._json_response(
                {"ok": False, "error_code": status, "description": "Bad Gateway"}, status
            )
        response = web.StreamResponse(headers={"Content-Length": str(len(body))})
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        if request.transport is not None:
            request.transport.abort()
        return response

    # ---- violations -----------------------------------------------------------------------

    def assert_clean(self) -> None:
        """Fail if any request was rejected (other than by fail_next)."""
        assert self.violations == [], "rejected Bot API requests:\n" + "\n".join(self.violations)

    def pop_violations(self, contains: str = "") -> list[str]:
        """Remove and return the violations containing ``contains`` (expected errors)."""
        taken = [v for v in self.violations if contains in v]
        self.violations = [v for v in self.violations if contains not in v]
        return taken

    # ---- the user's side: people, chats, files ------------------------------------------

    def user(
        self,
        id: int,
        first_name: str,
        username: str | None = None,
        *,
        last_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSON:
        """A User (a person) known to Telegram; their private chat with the bot is not open yet."""
        user: JSON = {"id": id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._users[id] = user
        self._chat_state(self.private_chat(user))
        return user

    def started(self, user: JSON) -> JSON:
        """Mark ``user`` as having started the bot earlier (so the bot may write to them),
        without queueing an update; returns their private chat."""
        self._users.setdefault(user["id"], user)
        chat = self.private_chat(user)
        self._chat_state(chat).started = True
        return chat

    def private_chat(self, user: JSON) -> JSON:
        chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def group_chat(
        self,
        id: int,
        title: str,
        *,
        supergroup: bool = True,
        username: str | None = None,
        admins: Iterable[JSON] = (),
        bot_status: str = "member",
    ) -> JSON:
        """A group the bot is in (``bot_status``); ids of groups are negative."""
        if id >= 0:
            raise ValueError("group chat ids are negative (supergroups: -100...)")
        chat: JSON = {"id": id, "type": "supergroup" if supergroup else "group", "title": title}
        if username:
            chat["username"] = username
        state = self._chat_state(chat)
        state.bot_status = bot_status
        state.admins = {a["id"] for a in admins}
        return chat

    def channel(
        self, id: int, title: str, *, username: str | None = None, bot_status: str = "administrator"
    ) -> JSON:
        """A channel; the bot can post only as an administrator."""
        if id >= 0:
            raise ValueError("channel ids are negative (-100...)")
        chat: JSON = {"id": id, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        self._chat_state(chat).bot_status = bot_status
        return chat

    def add_file(
        self,
        content: bytes | None = None,
        *,
        size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> FileRef:
        """A file a user can send. Give ``size`` without ``content`` for a big file that is never
        allocated; its download serves generated bytes (getFile refuses files over 20 MB anyway).
        """
        if content is not None and size is not None and size != len(content):
            raise ValueError("size does not match len(content)")
        if content is None and size is None:
            content = b"fake file %d" % next(self._ids)
        stored = self._store_file(
            content,
            size=size if size is not None else len(content or b""),
            file_name=file_name,
            mime_type=mime_type,
            kind=None,
            prefix="BQACAgUAAxkBAAI",
        )
        return FileRef(stored.file_id, stored.file_unique_id, stored.size, file_name, mime_type)

    def file_bytes(self, file_id: str) -> bytes:
        """Content of any file the fake knows (uploaded by the bot or added by a test)."""
        return self._files[file_id].read()

    # ---- the user's side: updates -------------------------------------------------------

    async def queue_update(self, update: JSON, *, validate: bool = True) -> QueuedUpdate:
        """Queue a raw update (``update_id`` is assigned if missing) for getUpdates."""
        data = dict(update)
        if "update_id" not in data:
            self._next_update_id += 1
            data = {"update_id": self._next_update_id, **data}
        else:
            self._next_update_id = max(self._next_update_id, int(data["update_id"]))
        if validate:
            error = self.spec.check(data, ["Update"], "update")
            if error:
                raise ValueError(f"not a valid Update: {error}")
        self._observe_update(data)
        query = data.get("callback_query")
        if isinstance(query, dict):  # a raw (possibly forged) button press can be answered too
            self._open_callbacks.setdefault(str(query["id"]), query)
        queued = QueuedUpdate(data["update_id"], data, time.perf_counter())
        self.updates.append(queued)
        self._pending.append(queued)
        self._mark = len(self.calls)
        await self._notify()
        return queued

    async def send_text(
        self,
        user: JSON,
        text: str,
        chat: JSON | None = None,
        *,
        reply_to: Mapping[str, Any] | None = None,
    ) -> TgMessage:
        """The user writes ``text`` (commands get bot_command entities, as Telegram adds them)."""
        message = self._user_message(user, chat, reply_to)
        message["text"] = text
        entities = detect_entities(text)
        if entities:
            message["entities"] = entities
        return await self._deliver(message)

    async def send_document(
        self,
        user: JSON,
        file: FileRef,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        caption: str | None = None,
        chat: JSON | None = None,
    ) -> TgMessage:
        stored = self._files[file.file_id]
        stored.kind = stored.kind or "document"
        document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        name = file_name or stored.file_name
        mime = mime_type or stored.mime_type
        if name:
            document["file_name"] = name
        if mime:
            document["mime_type"] = mime
        document["file_size"] = stored.size
        message = self._user_message(user, chat, None)
        message["document"] = document
        self._add_caption(message, caption)
        return await self._deliver(message)

    async def send_photo(
        self,
        user: JSON,
        file: FileRef,
        caption: str | None = None,
        chat: JSON | None = None,
        *,
        width: int = 1280,
        height: int = 960,
    ) -> TgMessage:
        """The user sends a photo; the largest PhotoSize (last) has ``file.file_id``."""
        stored = self._files[file.file_id]
        stored.kind, stored.width, stored.height = "photo", width, height
        message = self._user_message(user, chat, None)
        message["photo"] = self._photo_sizes(stored)
        self._add_caption(message, caption)
        return await self._deliver(message)

    async def send_content(
        self, user: JSON, content: JSON, caption: str | None = None, chat: JSON | None = None
    ) -> TgMessage:
        """The user sends any other kind of message: ``content`` holds its fields as the Bot API
        names them (``{"video": {...}}``, ``{"sticker": {...}}``, ``{"location": {...}}``)."""
        message = self._user_message(user, chat, None)
        message.update(content)
        self._add_caption(message, caption)
        return await self._deliver(message)

    async def press_button(self, user: JSON, message: Mapping[str, Any], callback_data: str) -> str:
        """The user presses an inline button of a bot message; returns the callback_query_id."""
        key = (message["chat"]["id"], message["message_id"])
        current = self._messages.get(key)
        if current is None:
            raise ValueError(f"no message {key} in the fake's chats (deleted?)")
        rows = (current.get("reply_markup") or {}).get("inline_keyboard") or []
        datas = [b.get("callback_data") for row in rows for b in row]
        if callback_data not in datas:
            raise ValueError(f"message {key} has no button with callback_data {callback_data!r}")
        query_id = str(4_000_000_000_000 + next(self._ids))
        query: JSON = {
            "id": query_id,
            "from": user,
            "message": self._api_view(current),
            "chat_instance": str(abs(hash(("instance", key[0]))) % 10**18),
            "data": callback_data,
        }
        self._open_callbacks[query_id] = query
        await self.queue_update({"callback_query": query})
        return query_id

    async def set_bot_membership(self, chat: JSON, status: str, *, by: JSON) -> QueuedUpdate:
        """``by`` adds, promotes, removes the bot (member, administrator, left, kicked) in a
        group or channel, or blocks (kicked) / unblocks (member) it in their private chat."""
        state = self._chat_state(chat)
        old = "member" if chat["type"] == "private" and not state.blocked else state.bot_status
        if chat["type"] == "private":
            state.blocked = status == "kicked"
        else:
            state.bot_status = status
        return await self.queue_update(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": by,
                    "date": self._now(),
                    "old_chat_member": self._member(self.bot_user, old),
                    "new_chat_member": self._member(self.bot_user, status),
                }
            }
        )

    async def block_bot(self, user: JSON) -> QueuedUpdate:
        return await self.set_bot_membership(self.private_chat(user), "kicked", by=user)

    async def unblock_bot(self, user: JSON) -> QueuedUpdate:
        return await self.set_bot_membership(self.private_chat(user), "member", by=user)

    # ---- observing the bot ----------------------------------------------------------------

    def mark(self) -> int:
        """Make later wait_for*() calls consider only calls from now on (queue_update does too)."""
        self._mark = len(self.calls)
        return self._mark

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_messages(self, chat_id: int | None = None) -> list[JSON]:
        """The bot's messages as the user sees them now (after edits; deleted ones gone).
        ``reply_markup`` holds any markup sent, reply keyboards included."""
        return [
            copy.deepcopy(self._messages[key])
            for key in self._bot_message_keys
            if key in self._messages and (chat_id is None or key[0] == chat_id)
        ]

    def reply_keyboard(self, chat_id: int) -> JSON | None:
        """The reply keyboard the user currently sees in the chat, if any."""
        state = self._chats.get(chat_id)
        return state.reply_keyboard if state else None

    def visible_commands(
        self, chat: JSON, user: JSON | None = None, language_code: str | None = None
    ) -> list[JSON]:
        """The command menu a client shows in ``chat``: the most specific scope that is set."""
        chat_id = chat["id"]
        if chat["type"] == "private":
            scopes = [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        else:
            scopes = [{"type": "chat", "chat_id": chat_id}, {"type": "all_group_chats"}]
            if user:
                member = {"type": "chat_member", "chat_id": chat_id, "user_id": user["id"]}
                scopes.insert(0, member)
        scopes.append({"type": "default"})
        for scope in scopes:
            for lang in ([language_code] if language_code else []) + [""]:
                found = self.commands.get(_scope_key(scope, lang))
                if found is not None:
                    return copy.deepcopy(found)
        return []

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's deadline, not an I/O timeout
        *,
        since: int | None = None,
    ) -> Call:
        """The first answered call of ``method`` matching ``predicate`` among the calls since
        ``since`` (default: the last queued update or mark()); waits for it if needed."""
        canonical = self.spec.canonical(method) or method
        start = self._mark if since is None else since

        def find() -> Call | None:
            for call in self.calls[start:]:
                if (
                    call.done
                    and call.method == canonical
                    and (predicate is None or predicate(call))
                ):
                    return call
            return None

        found: Call | None = await self._wait(find, timeout)
        if found is None:
            raise AssertionError(
                f"no {canonical} call matched within {timeout} s; calls since #{start}: "
                f"{self.calls[start:][-20:]}; violations: {self.violations}"
            )
        return found

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's deadline, not an I/O timeout
        *,
        since: int | None = None,
        include_edits: bool = False,
    ) -> JSON:
        """The first message the bot sent to ``chat_id`` (text or caption containing
        ``contains``) since ``since`` (default: the last queued update or mark())."""
        methods = {"sendMessage", "sendDocument", "sendPhoto", "forwardMessage", "copyMessage"}
        if include_edits:
            methods |= {"editMessageText", "editMessageCaption", "editMessageReplyMarkup"}

        def match(call: Call) -> bool:
            message = self._message_of(call)
            if message is None or message["chat"]["id"] != chat_id:
                return False
            body = message.get("text") or message.get("caption") or ""
            return contains is None or contains in body

        start = self._mark if since is None else since

        def find() -> Call | None:
            for call in self.calls[start:]:
                if call.done and call.ok and call.method in methods and match(call):
                    return call
            return None

        found = await self._wait(find, timeout)
        if found is None:
            there = [m.get("text") or m.get("caption") for m in self.sent_messages(chat_id)]
            raise AssertionError(
                f"the bot sent no message to {chat_id} containing {contains!r} within {timeout} s;"
                f" its messages there: {there}; violations: {self.violations}"
            )
        message = self._message_of(found)
        assert message is not None
        return message

    async def wait_polling(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot holds a getUpdates request open (it is polling)."""
        if not await self._wait(lambda: self.held_polls > 0 or None, timeout):
            raise AssertionError(f"nobody polled getUpdates within {timeout} s")

    async def wait_served(
        self,
        update: QueuedUpdate,
        timeout: float = 10.0,  # noqa: ASYNC109 - a test helper's deadline
    ) -> float:
        """Wait until getUpdates delivered ``update``; returns its served_at."""
        served: float | None = await self._wait(lambda: update.served_at, timeout)
        if served is None:
            raise AssertionError(f"update {update.update_id} was not fetched within {timeout} s")
        return served

    # ---- internals: waiting -------------------------------------------------------------

    async def _notify(self) -> None:
        if self._cond is None:
            return
        async with self._cond:
            self._cond.notify_all()

    async def _wait(self, find: Callable[[], Any], timeout: float) -> Any:  # noqa: ASYNC109
        if self._cond is None:
            raise RuntimeError("FakeTelegram is not started")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._cond:
            while True:
                found = find()
                if found is not None or self._closing:
                    return found
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                try:
                    async with asyncio.timeout(remaining):
                        await self._cond.wait()
                except TimeoutError:
                    return find()

    # ---- internals: HTTP ----------------------------------------------------------------

    @staticmethod
    def _json_response(body: JSON, status: int = 200) -> web.Response:
        return web.json_response(
            body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
        )

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        self.violations.append(f"{request.method} {request.path}: not a Bot API URL")
        return self._json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, 404
        )

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        stored = self._paths.get(path)
        if (
            request.match_info["token"] != self.token
            or stored is None
            or stored.size > GET_FILE_LIMIT
        ):
            self.downloads.append((path, 404))
            self.violations.append(f"download {path}: Not Found")
            return self._json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, 404
            )
        if self._download_failures:
            self.downloads.append((path, self._download_failures[0] or 0))
            return await self._failed_download(request, stored.read())
        self.downloads.append((path, 200))
        if self.download_stall > 0:
            return await self._stalled_download(request, stored.read())
        return web.Response(body=stored.read(), content_type="application/octet-stream")

    async def _stalled_download(self, request: web.Request, body: bytes) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Length": str(len(body)), "Content-Type": "application/octet-stream"}
        )
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        await asyncio.sleep(self.download_stall)
        await response.write(body[len(body) // 2 :])
        await response.write_eof()
        return response

    async def _handle_api(self, request: web.Request) -> web.Response:
        call = Call(len(self.calls), request.match_info["method"], {}, time.perf_counter())
        self.calls.append(call)
        status, body = 200, None
        try:
            body = await self._answer(request, call)
        except ApiError as error:
            status, body = error.status, error.body()
            if not call.scripted:
                self.violations.append(f"{call.method}: {error.description}")
        except Exception as error:  # a bug of the fake: answer like a server error, loudly
            status, body = 500, ApiError(500, f"Internal Server Error: {error!r}").body()
            self.violations.append(f"{call.method}: the fake crashed: {error!r}")
        finally:
            call.status = status if body is not None else 0
            call.response = body
            call.done_time = time.perf_counter()
            await self._notify()
        return self._json_response(body, status)

    def _check_rate(self, call: Call) -> None:
        now = call.time
        while self._sent_times and now - self._sent_times[0] >= 1.0:
            self._sent_times.popleft()
        if len(self._sent_times) >= 30:
            retry = max(1, math.ceil(1.0 - (now - self._sent_times[0])))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        chat = call.params.get("chat_id")
        if isinstance(chat, int) and chat < 0:
            times = self._group_times.setdefault(chat, collections.deque())
            while times and now - times[0] >= 60.0:
                times.popleft()
            if len(times) >= 20:
                retry = max(1, math.ceil(60.0 - (now - times[0])))
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry}", {"retry_after": retry}
                )
            times.append(now)
        self._sent_times.append(now)

    async def _answer(self, request: web.Request, call: Call) -> JSON:
        if request.match_info["token"] != self.token:
            raise ApiError(401, "Unauthorized")
        method = self.spec.canonical(call.method)
        if method is None:
            raise ApiError(
                404, f"Not Found: method '{call.method}' is not in Bot API {self.spec.version}"
            )
        call.method = method
        form, json_body, uploads = await self._read_body(request)
        call.files = uploads
        call.params = {**form, **json_body, **uploads}
        call.params = self.spec.parse_request(method, form, json_body, uploads)
        delays = self._delays.get(method)
        if delays:
            await self._sleep(delays.pop(0))
        if self.outage is not None:
            call.scripted = True
            raise ApiError(self.outage, "Bad Gateway" if self.outage == 502 else "Unavailable")
        failures = self._failures.get(method)
        if not failures and method != "getUpdates":
            failures = self._failures.get("*")
        if failures:
            failure = failures.pop(0)
            call.scripted = True
            parameters = {"retry_after": failure.retry_after} if failure.status == 429 else None
            raise ApiError(failure.status, failure.description, parameters)
        if self.enforce_rate_limit and method in SENDING_METHODS:
            self._check_rate(call)
        impl = self._impls.get(method)
        if impl is None:
            raise ApiError(
                501,
                f"Not Implemented: {method} is valid Bot API but the fake does not implement it",
            )
        result = await impl(call.params)
        returns = self.spec.methods[method].get("returns", [])
        error = self.spec.check(result, returns, "result")
        if error:  # a bug of the fake itself
            raise ApiError(500, f"Internal Server Error: the fake built an invalid result: {error}")
        return {"ok": True, "result": result}

    async def _sleep(self, seconds: float) -> None:
        await self._wait(lambda: None, seconds)

    async def _read_body(
        self, request: web.Request
    ) -> tuple[dict[str, str], JSON, dict[str, Upload]]:
        form: dict[str, str] = dict(request.query)
        json_body: JSON = {}
        uploads: dict[str, Upload] = {}
        if not request.body_exists:
            return form, json_body, uploads
        content_type = request.content_type
        if content_type == "application/json":
            try:
                parsed = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON body") from None
            if not isinstance(parsed, dict):
                raise bad_request("the JSON body must be an object")
            json_body = parsed
        elif content_type == "application/x-www-form-urlencoded":
            posted = await request.post()
            form.update({k: str(v) for k, v in posted.items()})
        elif content_type == "multipart/form-data":
            total = 0
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    raise bad_request("nested multipart bodies are not supported")
                data = bytes(await part.read())
                total += len(data)
                if total > UPLOAD_LIMIT:
                    raise ApiError(413, "Request Entity Too Large")
                name = part.name or ""
                if part.filename is not None:
                    part_type = part.headers.get("Content-Type")
                    uploads[name] = Upload(name, part.filename, part_type, data)
                else:
                    form[name] = data.decode("utf-8")
        else:
            if await request.read():
                raise bad_request(f"unsupported Content-Type {content_type!r}")
        return form, json_body, uploads

    # ---- internals: chats and messages --------------------------------------------------

    def _now(self) -> int:
        return int(self.clock())

    def _chat_state(self, chat: JSON) -> _ChatState:
        state = self._chats.get(chat["id"])
        if state is None:
            state = self._chats[chat["id"]] = _ChatState(chat=dict(chat))
        else:
            state.chat = dict(chat)
        return state

    @staticmethod
    def _member(user: JSON, status: str) -> JSON:
        if status == "administrator":
            rights = [
                "can_be_edited",
                "is_anonymous",
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories",
            ]
            member = {"status": status, "user": user, **dict.fromkeys(rights, False)}
            member.update(can_manage_chat=True, can_post_messages=True, can_edit_messages=True)
            return member
        if status == "kicked":
            return {"status": status, "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def _observe_update(self, update: JSON) -> None:
        for kind in ("message", "edited_message", "channel_post"):
            message = update.get(kind)
            if isinstance(message, dict) and "chat" in message:
                state = self._chat_state(message["chat"])
                if message["chat"]["type"] == "private":
                    state.started = True
                self._messages[(message["chat"]["id"], message["message_id"])] = message
                if isinstance(message.get("from"), dict):
                    self._users.setdefault(message["from"]["id"], message["from"])

    def _new_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _user_message(
        self, user: JSON, chat: JSON | None, reply_to: Mapping[str, Any] | None
    ) -> TgMessage:
        self._users.setdefault(user["id"], user)
        chat = chat or self.private_chat(user)
        self._chat_state(chat)
        message = TgMessage(
            message_id=self._new_message_id(chat["id"]), date=self._now(), chat=chat
        )
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = user
        if reply_to is not None:
            replied = self._messages.get((chat["id"], reply_to["message_id"]))
            if replied is None:
                raise ValueError("reply_to is not a message of this chat")
            message["reply_to_message"] = self._api_view(replied, nested=True)
        return message

    @staticmethod
    def _add_caption(message: JSON, caption: str | None) -> None:
        if caption:
            message["caption"] = caption
            entities = detect_entities(caption)
            if entities:
                message["caption_entities"] = entities

    def _hidden_by_privacy(self, message: JSON) -> bool:
        """Privacy mode: in groups the bot gets commands, replies to it and mentions of it."""
        if not self.privacy_mode or message["chat"]["type"] not in ("group", "supergroup"):
            return False
        text = message.get("text") or message.get("caption") or ""
        username = self.bot_user["username"]
        command = re.match(r"/[A-Za-z0-9_]+(?:@(\w+))?", text)
        if command and (command.group(1) is None or command.group(1).lower() == username.lower()):
            return False
        replied = message.get("reply_to_message") or {}
        if (replied.get("from") or {}).get("id") == self.bot_user["id"]:
            return False
        return f"@{username}".lower() not in text.lower()

    async def _deliver(self, message: TgMessage) -> TgMessage:
        kind = "channel_post" if message["chat"]["type"] == "channel" else "message"
        state = self._chats[message["chat"]["id"]]
        if message["chat"]["type"] != "private" and state.bot_status in ("left", "kicked"):
            self._messages[(message["chat"]["id"], message["message_id"])] = dict(message)
            return message  # the bot is not there to see it
        if self._hidden_by_privacy(message):
            self._messages[(message["chat"]["id"], message["message_id"])] = dict(message)
            return message
        message.queued_update = await self.queue_update({kind: dict(message)})
        return message

    def _api_view(self, message: JSON, *, nested: bool = False) -> JSON:
        """A message as the Bot API returns it: only inline keyboards are echoed."""
        view = copy.deepcopy(message)
        markup = view.get("reply_markup")
        if markup is not None and "inline_keyboard" not in markup:
            del view["reply_markup"]
        if nested:
            view.pop("reply_to_message", None)
        return view

    def _message_of(self, call: Call) -> JSON | None:
        result = call.result
        if call.method == "copyMessage" and isinstance(result, dict):
            chat_id = self._resolve_chat(call.params["chat_id"]).chat["id"]
            stored = self._messages.get((chat_id, result["message_id"]))
            return self._api_view(stored) if stored else None
        if isinstance(result, dict) and "message_id" in result and "chat" in result:
            return result
        return None

    def _resolve_chat(self, chat_id: int | str) -> _ChatState:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for state in self._chats.values():
                username = state.chat.get("username", "")
                if state.chat["type"] != "private" and username.lower() == chat_id[1:].lower():
                    return state
            raise bad_request("chat not found")
        try:
            found = self._chats.get(int(chat_id))
        except ValueError:
            raise bad_request("chat not found") from None
        if found is None:
            raise bad_request("chat not found")
        return found

    def _writable_chat(self, chat_id: int | str) -> _ChatState:
        state = self._resolve_chat(chat_id)
        kind = state.chat["type"]
        if kind == "private":
            if state.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not state.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif kind == "channel":
            if state.bot_status != "administrator":
                raise bad_request("need administrator rights in the channel chat")
        elif state.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        elif state.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return state

    def _check_markup(self, markup: JSON | None) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                actions = set(button) - {"text", "icon_custom_emoji_id", "style"}
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")

    def _bot_message(self, state: _ChatState, params: JSON) -> JSON:
        chat = state.chat
        message: JSON = {
            "message_id": self._new_message_id(chat["id"]),
            "date": self._now(),
            "chat": chat,
        }
        if chat["type"] == "channel":
            message["sender_chat"] = chat
        else:
            message["from"] = self.bot_user
        reply = params.get("reply_parameters")
        if reply:
            target = self._resolve_chat(reply.get("chat_id", chat["id"]))
            replied = self._messages.get((target.chat["id"], reply["message_id"]))
            if replied is not None:
                message["reply_to_message"] = self._api_view(replied, nested=True)
            elif not reply.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def _store_bot_message(self, state: _ChatState, message: JSON) -> JSON:
        key = (state.chat["id"], message["message_id"])
        self._messages[key] = message
        self._bot_message_keys.append(key)
        markup = message.get("reply_markup") or {}
        if "keyboard" in markup:
            state.reply_keyboard = markup
        elif markup.get("remove_keyboard"):
            state.reply_keyboard = None
        return self._api_view(message)

    @staticmethod
    def _formatted(
        params: JSON, text_key: str, entities_key: str, limit: int
    ) -> tuple[str, list[JSON]]:
        text, entities = format_text(
            params[text_key], params.get("parse_mode"), params.get(entities_key)
        )
        if text_key == "text" and not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > limit:
            raise bad_request(
                "message is too long" if text_key == "text" else "message caption is too long"
            )
        return text, entities

    def _set_caption(self, message: JSON, params: JSON) -> None:
        if params.get("caption") is None:
            return
        caption, entities = self._formatted(params, "caption", "caption_entities", CAPTION_LIMIT)
        if caption:
            message["caption"] = caption
            if entities:
                message["caption_entities"] = entities

    def _editable(self, params: JSON) -> tuple[_ChatState, JSON]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        if params.get("chat_id") is None or params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        state = self._resolve_chat(params["chat_id"])
        message = self._messages.get((state.chat["id"], params["message_id"]))
        if message is None:
            raise bad_request("message to edit not found")
        if (
            message.get("from", {}).get("id") != self.bot_user["id"]
            and "sender_chat" not in message
        ):
            raise bad_request("message can't be edited")
        return state, message

    def _finish_edit(self, state: _ChatState, message: JSON, edited: JSON, params: JSON) -> JSON:
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if markup is None:
            edited.pop("reply_markup", None)  # editing without reply_markup removes the keyboard
        else:
            edited["reply_markup"] = markup
        if all(edited.get(k) == message.get(k) for k in (*MESSAGE_CONTENT_KEYS, "reply_markup")):
            raise bad_request(NOT_MODIFIED)
        edited["edit_date"] = self._now()
        self._messages[(state.chat["id"], message["message_id"])] = edited
        return self._api_view(edited)

    # ---- internals: files ---------------------------------------------------------------

    def _store_file(
        self,
        content: bytes | None,
        *,
        size: int,
        file_name: str | None,
        mime_type: str | None,
        kind: str | None,
        prefix: str,
    ) -> _StoredFile:
        n = next(self._ids)
        stored = _StoredFile(
            file_id=f"{prefix}{n:06d}{os.urandom(12).hex()}",
            file_unique_id=f"AgAD{n:06d}{os.urandom(3).hex()}",
            size=size,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            kind=kind,
        )
        self._files[stored.file_id] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[JSON]:
        sizes: list[JSON] = []
        width, height = stored.width or 1280, stored.height or 960
        longest = max(width, height)
        for limit in (90, 320, 800):
            if longest > limit:
                scale = limit / longest
                thumb = self._store_file(
                    None,
                    size=max(1, int(stored.size * scale * scale)),
                    file_name=None,
                    mime_type="image/jpeg",
                    kind="photo",
                    prefix="AgACAgUAAxkBAAI",
                )
                sizes.append(
                    {
                        "file_id": thumb.file_id,
                        "file_unique_id": thumb.file_unique_id,
                        "width": max(1, round(width * scale)),
                        "height": max(1, round(height * scale)),
                        "file_size": thumb.size,
                    }
                )
        sizes.append(
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": stored.size,
            }
        )
        return sizes

    def _input_file(self, value: Upload | str, kind: str) -> _StoredFile:
        if isinstance(value, Upload):
            mime = value.content_type or "application/octet-stream"
            stored = self._store_file(
                value.data,
                size=value.size,
                file_name=value.filename,
                mime_type=mime,
                kind=kind,
                prefix="BQACAgUAAxkDAAI" if kind == "document" else "AgACAgUAAxkDAAI",
            )
            if kind == "photo":
                dims = _image_size(value.data)
                if dims is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
                stored.width, stored.height = dims
            return stored
        if value.startswith("attach://"):
            raise bad_request(f"attach:// URIs can't be used for this parameter ({value})")
        if re.match(r"https?://", value):
            raise bad_request(
                "wrong file identifier/HTTP URL specified (the fake can't fetch URLs)"
            )
        stored_or_none = self._files.get(value)
        if stored_or_none is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored_or_none.kind not in (None, kind):
            raise bad_request("type of file mismatch")
        return stored_or_none

    # ---- Bot API methods ----------------------------------------------------------------

    async def _true(self, params: JSON) -> bool:
        return True

    async def _get_me(self, params: JSON) -> JSON:
        return dict(self.bot_user)

    async def _set_webhook(self, params: JSON) -> bool:
        url = str(params["url"])
        if url == "":
            return await self._delete_webhook(params)
        if "certificate" in params or "ip_address" in params:
            raise bad_request("the fake serves no custom certificate or fixed IP address")
        parts = urlsplit(url)
        local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
        if not (parts.scheme == "https" and parts.hostname) and not local:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _WEBHOOK_SECRET_FORM.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        connections = int(params.get("max_connections", 40))
        if not 1 <= connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        allowed = params.get("allowed_updates")
        if allowed is not None:
            known = {f["name"] for f in self.spec.types["Update"]["fields"]} - {"update_id"}
            unknown = [a for a in allowed if a not in known]
            if unknown:
                raise bad_request(f"unknown update types in allowed_updates: {unknown}")
            self._allowed_updates = list(allowed)
        if params.get("drop_pending_updates"):
            for update in self._pending:
                update.confirmed = True
            self._pending.clear()
        self.webhook_url = url
        self.webhook_secret = str(secret or "")
        self.webhook_max_connections = connections
        self._poll_generation += 1  # a held long poll ends
        self._start_webhook_workers()
        await self._notify()
        return True

    async def _delete_webhook(self, params: JSON) -> bool:
        self.webhook_url = ""
        self.webhook_secret = ""
        if params.get("drop_pending_updates"):
            for update in self._pending:
                update.confirmed = True
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if self._last_webhook_error is not None:
                info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        return info

    # ---- webhook delivery ---------------------------------------------------------------

    def _start_webhook_workers(self) -> None:
        wanted = self.webhook_concurrency or self.webhook_max_connections
        self._webhook_workers = [t for t in self._webhook_workers if not t.done()]
        while len(self._webhook_workers) < wanted:
            self._webhook_workers.append(asyncio.create_task(self._webhook_worker()))

    def _next_for_webhook(self) -> QueuedUpdate | None:
        if self._closing or not self.webhook_url:
            return None
        for update in list(self._pending):
            if not self._allowed(update):
                update.confirmed = True
                self._pending.remove(update)
                continue
            if update.update_id not in self._in_flight:
                return update
        return None

    async def _webhook_worker(self) -> None:
        assert self._cond is not None
        while not self._closing:
            async with self._cond:
                await self._cond.wait_for(
                    lambda: self._closing or self._next_for_webhook() is not None
                )
                update = self._next_for_webhook()
                if update is None:
                    continue
                self._in_flight.add(update.update_id)
            try:
                await self._deliver_with_retries(update)
            finally:
                self._in_flight.discard(update.update_id)
                await self._notify()

    async def _deliver_with_retries(self, update: QueuedUpdate) -> None:
        for attempt in range(1 + self.webhook_retries):
            if not self.webhook_url:
                return  # deleted meanwhile: left for getUpdates
            status = await self._post_webhook(update.data, self.webhook_secret, None)
            update.served_at = time.perf_counter()
            update.serve_count += 1
            self.webhook_answers.append(status)
            await self._notify()
            if 200 <= status < 300:
                update.confirmed = True
                if update in self._pending:
                    self._pending.remove(update)
                return
            self._last_webhook_error = (self._now(), f"Wrong response from the webhook: {status}")
            if attempt < self.webhook_retries:
                await asyncio.sleep(self.webhook_retry_delay * 2**attempt)
        update.confirmed = True
        if update in self._pending:
            self._pending.remove(update)
        self.webhook_dropped.append(update)

    async def _post_webhook(self, data: JSON, secret: str, url: str | None) -> int:
        assert self._session is not None
        target = url or self.webhook_target or self.webhook_url
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[WEBHOOK_SECRET_HEADER] = secret
        try:
            async with self._session.post(
                target,
                data=json.dumps(data, ensure_ascii=False).encode(),
                headers=headers,
                timeout=ClientTimeout(total=self.webhook_timeout),
            ) as response:
                await response.read()
                return response.status
        except (ClientError, TimeoutError, ValueError):
            return 0

    async def deliver_webhook(
        self,
        update: QueuedUpdate | JSON,
        *,
        secret: str | None = None,
        url: str | None = None,
    ) -> int:
        """POST one update to the webhook right now, without retries (a forged call, or a
        delivery made twice); returns the HTTP status, also kept in ``webhook_answers``.
        ``secret`` defaults to the registered one."""
        if not (url or self.webhook_target or self.webhook_url):
            raise RuntimeError("no webhook url: the bot did not call setWebhook")
        data = update.data if isinstance(update, QueuedUpdate) else dict(update)
        status = await self._post_webhook(
            data, self.webhook_secret if secret is None else secret, url
        )
        self.webhook_answers.append(status)
        await self._notify()
        return status

    async def build_update(self, update: JSON) -> QueuedUpdate:
        """An update with its update_id, validated, recorded as queued but not delivered by
        the fake itself: for ``deliver_webhook``."""
        data = dict(update)
        if "update_id" not in data:
            self._next_update_id += 1
            data = {"update_id": self._next_update_id, **data}
        error = self.spec.check(data, ["Update"], "update")
        if error:
            raise ValueError(f"not a valid Update: {error}")
        self._observe_update(data)
        queued = QueuedUpdate(data["update_id"], data, time.perf_counter(), confirmed=True)
        self.updates.append(queued)
        return queued

    async def wait_webhook_drained(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until every queued update was delivered to the webhook (answered 2xx)."""
        if not await self._wait(
            lambda: (not self._pending and not self._in_flight) or None, timeout
        ):
            raise AssertionError(
                f"{len(self._pending)} updates still undelivered after {timeout} s"
            )

    def _allowed(self, update: QueuedUpdate) -> bool:
        if self._allowed_updates:
            return update.kind in self._allowed_updates
        return update.kind not in NOT_DELIVERED_BY_DEFAULT

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.get("offset")
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        timeout = max(int(params.get("timeout", 0)), 0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            known = {f["name"] for f in self.spec.types["Update"]["fields"]} - {"update_id"}
            unknown = [a for a in allowed if a not in known]
            if unknown:
                raise bad_request(f"unknown update types in allowed_updates: {unknown}")
            self._allowed_updates = list(allowed)
        if offset is not None:
            if offset < 0:
                kept = self._pending[offset:] if -offset < len(self._pending) else self._pending
                confirmed = self._pending[: len(self._pending) - len(kept)]
            else:
                confirmed = [u for u in self._pending if u.update_id < offset]
            for update in confirmed:
                update.confirmed = True
            self._pending = [u for u in self._pending if not u.confirmed]
        self._poll_generation += 1
        generation = self._poll_generation

        def ready() -> list[QueuedUpdate] | None:
            if self._poll_generation != generation:
                return []
            for update in [u for u in self._pending if not self._allowed(u)]:
                update.confirmed = True  # not wanted: Telegram would not have kept it
                self._pending.remove(update)
            return self._pending[:limit] or None

        self.held_polls += 1
        await self._notify()
        try:
            batch = await self._wait(ready, timeout) or []
        finally:
            self.held_polls -= 1
        if self._poll_generation != generation and not batch and not self._closing:
            # A newer getUpdates took over: Telegram answers the older one with 409. Usually the
            # older request's client has gone away (python-telegram-bot stopping its updater).
            await asyncio.sleep(0.2)
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        now = time.perf_counter()
        for update in batch:
            update.served_at = now
            update.serve_count += 1
        return [copy.deepcopy(u.data) for u in batch]

    def _command_key(self, params: JSON) -> str:
        scope = params.get("scope")
        if scope and "chat_id" in scope:
            scope = {**scope, "chat_id": self._resolve_chat(scope["chat_id"]).chat["id"]}
        return _scope_key(scope, params.get("language_code"))

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise bad_request("command description must be 1-256 characters")
        key = self._command_key(params)
        if commands:
            self.commands[key] = copy.deepcopy(commands)
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._command_key(params), []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    def _set_bot_text(self, kind: str) -> Callable[[JSON], Any]:
        async def impl(params: JSON) -> bool:
            self.bot_texts[(kind, params.get("language_code") or "")] = params.get(kind) or ""
            return True

        return impl

    def _get_bot_text(self, kind: str) -> Callable[[JSON], Any]:
        async def impl(params: JSON) -> JSON:
            return {kind: self.bot_texts.get((kind, params.get("language_code") or ""), "")}

        return impl

    async def _send_message(self, params: JSON) -> JSON:
        state = self._writable_chat(params["chat_id"])
        text, entities = self._formatted(params, "text", "entities", TEXT_LIMIT)
        message = self._bot_message(state, params)
        message["text"] = text
        if entities:
            message["entities"] = entities
        return self._store_bot_message(state, message)

    async def _edit_message_text(self, params: JSON) -> JSON:
        if "text" not in params:
            raise bad_request("text must be non-empty")
        state, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(params, "text", "entities", TEXT_LIMIT)
        edited = copy.deepcopy(message)
        edited["text"] = text
        edited.pop("entities", None)
        if entities:
            edited["entities"] = entities
        return self._finish_edit(state, message, edited, params)

    async def _edit_message_caption(self, params: JSON) -> JSON:
        state, message = self._editable(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        edited = copy.deepcopy(message)
        edited.pop("caption", None)
        edited.pop("caption_entities", None)
        self._set_caption(edited, params)
        return self._finish_edit(state, message, edited, params)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        state, message = self._editable(params)
        return self._finish_edit(state, message, copy.deepcopy(message), params)

    async def _delete_message(self, params: JSON) -> bool:
        state = self._resolve_chat(params["chat_id"])
        key = (state.chat["id"], params["message_id"])
        if key not in self._messages:
            raise bad_request("message to delete not found")
        del self._messages[key]
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query_id = params["callback_query_id"]
        if query_id not in self._open_callbacks:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        del self._open_callbacks[query_id]
        if len(params.get("text", "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = dict(params)
        return True

    async def _send_chat_action(self, params: JSON) -> bool:
        self._writable_chat(params["chat_id"])
        if params["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _get_file(self, params: JSON) -> JSON:
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > GET_FILE_LIMIT:
            raise bad_request("file is too big")
        if stored.file_path is None:
            folder = "photos" if stored.kind == "photo" else "documents"
            suffix = Path(stored.file_name or "").suffix or (".jpg" if folder == "photos" else "")
            stored.file_path = f"{folder}/file_{next(self._ids)}{suffix}"
            self._paths[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _send_document(self, params: JSON) -> JSON:
        state = self._writable_chat(params["chat_id"])
        stored = self._input_file(params["document"], "document")
        message = self._bot_message(state, params)
        document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        document["file_size"] = stored.size
        message["document"] = document
        self._set_caption(message, params)
        return self._store_bot_message(state, message)

    async def _send_photo(self, params: JSON) -> JSON:
        state = self._writable_chat(params["chat_id"])
        stored = self._input_file(params["photo"], "photo")
        message = self._bot_message(state, params)
        message["photo"] = self._photo_sizes(stored)
        self._set_caption(message, params)
        return self._store_bot_message(state, message)

    def _source_message(self, params: JSON, verb: str) -> JSON:
        source_chat = self._resolve_chat(params["from_chat_id"])
        source = self._messages.get((source_chat.chat["id"], params["message_id"]))
        if source is None:
            raise bad_request(f"message to {verb} not found")
        return source

    async def _copy_message(self, params: JSON) -> JSON:
        source = self._source_message(params, "copy")
        state = self._writable_chat(params["chat_id"])
        message = self._bot_message(state, params)
        for key in MESSAGE_CONTENT_KEYS:
            if key in source:
                message[key] = copy.deepcopy(source[key])
        if "caption" in params:
            message.pop("caption", None)
            message.pop("caption_entities", None)
            self._set_caption(message, params)
        self._store_bot_message(state, message)
        return {"message_id": message["message_id"]}

    async def _forward_message(self, params: JSON) -> JSON:
        source = self._source_message(params, "forward")
        state = self._writable_chat(params["chat_id"])
        message = self._bot_message(state, {})
        for key in MESSAGE_CONTENT_KEYS:
            if key in source:
                message[key] = copy.deepcopy(source[key])
        origin: JSON = {"type": "user", "date": source["date"]}
        if source["chat"]["type"] == "channel":
            origin.update(type="channel", chat=source["chat"], message_id=source["message_id"])
        elif "sender_chat" in source:
            origin.update(type="chat", sender_chat=source["sender_chat"])
        else:
            origin["sender_user"] = source["from"]
        message["forward_origin"] = origin
        return self._store_bot_message(state, message)

    async def _get_chat(self, params: JSON) -> JSON:
        state = self._resolve_chat(params["chat_id"])
        return {
            **state.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _get_chat_member(self, params: JSON) -> JSON:
        state = self._resolve_chat(params["chat_id"])
        user_id = params["user_id"]
        if user_id == self.bot_user["id"]:
            return self._member(self.bot_user, state.bot_status)
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if state.chat["type"] == "private":
            return self._member(user, "member")
        return self._member(user, "administrator" if user_id in state.admins else "member")


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF, WebP or BMP image; None if it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"GIF8") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (
                0xC0,
                0xC1,
                0xC2,
                0xC3,
                0xC5,
                0xC6,
                0xC7,
                0xC9,
                0xCA,
                0xCB,
                0xCD,
                0xCE,
                0xCF,
            ):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
        return 1280, 960  # a JPEG whose header we could not walk: Telegram would still take it
    return None
