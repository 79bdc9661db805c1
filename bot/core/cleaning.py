"""What people type, made safe to store and to show: no NUL, no invisible-only text, short."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import PurePath

# Kept control characters: line breaks and tabs belong to multi-line reports.
_KEPT_CONTROLS = frozenset("\n\t")
# Letters and symbols that render as nothing: Hangul fillers, the Braille blank, Mongolian
# vowel separator, combining grapheme joiner.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u034f")
# Format, control, separator and lone combining marks draw nothing by themselves.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})


def storable(text: str) -> str:
    """`text` without what no database should hold: NUL and other control characters (line
    breaks and tabs kept) and lone surrogates, which PostgreSQL and UTF-8 both refuse."""
    return "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in {"Cc", "Cs"}
    )


def is_visible(ch: str) -> bool:
    return ch not in _BLANK_LOOKING and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES


def has_visible(text: str) -> bool:
    """Whether a person would see anything at all in `text`."""
    return any(is_visible(ch) for ch in text)


def clean(text: str) -> str:
    """`storable(text)` without invisible characters at either end.

    Invisible characters inside are kept: zero-width joiners build emoji and some scripts.
    """
    text = storable(text)
    start, end = 0, len(text)
    while start < end and not is_visible(text[start]):
        start += 1
    while end > start and not is_visible(text[end - 1]):
        end -= 1
    return text[start:end]


# Bidirectional controls: in a name they reorder what follows ("bao\u202eexe.pdf" shows as
# "baofdp.exe"), in the name and in the rest of the line that repeats it.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def clean_name(name: str) -> str:
    """`clean(name)` on one line: a name (of a file, a person, a group) is repeated inside
    other text, so it keeps no line breaks or tabs (a space instead) and no bidi controls."""
    kept = "".join(ch for ch in storable(name) if ch not in _BIDI_CONTROLS)
    return clean(re.sub(r"[\n\t]+", " ", kept))


def clean_optional(text: str | None) -> str | None:
    """`clean(text)`, or None when nothing visible is left."""
    if text is None:
        return None
    cleaned = clean(text)
    return cleaned if has_visible(cleaned) else None


def storable_json(value: object) -> object:
    """`value` (decoded JSON) with every string made `storable`, keys included."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, Mapping):
        return {storable(str(key)): storable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable_json(item) for item in value]
    return value


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters: the start of `text` and "…" when it is longer."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def shorten_name(name: str, limit: int) -> str:
    """A file name cut to `limit` characters in the middle, so that its extension still shows."""
    if len(name) <= limit:
        return name
    suffix = PurePath(name).suffix
    if not suffix or len(suffix) > limit // 2:
        return shorten(name, limit)
    return name[: limit - len(suffix) - 1] + "…" + suffix
