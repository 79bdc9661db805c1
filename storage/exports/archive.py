"""The archive as a zip file: stored files streamed in chunks, never whole in memory.

Names go in as UTF-8 (zipfile sets the language-encoding flag, bit 11, on every name that is
not ASCII, so Windows' Explorer, 7-Zip and unzip show Vietnamese as it was sent). Files that
are compressed already (Office documents, PDF, images) are stored as they are: deflating them
costs time and saves nothing. The archive is written to a hidden file beside the destination
and renamed into place at the end, so that a crash or a full disk leaves no half archive.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from bot.core.archive import ArchiveEntry, BytesEntry, StoredEntry, WrittenArchive
from storage.files import LocalFileStore

CHUNK = 1024 * 1024
# Compressed already: stored as they are.
STORED_AS_IS = frozenset(
    {
        ".7z", ".docx", ".gif", ".gz", ".heic", ".jpeg", ".jpg", ".mp4", ".odp", ".ods",
        ".odt", ".pdf", ".png", ".pptx", ".rar", ".webp", ".xlsx", ".zip",
    }
)  # fmt: skip
# Entries unpack readable by their owner, as a file saved from a browser would be.
ENTRY_MODE = 0o644 << 16


class ZipArchiveWriter:
    """Implements bot.core.ports.ArchiveWriter over the local file store."""

    def __init__(self, files: LocalFileStore) -> None:
        self.files = files

    async def write(
        self,
        destination: Path,
        entries: Sequence[ArchiveEntry],
        *,
        closing: Callable[[frozenset[str]], Sequence[ArchiveEntry]],
    ) -> WrittenArchive:
        # Disk-bound for as long as the files take: off the event loop, so the bot still answers.
        return await asyncio.to_thread(self.write_now, destination, entries, closing)

    def write_now(
        self,
        destination: Path,
        entries: Sequence[ArchiveEntry],
        closing: Callable[[frozenset[str]], Sequence[ArchiveEntry]],
    ) -> WrittenArchive:
        handle, temporary = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name[:40]}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w+b") as stream:
                missing = self._fill(stream, entries, closing)
                stream.flush()
                os.fsync(stream.fileno())
                size = stream.tell()
            os.replace(temporary, destination)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return WrittenArchive(size=size, missing=missing)

    def _fill(
        self,
        stream: IO[bytes],
        entries: Sequence[ArchiveEntry],
        closing: Callable[[frozenset[str]], Sequence[ArchiveEntry]],
    ) -> frozenset[str]:
        missing: set[str] = set()
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry in entries:
                if not self._add(archive, entry):
                    missing.add(entry.name)
            for entry in closing(frozenset(missing)):
                if not self._add(archive, entry):
                    missing.add(entry.name)
        return frozenset(missing)

    def _add(self, archive: zipfile.ZipFile, entry: ArchiveEntry) -> bool:
        """Write one entry; False (and nothing written) when its stored file is gone."""
        info = zipfile.ZipInfo(entry.name, date_time=_zip_time(entry))
        info.external_attr = ENTRY_MODE
        info.compress_type = (
            zipfile.ZIP_STORED
            if os.path.splitext(entry.name)[1].lower() in STORED_AS_IS
            else zipfile.ZIP_DEFLATED
        )
        if isinstance(entry, BytesEntry):
            archive.writestr(info, entry.data)
            return True
        try:
            source = self.files.open(entry.stored_path)
        except (FileNotFoundError, ValueError):  # gone, or a path that is not the store's
            return False
        with source:
            size = os.fstat(source.fileno()).st_size
            info.file_size = size
            # zipfile sizes the local header from `file_size`; ZIP64 past 2 GiB in case the
            # file grows while it is read.
            with archive.open(info, "w", force_zip64=size >= 2**31) as target:
                shutil.copyfileobj(source, target, CHUNK)
        return True


def _zip_time(entry: StoredEntry | BytesEntry) -> tuple[int, int, int, int, int, int]:
    moment = entry.modified
    if moment.year < 1980:  # the zip format's epoch
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
