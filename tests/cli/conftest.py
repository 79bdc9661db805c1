"""What every `baocao` command test starts from: a clean office folder, and a way to run it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def office(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """A clean working folder with no .env and no BAOCAO_ settings from outside.

    A test module sets `COLUMNS` when its tables are wider than 200 characters.
    """
    for name in list(os.environ):
        if name.startswith("BAOCAO_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(tmp_path / "data"))
    # No port opened by `baocao run` unless a test asks for the web app (tests/cli/test_cli_web*).
    monkeypatch.setenv("BAOCAO_WEB", "false")
    columns = getattr(request.module, "COLUMNS", 200)
    monkeypatch.setenv("COLUMNS", str(columns))
    # The CLI's consoles read COLUMNS once, when made: a runner that set it before importing
    # the CLI (pytest-xdist's workers do) would fix their width for every test.
    from bot import cli

    for console in (cli.out, cli.err):
        monkeypatch.setattr(console, "_width", None)
    yield tmp_path
