"""The message catalog: every word a user sees comes from bot/core/locale/<lang>/*.ftl."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "vi"


class MessageError(LookupError):
    """A key is missing from the catalog or a variable it needs was not given."""


# A message or term starts a line with its identifier and "=" (Fluent's syntax); what follows
# on indented lines belongs to it.
_ENTRY = re.compile(r"^(-?[A-Za-z][A-Za-z0-9_-]*)[ \t]*=", re.MULTILINE)


class Catalog:
    """One language's messages. `t(key, **args)` fails loudly instead of printing the key.

    Every process (each `baocao` command too) starts by asking for a message, and parsing the
    whole catalog with fluent.syntax took a third of a command's start. So the files are only
    scanned for their keys at first; a file is parsed when one of its messages is first
    asked for, and every file when a message refers to another (rare).
    """

    def __init__(self, locale: str = DEFAULT_LOCALE, directory: Path = LOCALE_DIR) -> None:
        self.locale = locale
        self._bundle = FluentBundle([locale], use_isolating=False)
        self.files = sorted((directory / locale).glob("*.ftl"))
        if not self.files:
            raise MessageError(f"no catalog for locale {locale!r} in {directory}")
        self._where: dict[str, Path] = {}
        for path in self.files:
            for key in _ENTRY.findall(path.read_text(encoding="utf-8")):
                self._where.setdefault(key, path)
        self._parsed: set[Path] = set()

    def _parse(self, path: Path) -> None:
        if path not in self._parsed:
            self._parsed.add(path)
            self._bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))

    def _parse_all(self) -> bool:
        """Parse every file not parsed yet; whether there was any."""
        rest = [path for path in self.files if path not in self._parsed]
        for path in rest:
            self._parse(path)
        return bool(rest)

    def has(self, key: str) -> bool:
        path = self._where.get(key)
        if path is not None:
            self._parse(path)
        return self._bundle.has_message(key)

    def t(self, key: str, /, **args: Any) -> str:
        if not self.has(key):
            raise MessageError(f"message {key!r} is missing from the {self.locale} catalog")
        message = self._bundle.get_message(key)
        if message.value is None:
            raise MessageError(f"message {key!r} has no value")
        values = _plain(args)
        text, errors = self._bundle.format_pattern(message.value, values)
        if errors and self._parse_all():  # it may refer to a message of a file not parsed yet
            text, errors = self._bundle.format_pattern(message.value, values)
        if errors:
            raise MessageError(f"message {key!r}: {errors[0]}")
        return str(text)


def _plain(args: Mapping[str, Any]) -> dict[str, Any]:
    """Pass numbers through (Fluent selects plurals on them); render everything else as text."""
    out: dict[str, Any] = {}
    for name, value in args.items():
        if isinstance(value, bool):
            out[name] = "yes" if value else "no"
        elif isinstance(value, int | float):
            out[name] = value
        elif isinstance(value, datetime):
            out[name] = value.strftime("%d/%m/%Y %H:%M")
        elif isinstance(value, date):
            out[name] = value.strftime("%d/%m/%Y")
        else:
            out[name] = _within_limit(str(value))
    return out


# Fluent refuses a variable longer than 2,500 characters (a guard against runaway expansion)
# and the message fails. Such a value is typed or pasted by mistake (a path, a code); its
# start and end are enough to recognise it.
MAX_VARIABLE = 2000
_HEAD, _TAIL = 1400, 500


def _within_limit(text: str) -> str:
    if len(text) <= MAX_VARIABLE:
        return text
    return text[:_HEAD] + "…" + text[-_TAIL:]


@cache
def catalog(locale: str = DEFAULT_LOCALE) -> Catalog:
    return Catalog(locale)


def t(key: str, /, **args: Any) -> str:
    """The default-language text for `key`."""
    return catalog().t(key, **args)
