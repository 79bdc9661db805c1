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
    monkeypatch.setenv("COLUMNS", str(getattr(request.module, "COLUMNS", 200)))
    yield tmp_path
