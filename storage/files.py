"""The local file store: a staging area for downloads and the tree of submitted files.

Layout under `root`:
- `.staging/<uuid><ext>`: downloads waiting for their submission row (crash leftovers are swept);
- `files/YYYY/MM/<uuid><ext>`: stored files, the month in UTC of the submission.

Staging and the store share one directory tree, so a file enters the store with one atomic
`os.replace`. A stored name is never derived from the user's file name (that name is kept as
metadata only): the only part of it that may survive is a short, lower-case extension.

Reports and unused invite codes are not for other local users: the data folder and every
folder in it are 0700 and files 0600 whatever the umask (0750 and 0640 with `group_read`, for
a deployment whose backups or readers run as a group). `secure_data_dir` also tightens a
folder created before, on every start.
"""

from __future__ import annotations

import os
import re
import stat
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from bot.core.model import StagedFile

STAGING_DIR = ".staging"
FILES_DIR = "files"
SQLITE_FILES = ("baocao.db", "baocao.db-wal", "baocao.db-shm", "baocao.db-journal")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def safe_suffix(suffix: str) -> str:
    """`suffix` as ".ext" (lower case, 1-8 letters or digits), or "" when it is anything else."""
    suffix = suffix.strip().lower()
    if suffix and not suffix.startswith("."):
        suffix = f".{suffix}"
    return suffix if _SUFFIX.fullmatch(suffix) else ""


def folder_mode(*, group_read: bool = False) -> int:
    return 0o750 if group_read else 0o700


def file_mode(*, group_read: bool = False) -> int:
    return 0o640 if group_read else 0o600


def make_private_dirs(path: Path, *, group_read: bool = False) -> None:
    """`mkdir -p path`, each folder it creates private (`mkdir` alone leaves parents to the
    umask, and applies the umask to the last one)."""
    missing: list[Path] = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=folder_mode(group_read=group_read))
        except FileExistsError:  # another process made it meanwhile
            continue
        os.chmod(folder, folder_mode(group_read=group_read))


def _restrict(path: Path, *, group_read: bool) -> None:
    """Keep the owner's bits of `path`, give its group read (and search) or nothing, others
    nothing."""
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(path.lstat().st_mode):  # chmod would follow it out of the data folder
        return
    group = (0o050 if path.is_dir() else 0o040) if group_read else 0
    wanted = (current & 0o700) | group
    if wanted != current:
        os.chmod(path, wanted)


def secure_data_dir(root: Path, *, group_read: bool = False, stored: bool = True) -> None:
    """Create the data folder private, or tighten one made before (under another umask): the
    folder, the SQLite files, and (with `stored`) the trees of stored and staged files. Nothing
    else in it is touched: the folder may be shared with other things.

    Walking every stored file is for the bot's start; a command that only opens the database
    leaves `stored` off."""
    if root.exists() and not root.is_dir():  # someone's file: not ours to chmod
        raise NotADirectoryError(f"not a folder: {root}")
    make_private_dirs(root, group_read=group_read)
    _restrict(root, group_read=group_read)
    for name in SQLITE_FILES:
        _restrict(root / name, group_read=group_read)
    for tree in (root / FILES_DIR, root / STAGING_DIR) if stored else ():
        if not tree.is_dir() or tree.is_symlink():
            continue
        _restrict(tree, group_read=group_read)
        for folder, folders, files in os.walk(tree):
            for name in (*folders, *files):
                _restrict(Path(folder, name), group_read=group_read)


def create_private_file(path: Path, *, group_read: bool = False) -> None:
    """Create `path` empty and private unless it exists (SQLite then gives its WAL and shared
    memory files the same mode)."""
    try:
        handle = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, file_mode(group_read=group_read)
        )
    except FileExistsError:
        return
    os.close(handle)
    os.chmod(path, file_mode(group_read=group_read))


class LocalFileStore:
    """Files on the local disk under `root` (implements bot.core.ports.FileStore)."""

    def __init__(self, root: Path, *, group_read: bool = False) -> None:
        self.root = root.resolve()
        self.staging = self.root / STAGING_DIR
        self.files = self.root / FILES_DIR
        self.group_read = group_read

    def staging_path(self, suffix: str) -> Path:
        """A fresh path in the staging area; `suffix` is kept only if it is a short extension."""
        make_private_dirs(self.staging, group_read=self.group_read)
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
        make_private_dirs(target.parent, group_read=self.group_read)
        # The downloader created the staged file under the umask.
        os.chmod(source, file_mode(group_read=self.group_read))
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
