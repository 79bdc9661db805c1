"""The local file store: staging paths, moving into files/YYYY/MM, safe names, sweeping."""

from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.model import StagedFile
from storage.files import LocalFileStore, safe_suffix, secure_data_dir

WHEN = datetime(2024, 5, 31, 20, 0, tzinfo=UTC)  # 1 June in Hà Nội, still May in UTC


def stage(store: LocalFileStore, data: bytes, suffix: str, name: str) -> StagedFile:
    path = store.staging_path(suffix)
    path.write_bytes(data)
    return StagedFile(
        path=path, original_name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        (".pdf", ".pdf"),
        (".DOCX", ".docx"),
        ("xlsx", ".xlsx"),
        ("", ""),
        (".tar.gz", ""),
        ("/../../etc", ""),
        (".verylongext", ""),
        (". pdf", ""),
        (".pdf\x00", ""),
        (".báo", ""),
    ],
)
def test_safe_suffix(suffix: str, expected: str) -> None:
    assert safe_suffix(suffix) == expected


def test_staging_paths_are_fresh_and_inside(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "data")
    first, second = store.staging_path(".pdf"), store.staging_path("../../x")
    assert first != second
    assert first.parent == second.parent == (tmp_path / "data" / ".staging").resolve()
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", first.name)
    assert re.fullmatch(r"[0-9a-f]{32}", second.name)
    assert first.parent.is_dir()


def test_store_moves_into_the_month_with_a_safe_name(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    data = "Báo cáo 6 tháng".encode() * 100
    staged = stage(store, data, ".PDF", "../../etc/Báo cáo.pdf")

    relative = store.store(staged, when=WHEN)

    assert re.fullmatch(r"files/2024/05/[0-9a-f]{32}\.pdf", relative)
    assert not staged.path.exists()
    with store.open(relative) as stored:
        content = stored.read()
    assert content == data
    assert hashlib.sha256(content).hexdigest() == staged.sha256
    assert store.path(relative) == tmp_path.resolve() / relative


def test_store_refuses_files_outside_staging_and_naive_times(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "data")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    with pytest.raises(ValueError, match="staging"):
        store.store(StagedFile(outside, "secret.txt", 1, "0" * 64), when=WHEN)
    assert outside.exists()
    staged = stage(store, b"x", ".txt", "a.txt")
    with pytest.raises(ValueError, match="naive"):
        store.store(staged, when=datetime(2024, 5, 1))
    assert staged.path.exists()
    with pytest.raises(ValueError, match="staging"):
        store.discard(outside)


@pytest.mark.parametrize(
    "relative",
    ["", "/etc/passwd", "files/../../x", "files", "other/2024/05/a", "files/2024/../../../x"],
)
def test_stored_paths_stay_inside(tmp_path: Path, relative: str) -> None:
    store = LocalFileStore(tmp_path)
    with pytest.raises(ValueError):
        store.path(relative)
    with pytest.raises(ValueError):
        store.remove(relative)


def test_remove_and_discard(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    relative = store.store(stage(store, b"abc", ".txt", "a.txt"), when=WHEN)
    store.remove(relative)
    assert not store.path(relative).exists()
    store.remove(relative)  # missing is fine
    staged = stage(store, b"abc", ".txt", "a.txt")
    store.discard(staged.path)
    assert not staged.path.exists()
    store.discard(staged.path)


def test_unstore_puts_the_file_back(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    staged = stage(store, b"abc", ".txt", "a.txt")
    relative = store.store(staged, when=WHEN)
    store.unstore(relative, staged.path)
    assert staged.path.read_bytes() == b"abc"
    assert not store.path(relative).exists()


def test_sweep_staging_removes_only_old_leftovers(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    assert store.sweep_staging(timedelta(hours=1)) == 0  # no staging directory yet
    old = [stage(store, b"old", ".pdf", "old.pdf").path for _ in range(3)]
    fresh = stage(store, b"new", ".pdf", "new.pdf").path
    two_hours_ago = time.time() - 2 * 3600
    for path in old:
        os.utime(path, (two_hours_ago, two_hours_ago))

    assert store.sweep_staging(timedelta(hours=1)) == 3
    assert not any(path.exists() for path in old)
    assert fresh.exists()
    assert store.sweep_staging(timedelta(hours=1)) == 0


# ---- who may read the data: the owner only, or the owner and a group --------------------------


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask (022), under which a plain mkdir is 0755 and a new file 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("loose_umask")
def test_stored_files_and_their_folders_are_private(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "data")
    relative = store.store(stage(store, b"bao cao", ".pdf", "bc.pdf"), when=WHEN)
    stored = store.path(relative)
    assert mode(stored) == 0o600
    for folder in (stored.parent, stored.parent.parent, store.files, store.staging):
        assert mode(folder) == 0o700, folder


@pytest.mark.usefixtures("loose_umask")
def test_a_group_may_be_let_read(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "data", group_read=True)
    stored = store.path(store.store(stage(store, b"x", ".pdf", "bc.pdf"), when=WHEN))
    assert (mode(stored), mode(stored.parent), mode(store.staging)) == (0o640, 0o750, 0o750)


@pytest.mark.usefixtures("loose_umask")
def test_a_data_folder_made_before_is_tightened_and_nothing_else(tmp_path: Path) -> None:
    data = tmp_path / "data"
    month = data / "files" / "2024" / "05"
    month.mkdir(parents=True, mode=0o755)
    (data / ".staging").mkdir(mode=0o777)
    os.chmod(data / ".staging", 0o777)
    for path in (
        data / "baocao.db",
        data / "baocao.db-wal",
        month / "a.docx",
        data / "ghi-chu.txt",
    ):
        path.write_bytes(b"x")
    os.chmod(month / "a.docx", 0o755)
    secure_data_dir(data)
    assert mode(data) == 0o700
    assert (mode(data / "files"), mode(month), mode(data / ".staging")) == (0o700,) * 3
    assert (mode(data / "baocao.db"), mode(data / "baocao.db-wal")) == (0o600, 0o600)
    assert mode(month / "a.docx") == 0o700  # the owner keeps what it had, others lose all
    assert mode(data / "ghi-chu.txt") == 0o644  # not baocao's: left alone
    secure_data_dir(data, group_read=True)
    assert (mode(data), mode(month), mode(data / "baocao.db")) == (0o750, 0o750, 0o640)


@pytest.mark.usefixtures("loose_umask")
def test_a_new_data_folder_and_its_parents_are_private(tmp_path: Path) -> None:
    secure_data_dir(tmp_path / "srv" / "baocao")
    assert (mode(tmp_path / "srv"), mode(tmp_path / "srv" / "baocao")) == (0o700, 0o700)


def test_a_file_in_the_data_folder_s_place_is_not_touched(tmp_path: Path) -> None:
    taken = tmp_path / "data"
    taken.write_bytes(b"x")
    taken.chmod(0o644)
    with pytest.raises(NotADirectoryError):
        secure_data_dir(taken)
    assert mode(taken) == 0o644
