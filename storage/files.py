"""The local file store: a staging area for downloads and the tree of submitted files.

Layout under `root`:
- `.staging/<uuid><ext>`: downloads waiting for their submission row (crash leftovers are swept);
- `files/YYYY/MM/<uuid><ext>`: stored files, the month in UTC of the submission.

Staging and the store share one directory tree, so a file enters the store with one atomic
`os.replace`. A stored name is never derived from the user's file name (that name is kept as
metadata only): the only part of it that may survive is a short, lower-case extension.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from bot.core.model import StagedFile

STAGING_DIR = ".staging"
FILES_DIR = "files"
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def safe_suffix(suffix: str) -> str:
    """`suffix` as ".ext" (lower case, 1-8 letters or digits), or "" when it is anything else."""
    suffix = suffix.strip().lower()
    if suffix and not suffix.startswith("."):
        suffix = f".{suffix}"
    return suffix if _SUFFIX.fullmatch(suffix) else ""


class LocalFileStore:
    """Files on the local disk under `root` (implements bot.core.ports.FileStore)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.staging = self.root / STAGING_DIR
        self.files = self.root / FILES_DIR

    def staging_path(self, suffix: str) -> Path:
        """A fresh path in the staging area; `suffix` is kept only if it is a short extension."""
        self.staging.mkdir(parents=True, exist_ok=True)
        return self.staging / f"{uuid.uuid4().hex}{safe_suffix(suffix)}"

    def discard(self, path: Path) -> None:
        """Delete a staged file; a missing file is fine. Refuses paths outside the staging area."""
        self._staged(path).unlink(missing_ok=True)

    def store(self, staged: StagedFile, *, when: datetime) -> str:
        """Move a staged file into `files/YYYY/MM/` and return its path relative to the root.

        Raises ValueError for a path outside the staging area or a naive `when`, and
        FileNotFoundError when the staged file is gone.
        """
        source = self._staged(staged.path)
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"naive datetime {when!r}: pass an aware datetime")
        month = when.astimezone(UTC)
        relative = PurePosixPath(
            FILES_DIR,
            f"{month.year:04d}",
            f"{month.month:02d}",
            f"{uuid.uuid4().hex}{safe_suffix(source.suffix)}",
        )
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        return relative.as_posix()

    def unstore(self, relative: str, staged: Path) -> None:
        """Move a stored file back to its staging path (undo `store` when the row failed)."""
        os.replace(self.path(relative), self._staged(staged))

    def path(self, relative: str) -> Path:
        """The absolute path of a stored file. Raises ValueError for a path outside `files/`."""
        parts = PurePosixPath(relative).parts
        if (
            not parts
            or parts[0] != FILES_DIR
            or len(parts) < 2
            or PurePosixPath(relative).is_absolute()
            or any(part in ("..", ".", "") for part in parts)
        ):
            raise ValueError(f"not a stored file path: {relative!r}")
        return self.root.joinpath(*parts)

    def remove(self, relative: str) -> None:
        """Delete a stored file; a missing file is fine."""
        self.path(relative).unlink(missing_ok=True)

    def open(self, relative: str) -> BinaryIO:
        """A stored file, open for reading bytes."""
        return self.path(relative).open("rb")

    def sweep_staging(self, older_than: timedelta) -> int:
        """Delete staged files last modified more than `older_than` ago; return how many."""
        if not self.staging.is_dir():
            return 0
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        for entry in self.staging.iterdir():
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    entry.unlink()
                    removed += 1
            except FileNotFoundError:  # another process swept or stored it meanwhile
                continue
        return removed

    def _staged(self, path: Path) -> Path:
        resolved = path.resolve()
        if resolved.parent != self.staging:
            raise ValueError(f"not a staging path: {path}")
        return resolved
