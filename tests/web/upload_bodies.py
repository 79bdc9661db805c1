"""Multipart bodies written by hand, as browsers write them, and small files of each type."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass

BOUNDARY = "----baocaoBoundary7MA4YWxkTrZu0gW"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml" + bytes(64)
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(120)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(50)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100)


@dataclass(frozen=True)
class Part:
    name: str
    content: bytes
    filename: str | None = None
    content_type: str | None = None


def field(name: str, value: str) -> Part:
    return Part(name, value.encode())


def file(filename: str, content: bytes, *, name: str = "tep") -> Part:
    return Part(name, content, filename, "application/octet-stream")


def body(parts: Iterable[Part], *, boundary: str = BOUNDARY, closed: bool = True) -> bytes:
    """A multipart/form-data body; `closed=False` leaves out the closing boundary."""
    out = bytearray()
    for part in parts:
        out += f"--{boundary}\r\n".encode()
        disposition = f'form-data; name="{part.name}"'
        if part.filename is not None:
            disposition += f'; filename="{part.filename}"'
        out += f"Content-Disposition: {disposition}\r\n".encode()
        if part.content_type:
            out += f"Content-Type: {part.content_type}\r\n".encode()
        out += b"\r\n" + part.content + b"\r\n"
    if closed:
        out += f"--{boundary}--\r\n".encode()
    return bytes(out)


async def chunks(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    """`data` in small pieces, so that every rule meets a boundary split across chunks."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def sized(prefix: bytes, size: int) -> bytes:
    """`size` bytes starting with `prefix` (a type's signature)."""
    return prefix + b"x" * (size - len(prefix))


def names(parts: Sequence[Part]) -> list[str | None]:
    return [part.filename for part in parts]
