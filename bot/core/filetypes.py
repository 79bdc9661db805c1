"""Which files a report may come as: the extensions chat takes, and content that matches them.

A name's extension is what the person chose; the first bytes are what the file is. A document
renamed to look like another ("photo.exe" saved as "photo.pdf") is refused by name, so that
the Office never opens a file whose type lies. The signatures are the formats' own magic
numbers: checking a handful of fixed prefixes needs no library (python-magic wants libmagic
installed and would only tell us the same thing, more slowly).
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

from bot.core.cleaning import clean_name, shorten_name
from bot.core.errors import UserError

# Documents a report comes as, and photos sent uncompressed, as files.
ALLOWED_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".zip", ".jpg", ".jpeg", ".png"}
)

# The first bytes read to judge a file; a PDF's header may sit anywhere in its first 1024 bytes.
HEAD_SIZE = 1024

_ZIP = (b"PK\x03\x04",)  # every OOXML and ODF document is a ZIP archive
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # the container of the old Word and Excel files
# What each allowed extension's content starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".doc": _OLE,
    ".xls": _OLE,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".odt": _ZIP,
    ".ods": _ZIP,
    # An empty archive, and one written by a tool that spans volumes, start otherwise.
    ".zip": (*_ZIP, b"PK\x05\x06", b"PK\x07\x08"),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
assert frozenset(SIGNATURES) == ALLOWED_EXTENSIONS, "every allowed extension needs a signature"

# What a photo a platform hands over may be: the platforms re-encode photos as JPEG, but a
# link may serve PNG, GIF or WebP; anything else (an error page, a program) is no photo.
_IMAGES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


# Characters of a file name kept: stored names are never taken from it (storage.files), but it
# is shown on pages, receipts and the Office's archive.
NAME_LIMIT = 200


def clean_file_name(raw: str) -> str:
    """The name a person's file goes by: its last path component only (a browser may send
    "C:\\Users\\...\\x.pdf", a crafted request "../../x.pdf"), without NUL, control or
    bidi characters, in composed Unicode (macOS sends decomposed Vietnamese letters), without
    the dots and spaces Windows drops at the ends, at most NAME_LIMIT characters. "" when
    nothing readable is left."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = clean_name(unicodedata.normalize("NFC", name)).strip(" .")
    return shorten_name(name, NAME_LIMIT) if name else ""


def suffix(name: str) -> str:
    """The extension of `name`, lower case, with its dot ("" when there is none)."""
    return PurePath(name).suffix.lower()


def check_name(name: str) -> None:
    """Refuse a name whose extension chat does not take either (UserError naming the file)."""
    if suffix(name) not in ALLOWED_EXTENSIONS:
        raise UserError("web-portal-file-type", name=name)


def matches(name: str, head: bytes) -> bool:
    """Whether `head`, the first bytes of the file called `name`, is what its extension says."""
    signatures = SIGNATURES.get(suffix(name), ())
    if suffix(name) == ".pdf":
        # Readers accept a PDF header anywhere in the first 1024 bytes (after a mail header,
        # say), and so do we.
        return any(signature in head[:HEAD_SIZE] for signature in signatures)
    return any(head.startswith(signature) for signature in signatures)


def check_content(name: str, head: bytes) -> None:
    """Refuse a file whose first bytes are not of the type its name says (UserError)."""
    if not matches(name, head):
        raise UserError("web-portal-file-lies", name=name, kind=kind_of(name))


def is_photo(head: bytes) -> bool:
    """Whether `head`, the first bytes of a photo a platform handed over, is an image."""
    return head.startswith(_IMAGES) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def kind_of(name: str) -> str:
    """The type a name claims, as people call it ("PDF", "DOCX")."""
    return suffix(name).lstrip(".").upper()
