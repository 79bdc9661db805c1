"""Files received over HTTP as they arrive: a multipart body streamed into the file store's
staging area, each file hashed and checked on the way, with nothing kept when anything fails.

Starlette's `request.form()` spools every file to a temporary file before the route sees it,
and only then could limits or types be checked: a 2 GB body would be written out in full to
be refused. Here python-multipart's streaming parser is fed from `request.stream()` and its
callbacks write each file part straight into its staging file: a file one byte over the limit
is refused while it streams, a lying type within its first kilobyte, and memory holds no
more than one chunk of the body at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header

from bot.core import filetypes
from bot.core import formatting as fmt
from bot.core.errors import UserError
from bot.core.model import StagedFile
from bot.core.ports import FileStore

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FILES = 10  # files in one upload
FIELDS_BYTES = 64 * 1024  # the form's small fields together (the CSRF token, a note)
# What a body may carry beyond its files: part headers, boundaries and the small fields.
OVERHEAD = 1024 * 1024


class UploadRefused(UserError):
    """An upload that is not taken, with the HTTP status that says why."""

    def __init__(self, key: str, *, status: int = 400, **params: str | int) -> None:
        super().__init__(key, **params)
        self.status = status


def body_limit(max_file: int) -> int:
    """The largest body an upload may declare: every file at its largest, and the rest."""
    return MAX_FILES * max_file + OVERHEAD


@dataclass
class Upload:
    """What an upload carried: its files, staged (the caller stores or discards them), and its
    small fields."""

    files: list[StagedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class _FilePart:
    name: str
    path: Path
    handle: BinaryIO
    mime_type: str | None
    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256)
    head: bytearray = field(default_factory=bytearray)
    checked: bool = False


class _Receiver:
    """python-multipart's callbacks: headers gathered, file data written and hashed as it
    comes, small fields kept in memory; every rule enforced the moment it can be."""

    def __init__(
        self, store: FileStore, max_file: int, authorized: bool, csrf_ok: Callable[[str], bool]
    ) -> None:
        self.store = store
        self.max_file = max_file
        self.authorized = authorized
        self.csrf_ok = csrf_ok
        self.upload = Upload()
        self.staged: list[Path] = []  # every staging file made, to discard on failure
        self.ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._field: tuple[str, bytearray] | None = None
        self._file: _FilePart | None = None
        self._field_bytes = 0

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self._headers = {}
        self._field = None
        self._file = None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name.clear()
        self._header_value.clear()

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        field_name = _text(options.get(b"name", b""))
        if b"filename" not in options:
            self._field = (field_name, bytearray())
            return
        if not self.authorized:
            # The form puts its token before its files: nothing is written for a forged form.
            raise UploadRefused("web-csrf", status=403)
        raw_name = _text(options[b"filename"])
        if not raw_name:
            return  # a file input left empty: browsers send it with no name and no content
        if len(self.upload.files) >= MAX_FILES:
            raise UploadRefused("web-portal-too-many-files", status=413, limit=MAX_FILES)
        name = filetypes.clean_file_name(raw_name)
        if not name:
            raise UploadRefused("web-portal-file-no-name")
        _refuse_type(filetypes.check_name, name)
        mime = _text(self._headers.get(b"content-type", b"")).strip()[:100] or None
        path = self.store.staging_path(filetypes.suffix(name))
        self.staged.append(path)
        # Written from the parser's callback, in the event loop: each write is one chunk of
        # the body (64 KiB or so) into the page cache, quicker than a hop to a thread.
        self._file = _FilePart(name, path, path.open("wb"), mime)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._field is not None:
            self._field_bytes += len(chunk)
            if self._field_bytes > FIELDS_BYTES:
                raise UploadRefused("web-portal-upload-broken")
            self._field[1].extend(chunk)
            return
        part = self._file
        if part is None:
            if chunk:  # content under an empty file name
                raise UploadRefused("web-portal-file-no-name")
            return
        part.size += len(chunk)
        if part.size > self.max_file:
            raise UploadRefused(
                "web-portal-file-too-big",
                status=413,
                name=part.name,
                limit=fmt.megabytes(self.max_file),
            )
        if len(part.head) < filetypes.HEAD_SIZE:
            part.head += chunk[: filetypes.HEAD_SIZE - len(part.head)]
            if len(part.head) >= filetypes.HEAD_SIZE:
                self._check(part)
        part.digest.update(chunk)
        part.handle.write(chunk)

    def part_end(self) -> None:
        if self._field is not None:
            name, value = self._field
            self._take_field(name, _text(bytes(value)))
            self._field = None
            return
        part, self._file = self._file, None
        if part is None:
            return
        part.handle.close()
        if part.size == 0:
            raise UploadRefused("web-portal-file-empty", name=part.name)
        self._check(part)
        self.upload.files.append(
            StagedFile(part.path, part.name, part.size, part.digest.hexdigest(), part.mime_type)
        )

    def end(self) -> None:
        self.ended = True

    def _check(self, part: _FilePart) -> None:
        if not part.checked:
            _refuse_type(filetypes.check_content, part.name, bytes(part.head))
            part.checked = True

    def _take_field(self, name: str, value: str) -> None:
        if name == "csrf" and not self.authorized:
            if not self.csrf_ok(value):
                raise UploadRefused("web-csrf", status=403)
            self.authorized = True
        self.upload.fields[name] = value

    def close(self) -> None:
        """Close the file being written, if any (after a failure)."""
        if self._file is not None:
            self._file.handle.close()
            self._file = None


async def receive(
    content_type: str,
    chunks: AsyncIterator[bytes],
    *,
    store: FileStore,
    max_file: int,
    authorized: bool,
    csrf_ok: Callable[[str], bool],
) -> Upload:
    """Read a multipart/form-data body from `chunks` into the staging area of `store`.

    `authorized`: the CSRF token came in a header and was checked; else the body's first field
    `csrf` must carry it before any file. Raises UploadRefused (UserError) for what the person
    can mend, and whatever `chunks` raises (a client that went away); in every case the files
    staged so far are discarded, so that nothing of a failed upload stays on the disk.
    """
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("web-portal-upload-broken")
    receiver = _Receiver(store, max_file, authorized, csrf_ok)
    try:
        try:
            parser = MultipartParser(boundary, receiver.callbacks())
            async for chunk in chunks:
                parser.write(chunk)
            parser.finalize()
        except FormParserError:
            raise UploadRefused("web-portal-upload-broken") from None
        if not receiver.ended:  # the body stopped before its closing boundary
            raise UploadRefused("web-portal-upload-broken")
        if not receiver.authorized:
            raise UploadRefused("web-csrf", status=403)
        if not receiver.upload.files:
            raise UploadRefused("web-portal-no-files")
    except BaseException:
        receiver.close()
        for path in receiver.staged:
            store.discard(path)
        raise
    return receiver.upload


def _refuse_type(check: Callable[..., None], *args: object) -> None:
    """Run a check of `filetypes`; a file of the wrong type is 415 Unsupported Media Type."""
    try:
        check(*args)
    except UserError as error:
        raise UploadRefused(error.key, status=415, **error.params) from None


def _text(value: bytes) -> str:
    """A header parameter or field as text: browsers send UTF-8; anything else reads as
    replacement characters rather than failing."""
    return value.decode("utf-8", errors="replace")
