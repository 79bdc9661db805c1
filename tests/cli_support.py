"""Running the `baocao` command in-process, as the Office types it, and reading what it said."""

from __future__ import annotations

import pytest

from bot.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`baocao ARGS...`: its exit status, what it printed, and what it printed as errors."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
