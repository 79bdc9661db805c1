"""A bug in a command is one line of words for the Office, never a traceback or the token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot.services
from bot.cli import main

TOKEN = "123456789:AAcrash-token-never-shown-0123456789ab"


@pytest.fixture(autouse=True)
def broken_upgrade(office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in `db upgrade` whose error text quotes the token."""
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", TOKEN)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"bug while talking to https://api.example/bot{TOKEN}/getMe")

    monkeypatch.setattr(bot.services, "upgrade_database", broken)


def test_a_bug_is_one_line_of_words_and_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["db", "upgrade"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "lỗi ngoài dự kiến" in err and "RuntimeError" in err
    assert "Traceback" not in err and TOKEN not in err


def test_the_stack_is_shown_on_demand_without_the_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_DEBUG", "1")
    code = main(["db", "upgrade"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" in err and "RuntimeError" in err
    assert TOKEN not in err and "123456789:" not in err.replace("***", "")


def test_a_terminal_that_cannot_show_vietnamese_still_gets_the_answer(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env |= {"PYTHONIOENCODING": "latin-1", "BAOCAO_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "calendar", "2026"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert b"02/01/2026" in done.stdout and b"Traceback" not in done.stderr
