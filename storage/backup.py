"""Backups: one tar archive holding a consistent copy of the database, the stored files and a
manifest of their SHA-256; restoring one into an empty place; checking every stored file.

Why tar (uncompressed, POSIX pax): it is read and written as a stream, one member after
another, so neither making nor checking a backup of many gigabytes holds more than a chunk in
memory; it has no size limits to work around (zip needs ZIP64 past 4 GiB); `tar tvf` on any
server lists it; and compressing it would gain little, since submitted files (PDF, DOCX, XLSX,
images) and `pg_dump --format=custom` are compressed already.

Layout of an archive, in this order:
- `database/baocao.db` (SQLite, copied with the online backup API) or `database/baocao.pgdump`
  (PostgreSQL, `pg_dump --format=custom`);
- `files/YYYY/MM/<uuid><ext>`: the file store's tree, as `storage.files` lays it out;
- `manifest.json` last, since it holds the size and SHA-256 of everything written before it.

A backup is written to a hidden temporary file beside its destination and renamed into place,
mode 0600: it holds every report. A restore reads the whole archive and checks every name,
size and hash before it writes anything, and writes only into an empty database and an empty
file store. The manifest carries no signature: it catches a damaged or truncated archive and
hostile names, not someone who rewrites both a file and its hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata as package_metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.errors import UserError
from storage.db import read_connection
from storage.files import FILES_DIR, file_mode, make_private_dirs
from storage.models import report_instance_t, report_t, submission_t, unit_t

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DATABASE_ENTRIES = {SQLITE: "database/baocao.db", POSTGRESQL: "database/baocao.pgdump"}
ARCHIVE_MODE = 0o600
CHUNK = 1024 * 1024
MAX_MANIFEST = 256 * 1024 * 1024  # a manifest of millions of files; beyond it, not ours
# Names of the backups the daily job makes (local time); only these are ever pruned.
AUTOMATIC_NAME = re.compile(r"baocao-(\d{8})-(\d{6})\.tar")
_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# libpq's sslmode values, which asyncpg's `ssl` parameter takes too.
_SSL_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
POSTGRES_LIB = Path("/usr/lib/postgresql")  # where Debian installs each version's tools


class Progress(Protocol):
    """Where long work says how far it got: a phase of `total` units (bytes), then steps."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, amount: int) -> None: ...


class NoProgress:
    """Progress nobody watches (the daily job)."""

    def phase(self, name: str, total: int) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Entry:
    """One member of the archive as the manifest lists it."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    format: int
    baocao_version: str
    schema_revision: str | None
    created_at: str  # ISO 8601, UTC
    database: str  # SQLITE or POSTGRESQL
    entries: tuple[Entry, ...]

    @property
    def database_entry(self) -> str:
        return DATABASE_ENTRIES[self.database]

    @property
    def files(self) -> int:
        return sum(1 for entry in self.entries if entry.path != self.database_entry)

    def to_json(self) -> bytes:
        data = {
            "format": self.format,
            "baocao_version": self.baocao_version,
            "schema_revision": self.schema_revision,
            "created_at": self.created_at,
            "database": self.database,
            "entries": [
                {"path": entry.path, "size": entry.size, "sha256": entry.sha256}
                for entry in self.entries
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        """The manifest in `data`; UserError for anything that is not one this code wrote."""
        try:
            raw = json.loads(data.decode())
        except (UnicodeDecodeError, ValueError):
            raise UserError("backup-error-manifest") from None
        if not isinstance(raw, dict):
            raise UserError("backup-error-manifest")
        version = raw.get("format")
        if version != FORMAT:
            if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT:
                raise UserError("backup-error-format", found=version)
            raise UserError("backup-error-manifest")
        kind, revision = raw.get("database"), raw.get("schema_revision")
        entries, created, made_by = (
            raw.get("entries"),
            raw.get("created_at"),
            raw.get("baocao_version"),
        )
        if (
            kind not in DATABASE_ENTRIES
            or not (revision is None or isinstance(revision, str))
            or not isinstance(entries, list)
            or not isinstance(created, str)
            or not isinstance(made_by, str)
        ):
            raise UserError("backup-error-manifest")
        listed = []
        for item in entries:
            if not isinstance(item, dict):
                raise UserError("backup-error-manifest")
            path, size, digest = item.get("path"), item.get("size"), item.get("sha256")
            if (
                not isinstance(path, str)
                or not isinstance(size, int)
                or isinstance(size, bool)
                or size < 0
                or not isinstance(digest, str)
                or not _SHA256.fullmatch(digest)
            ):
                raise UserError("backup-error-manifest")
            listed.append(Entry(path, size, digest))
        paths = [entry.path for entry in listed]
        if len(set(paths)) != len(paths) or DATABASE_ENTRIES[kind] not in paths:
            raise UserError("backup-error-manifest")
        for path in paths:
            if kind_of_entry(path) not in (kind, FILES_DIR):  # the other kind's database
                raise UserError("backup-error-manifest")
        return cls(FORMAT, made_by, revision, created, kind, tuple(listed))


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    database: str
    files: int
    schema_revision: str | None


@dataclass(frozen=True, slots=True)
class RestoreTarget:
    """Where a backup goes: the database `url` (whose password never leaves this object but to
    the PostgreSQL tools' environment) and the data folder whose `files/` it fills."""

    url: str = field(repr=False)
    data_dir: Path
    group_read: bool = False

    @property
    def kind(self) -> str:
        return database_kind(self.url)


def database_kind(url: str) -> str:
    return SQLITE if make_url(url).get_backend_name() == "sqlite" else POSTGRESQL


def baocao_version() -> str:
    try:
        return package_metadata.version("baocao")
    except package_metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "0"


# ---- making a backup ----------------------------------------------------------------------------


async def create_backup(
    *,
    url: str,
    data_dir: Path,
    destination: Path,
    now: datetime,
    progress: Progress | None = None,
) -> BackupResult:
    """Write a backup of the database at `url` and the file store under `data_dir` to
    `destination`, which appears whole (mode 0600) or not at all.

    The database is copied first and the files after it, so that every file a copied row
    names is in the archive (files are only ever added under new names, or removed).
    """
    progress = progress or NoProgress()
    kind = database_kind(url)
    revision = None
    if kind == POSTGRESQL:
        revision = await _postgres_revision(url)
    return await asyncio.to_thread(
        _write_backup, url, kind, revision, data_dir, destination, now, progress
    )


async def _postgres_revision(url: str) -> str | None:
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return await _revision(connection)
    finally:
        await engine.dispose()


async def _revision(connection: AsyncConnection) -> str | None:
    """The Alembic revision of the connected database; None when it has none."""
    exists = await connection.run_sync(lambda sync: sa.inspect(sync).has_table("alembic_version"))
    if not exists:
        return None
    value = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
    return None if value is None else str(value)


def _write_backup(
    url: str,
    kind: str,
    revision: str | None,
    data_dir: Path,
    destination: Path,
    now: datetime,
    progress: Progress,
) -> BackupResult:
    folder = destination.parent
    if destination.exists():  # a backup never replaces a file
        raise UserError("backup-error-exists", file=str(destination))
    # The database copy lands beside the archive, not in /tmp (often a small tmpfs).
    with tempfile.TemporaryDirectory(dir=folder, prefix=".baocao-backup-") as scratch:
        copy = Path(scratch) / "database"
        progress.phase("database", 0)
        if kind == SQLITE:
            revision = copy_sqlite(_sqlite_path(url), copy)
        else:
            pg_dump(url, copy)
        stored = list(_stored_files(data_dir / FILES_DIR))
        entries: list[Entry] = []
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{destination.name[:40]}.", suffix=".tmp"
        )
        try:
            os.fchmod(handle, ARCHIVE_MODE)
            with os.fdopen(handle, "wb") as stream:
                with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    sizes = sum(size for _, _, size in stored)
                    progress.phase("files", copy.stat().st_size + sizes)
                    with copy.open("rb") as source:
                        entries.append(_add(tar, DATABASE_ENTRIES[kind], source, now, progress))
                    for relative, path, _ in stored:
                        try:
                            source = path.open("rb")
                        except FileNotFoundError:  # removed since it was listed
                            continue
                        with source:
                            entries.append(_add(tar, relative, source, now, progress))
                    manifest = Manifest(
                        format=FORMAT,
                        baocao_version=baocao_version(),
                        schema_revision=revision,
                        created_at=now.isoformat(),
                        database=kind,
                        entries=tuple(entries),
                    )
                    data = manifest.to_json()
                    _add(tar, MANIFEST, _Bytes(data), now, None, size=len(data))
                stream.flush()
                os.fsync(stream.fileno())
                size = stream.tell()
            os.replace(temporary, destination)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    _sync_folder(folder)
    return BackupResult(destination, size, kind, manifest.files, revision)


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


class _Hashing:
    """A reader that hashes and counts what passes through it, and tells `progress`."""

    def __init__(self, source: Any, progress: Progress | None) -> None:
        self.source, self.progress = source, progress
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        chunk: bytes = self.source.read(size)
        self.digest.update(chunk)
        self.count += len(chunk)
        if self.progress is not None:
            self.progress.advance(len(chunk))
        return chunk


def _add(
    tar: tarfile.TarFile,
    name: str,
    source: Any,
    now: datetime,
    progress: Progress | None,
    *,
    size: int | None = None,
) -> Entry:
    info = tarfile.TarInfo(name)
    info.size = os.fstat(source.fileno()).st_size if size is None else size
    info.mode, info.mtime, info.type = 0o600, int(now.timestamp()), tarfile.REGTYPE
    reader = _Hashing(source, progress)
    tar.addfile(info, reader)  # copies exactly `size` bytes; a file that shrank raises OSError
    return Entry(name, info.size, reader.digest.hexdigest())


def _stored_files(root: Path) -> Iterator[tuple[str, Path, int]]:
    """Every regular file of the store's tree, in name order, with its name in the archive.
    The tree's own folder may be a link (the files kept on another disk), as it may for the
    store; links inside it are not followed."""
    if not root.is_dir():
        return
    real = root.resolve()
    for folder, folders, files in os.walk(real):
        folders.sort()
        for name in sorted(files):
            path = Path(folder, name)
            try:
                status = path.lstat()
            except FileNotFoundError:
                continue
            if path.is_file() and not path.is_symlink() and _is_store_name(path, real):
                yield f"{FILES_DIR}/{path.relative_to(real).as_posix()}", path, status.st_size


def _is_store_name(path: Path, root: Path) -> bool:
    """Whether the archive may hold this file under its name (what restore accepts)."""
    return all(_PART.fullmatch(part) for part in path.relative_to(root).parts)


def copy_sqlite(source: Path, target: Path) -> str | None:
    """Copy the SQLite database `source` to the new file `target` with SQLite's online backup
    API and return the copy's schema revision.

    One step (pages=-1): the copy reads one snapshot under a read transaction, which in WAL
    mode lets writers go on meanwhile; copied page by page, a write from another connection
    would restart it, forever under a steady writer. The copy leaves WAL mode so that it is
    one self-contained file.
    """
    if not source.is_file():
        raise UserError("backup-error-no-database", file=str(source))
    origin = sqlite3.connect(f"{source.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise UserError("backup-error-sqlite-damaged", file=str(source))
            try:
                row = copy.execute("SELECT version_num FROM alembic_version").fetchone()
            except sqlite3.OperationalError:  # no such table: never migrated
                row = None
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
            raise UserError("backup-error-sqlite-busy", file=str(source)) from None
        raise UserError("backup-error-sqlite-damaged", file=str(source)) from None
    finally:
        origin.close()
    return None if row is None else str(row[0])


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise UserError("backup-error-no-database", file="-")
    return Path(database)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


# ---- PostgreSQL's tools -------------------------------------------------------------------------


def postgres_tool(name: str) -> str:
    """The path of `pg_dump` or `pg_restore`: on PATH, else the newest under /usr/lib/postgresql
    (Debian installs them there); UserError when there is none."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        POSTGRES_LIB.glob(f"*/bin/{name}"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise UserError("backup-error-no-pg-tool", tool=name)


def libpq_environment(url: URL) -> dict[str, str]:
    """The environment that points libpq's tools at `url`: the password goes in PGPASSWORD,
    never on a command line that `ps` shows to every user."""
    env = dict(os.environ)
    parts = {
        "PGHOST": url.host,
        "PGPORT": None if url.port is None else str(url.port),
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    query = {name: value for name, value in url.query.items() if isinstance(value, str)}
    ssl = query.get("ssl", "").lower()
    if ssl in _SSL_MODES:
        parts["PGSSLMODE"] = ssl
    elif ssl in ("true", "1", "on"):
        parts["PGSSLMODE"] = "require"
    elif ssl in ("false", "0", "off"):
        parts["PGSSLMODE"] = "disable"
    if query.get("timeout", "").split(".")[0].isdigit():
        parts["PGCONNECT_TIMEOUT"] = str(max(2, int(query["timeout"].split(".")[0])))
    parts["PGPASSFILE"] = query.get("passfile")
    parts["PGTARGETSESSIONATTRS"] = query.get("target_session_attrs")
    for name, value in parts.items():
        if value:
            env[name] = str(value)
    env["PGAPPNAME"] = "baocao-backup"
    return env


def _run_tool(name: str, arguments: list[str], url: URL) -> None:
    tool = postgres_tool(name)
    try:
        done = subprocess.run(
            [tool, "--no-password", *arguments],
            env=libpq_environment(url),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError:
        raise UserError("backup-error-no-pg-tool", tool=name) from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        detail = said[-1] if said else str(done.returncode)
        if url.password:
            detail = detail.replace(url.password, "***")
        log.warning("%s failed with status %d: %s", name, done.returncode, detail)
        raise UserError("backup-error-pg-tool", tool=name, detail=detail)


def pg_dump(url: str, target: Path) -> None:
    """Dump the PostgreSQL database at `url` to `target` (`pg_dump --format=custom`): one
    snapshot of the whole database, taken while the bot keeps writing."""
    _run_tool("pg_dump", ["--format=custom", f"--file={target}"], make_url(url))


def pg_restore(url: str, dump: Path) -> None:
    """Load `dump` into the (empty) database at `url` in one transaction: all or nothing."""
    parts = make_url(url)
    name = (parts.database or "").replace("\\", "\\\\").replace("'", "\\'")
    arguments = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run_tool("pg_restore", [*arguments, f"--dbname=dbname='{name}'", str(dump)], parts)


# ---- checking and restoring ---------------------------------------------------------------------


def kind_of_entry(name: str) -> str | None:
    """SQLITE or POSTGRESQL for a database entry, FILES_DIR for a stored file, MANIFEST for the
    manifest; None for a name no archive of ours holds (`../x`, `/etc/x`, `a\\b`...)."""
    if name == MANIFEST:
        return MANIFEST
    for kind, entry in DATABASE_ENTRIES.items():
        if name == entry:
            return kind
    parts = PurePosixPath(name).parts
    if (
        len(parts) >= 2
        and parts[0] == FILES_DIR
        and not name.startswith("/")
        and PurePosixPath(*parts).as_posix() == name
        and all(_PART.fullmatch(part) and part not in (".", "..") for part in parts)
    ):
        return FILES_DIR
    return None


def check_backup(archive: Path, progress: Progress | None = None) -> Manifest:
    """Read the whole archive and check it against its manifest: every name safe, every member
    a plain file, none missing or extra, every size and SHA-256 as listed. Writes nothing.

    Raises UserError naming the first problem."""
    progress = progress or NoProgress()
    if not archive.is_file():
        raise UserError("backup-error-no-file", file=str(archive))
    found: dict[str, tuple[int, str]] = {}
    manifest_data: bytes | None = None
    progress.phase("check", archive.stat().st_size)
    try:
        with _open_archive(archive) as tar:
            for member in tar:
                name = _checked_member(member)
                if name in found or (name == MANIFEST and manifest_data is not None):
                    raise UserError("backup-error-duplicate", name=name)
                source = tar.extractfile(member)
                assert source is not None  # a regular file, checked above
                if name == MANIFEST:
                    if member.size > MAX_MANIFEST:
                        raise UserError("backup-error-manifest")
                    manifest_data = source.read()
                    continue
                reader = _Hashing(source, progress)
                while reader.read(CHUNK):
                    pass
                found[name] = (reader.count, reader.digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError):
        raise UserError("backup-error-damaged", file=str(archive)) from None
    if manifest_data is None:
        raise UserError("backup-error-no-manifest", file=str(archive))
    manifest = Manifest.from_json(manifest_data)
    listed = {entry.path: entry for entry in manifest.entries}
    for name in found:
        if name not in listed:
            raise UserError("backup-error-extra", name=name)
    for name, entry in listed.items():
        if name not in found:
            raise UserError("backup-error-missing-entry", name=name)
        size, digest = found[name]
        if size != entry.size or digest != entry.sha256:
            raise UserError("backup-error-hash", name=name)
    return manifest


def known_revision(revision: str) -> bool:
    """Whether this code's migrations know `revision` (a backup of a newer baocao does not)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from storage.migrate import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _open_archive(archive: Path) -> tarfile.TarFile:
    # "r:" is an uncompressed tar only: what we write; anything else is not ours.
    return tarfile.open(archive, mode="r:")


def _checked_member(member: tarfile.TarInfo) -> str:
    name = member.name
    if kind_of_entry(name) is None:
        raise UserError("backup-error-unsafe-name", name=_printable(name))
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
        raise UserError("backup-error-not-a-file", name=_printable(name))
    return name


def _printable(name: str) -> str:
    return "".join(char if char.isprintable() else "?" for char in name)[:200]


async def target_contents(target: RestoreTarget) -> tuple[list[str], int]:
    """What is already where a restore would write: the database's tables, and how many files
    the store holds. Both empty: the restore may go ahead."""
    if target.kind == SQLITE:
        tables = await asyncio.to_thread(_sqlite_tables, _sqlite_path(target.url))
    else:
        tables = await _postgres_tables(target.url)
    files = await asyncio.to_thread(lambda: len(list(_anything_under(target.data_dir / FILES_DIR))))
    return tables, files


def _anything_under(root: Path) -> Iterator[Path]:
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        yield root
        return
    if not root.is_dir():
        return
    for folder, _, files in os.walk(root):
        for name in files:
            yield Path(folder, name)


def _sqlite_tables(path: Path) -> list[str]:
    wal = Path(f"{path}-wal")
    if not (path.exists() and path.stat().st_size) and not (wal.exists() and wal.stat().st_size):
        return []  # no file, or the empty one `storage.db.database_url_for` makes
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            ).fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError:  # not a database at all: still, something is there
        return [path.name]
    return [str(name) for (name,) in rows]


async def _postgres_tables(url: str) -> list[str]:
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text(
                    "SELECT n.nspname, c.relname FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'"
                    " ORDER BY 1, 2"
                )
            )
            return [name if schema == "public" else f"{schema}.{name}" for schema, name in rows]
    finally:
        await engine.dispose()


async def restore_backup(
    archive: Path, target: RestoreTarget, progress: Progress | None = None
) -> Manifest:
    """Restore `archive` into `target`, which must be empty: checked whole first (see
    `check_backup`), then unpacked into a hidden folder of the data folder, then the database
    put in place in one step (a file renamed, or `pg_restore` in one transaction), then the
    files' tree renamed into place. A failure before the database is in place leaves nothing.

    The restored database keeps the schema revision of the backup: bring it up to date after
    (`storage.migrate.upgrade`)."""
    progress = progress or NoProgress()
    tables, files = await target_contents(target)
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise UserError("backup-error-database-not-empty", count=len(tables), tables=shown)
    if files:
        folder = str(target.data_dir / FILES_DIR)
        raise UserError("backup-error-files-not-empty", count=files, folder=folder)
    manifest = await asyncio.to_thread(check_backup, archive, progress)
    if manifest.database != target.kind:
        if manifest.database == SQLITE:
            raise UserError("backup-error-kind-sqlite")
        raise UserError("backup-error-kind-postgresql")
    if manifest.schema_revision is not None and not known_revision(manifest.schema_revision):
        raise UserError("backup-error-newer-schema", revision=manifest.schema_revision)
    await asyncio.to_thread(_restore_now, archive, manifest, target, progress)
    return manifest


def _restore_now(
    archive: Path, manifest: Manifest, target: RestoreTarget, progress: Progress
) -> None:
    make_private_dirs(target.data_dir, group_read=target.group_read)
    staging = target.data_dir / f".restore-{uuid.uuid4().hex[:12]}"
    sqlite_copy: Path | None = None
    if target.kind == SQLITE:  # beside its place: the rename must not cross file systems
        database = _sqlite_path(target.url)
        make_private_dirs(database.parent, group_read=target.group_read)
        sqlite_copy = database.parent / f".{database.name}.{uuid.uuid4().hex[:12]}.tmp"
    try:
        make_private_dirs(staging, group_read=target.group_read)
        dump = sqlite_copy or staging / "database"
        _unpack(archive, manifest, dump, staging, target.group_read, progress)
        progress.phase("database", 0)
        if sqlite_copy is not None:
            _put_sqlite(sqlite_copy, _sqlite_path(target.url))
        else:
            pg_restore(target.url, dump)
        unpacked = staging / FILES_DIR
        if unpacked.is_dir():
            files_dir = target.data_dir / FILES_DIR
            if files_dir.is_dir():  # empty folders only: checked before
                shutil.rmtree(files_dir)
            os.replace(unpacked, files_dir)
            _sync_folder(target.data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if sqlite_copy is not None:
            sqlite_copy.unlink(missing_ok=True)


def _unpack(
    archive: Path,
    manifest: Manifest,
    database: Path,
    staging: Path,
    group_read: bool,
    progress: Progress,
) -> None:
    """Write every member to its place under `staging` (the database to `database`), checking
    each hash again: the archive may have changed since it was checked."""
    listed = {entry.path: entry for entry in manifest.entries}
    progress.phase("restore", sum(entry.size for entry in manifest.entries))
    try:
        with _open_archive(archive) as tar:
            for member in tar:
                name = _checked_member(member)
                if name == MANIFEST:
                    continue
                entry = listed.get(name)
                if entry is None:
                    raise UserError("backup-error-extra", name=name)
                place = database if name == manifest.database_entry else staging / name
                make_private_dirs(place.parent, group_read=group_read)
                source = tar.extractfile(member)
                assert source is not None
                reader = _Hashing(source, progress)
                handle = os.open(place, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                os.fchmod(handle, file_mode(group_read=group_read))
                with os.fdopen(handle, "wb") as written:
                    while chunk := reader.read(CHUNK):
                        written.write(chunk)
                    written.flush()
                    os.fsync(written.fileno())
                if reader.count != entry.size or reader.digest.hexdigest() != entry.sha256:
                    raise UserError("backup-error-hash", name=name)
    except (tarfile.TarError, EOFError):
        raise UserError("backup-error-damaged", file=str(archive)) from None


def _put_sqlite(copy: Path, database: Path) -> None:
    """Rename the restored copy over the empty database file; the empty file's WAL and shared
    memory go first, or SQLite would replay them onto the copy."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(copy, database)
    _sync_folder(database.parent)


# ---- checking the file store --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A submission whose stored file is not as its row says. `problem`: "missing", "size",
    "hash", "unreadable" or "path" (a path outside the store)."""

    unit: str
    report: str
    instance_key: str
    version: int
    receipt_code: str
    problem: str
    expected_size: int | None = None
    actual_size: int | None = None


@dataclass(frozen=True, slots=True)
class _Stored:
    unit: str
    report: str
    instance_key: str
    version: int
    receipt_code: str
    path: str
    size: int | None
    sha256: str | None


async def check_stored_files(
    engine: AsyncEngine, root: Path, progress: Progress | None = None
) -> tuple[int, list[FileProblem]]:
    """Check that every submission's file exists under `root` with the size and SHA-256 its row
    keeps; returns how many files were checked and the problems, in report, round and unit
    order."""
    from storage.files import LocalFileStore

    progress = progress or NoProgress()
    s, u, r, i = submission_t.c, unit_t.c, report_t.c, report_instance_t.c
    query = (
        sa.select(u.name, r.name, i.key, s.version, s.receipt_code, s.stored_path, s.size, s.sha256)
        .join(unit_t, unit_t.c.id == s.unit_id)
        .join(report_instance_t, report_instance_t.c.id == s.instance_id)
        .join(report_t, report_t.c.id == i.report_id)
        .where(s.stored_path.is_not(None))
        .order_by(r.key, i.due_end, i.key, u.key, s.version)
    )
    async with read_connection(engine) as connection:
        rows = [_Stored(*row) for row in await connection.execute(query)]
    store = LocalFileStore(root)
    return len(rows), await asyncio.to_thread(_check_files, store, rows, progress)


def _check_files(store: Any, rows: list[_Stored], progress: Progress) -> list[FileProblem]:
    progress.phase("verify", sum(row.size or 0 for row in rows))
    problems = []
    for row in rows:
        found = _check_file(store, row, progress)
        if found is not None:
            problems.append(found)
    return problems


def _check_file(store: Any, row: _Stored, progress: Progress) -> FileProblem | None:
    def problem(kind: str, actual: int | None = None) -> FileProblem:
        return FileProblem(
            row.unit,
            row.report,
            row.instance_key,
            row.version,
            row.receipt_code,
            kind,
            row.size,
            actual,
        )

    try:
        path = store.path(row.path)
    except ValueError:
        return problem("path")
    try:
        source: IO[bytes] = path.open("rb")
    except FileNotFoundError:
        progress.advance(row.size or 0)
        return problem("missing")
    except OSError:
        progress.advance(row.size or 0)
        return problem("unreadable")
    with source:
        size = os.fstat(source.fileno()).st_size
        if row.size is not None and size != row.size:
            progress.advance(row.size)
            return problem("size", size)
        reader = _Hashing(source, progress)
        try:
            while reader.read(CHUNK):
                pass
        except OSError:
            return problem("unreadable")
    if row.sha256 is not None and reader.digest.hexdigest() != row.sha256.lower():
        return problem("hash", size)
    return None


# ---- the daily backups --------------------------------------------------------------------------


def automatic_name(local: datetime) -> str:
    """The name of a daily backup made at `local` time: sortable, and recognised by `prune`."""
    return f"baocao-{local:%Y%m%d-%H%M%S}.tar"


def prune_backups(folder: Path, keep: int, *, now: datetime) -> list[Path]:
    """Delete all but the newest `keep` daily backups in `folder` (by the time in their names),
    and what a backup cut short by a crash left there more than a day before `now`; other
    files are never touched. Returns what went."""
    if not folder.is_dir():
        return []
    daily = sorted(path for path in folder.iterdir() if AUTOMATIC_NAME.fullmatch(path.name))
    gone = daily[: max(len(daily) - keep, 0)]
    for path in gone:
        path.unlink(missing_ok=True)
    for path in folder.iterdir():
        hidden = path.name.startswith(".baocao-")
        if not hidden or not (path.name.endswith(".tmp") or path.is_dir()):
            continue
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime < now.timestamp() - 86_400:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                gone.append(path)
    return gone


class BackupTurn:
    """Which of the processes sharing a database makes the daily backups: the one holding a
    lock that the system frees when its holder dies. On PostgreSQL, a session advisory lock
    on a connection kept open for it; on SQLite (whose processes share one machine), an
    exclusive `flock` on a file beside the database. The holder keeps its turn as long as it
    runs; the others skip, and one of them takes the turn at the next run after it stops."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None
        self._lock_file: int | None = None

    async def take(self) -> bool:
        """Whether this process makes the backup now: it held the turn, or it took it."""
        if self.engine.dialect.name == "sqlite":
            return self._take_file()
        return await self._take_advisory()

    def _take_file(self) -> bool:
        if self._lock_file is not None:
            return True
        database = self.engine.url.database or ""
        path = Path(f"{database}.backup-lock")
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            return False
        self._lock_file = handle
        return True

    async def _take_advisory(self) -> bool:
        if self._connection is not None:
            try:
                await self._connection.scalar(sa.text("SELECT 1"))
                return True
            except Exception:  # the server restarted or the link broke: the lock went with it
                log.warning("the connection holding the backup turn was lost", exc_info=True)
                await self._drop()
        connection = await self.engine.connect()
        try:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            place = await connection.scalar(
                sa.text("SELECT current_database() || '.' || current_schema()")
            )
            key = int.from_bytes(
                hashlib.sha256(f"baocao-backup:{place}".encode()).digest()[:8], "big", signed=True
            )
            taken = await connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
            )
        except BaseException:
            await connection.close()
            raise
        if not taken:
            await connection.close()
            return False
        self._connection = connection
        return True

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()

    async def release(self) -> None:
        """Give the turn up (on stop): closing the connection or the file frees the lock."""
        await self._drop()
        if self._lock_file is not None:
            handle, self._lock_file = self._lock_file, None
            os.close(handle)
