"""The log format: one line per record, an error id for an error, tracebacks only when asked,
secrets and the tokens in sign-in paths cut out."""

from __future__ import annotations

import logging
import re
import sys

from bot.app import OneLine, RedactSecrets, secrets_of
from bot.config import Settings

TOKEN = "123456789:AAHsecretsecretsecretsecret_xyz"


def record(message: str, *args: object, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = None
    if error is not None:
        try:
            raise error
        except BaseException:
            exc_info = sys.exc_info()
    return logging.LogRecord("baocao", logging.ERROR, __file__, 1, message, args, exc_info)


def written(item: logging.LogRecord, *, tracebacks: bool = False) -> str:
    RedactSecrets([TOKEN]).filter(item)
    return OneLine(tracebacks=tracebacks).format(item)


def test_a_message_over_several_lines_is_one_line() -> None:
    line = written(record("first\nsecond %s", "third\r\nfourth"))
    assert "\n" not in line and line.endswith("first\\nsecond third\\nfourth")


def test_an_error_is_one_line_with_an_id_and_its_type() -> None:
    line = written(record("could not handle %s", "x", error=ValueError(f"bad {TOKEN}\nmore")))
    assert "\n" not in line and "Traceback" not in line
    found = re.search(r"\[error_id=([0-9a-f]{8}) ValueError: bad \*\*\*", line)
    assert found is not None, line
    assert TOKEN not in line


def test_tracebacks_on_demand_stay_on_the_line() -> None:
    line = written(record("boom", error=KeyError(TOKEN)), tracebacks=True)
    assert "\n" not in line and "Traceback (most recent call last):\\n" in line
    assert TOKEN not in line


def test_tokens_in_paths_are_cut() -> None:
    line = written(record("web page failed: GET /dang-nhap/s3cr3t-link?x=1 and /moi/ABCD12"))
    assert "s3cr3t-link" not in line and "ABCD12" not in line
    assert "/dang-nhap/***" in line and "/moi/***" in line
    line = written(record("fetched /zalo/tep/0n3-t1me.pdf"))
    assert "0n3-t1me" not in line


def test_the_database_password_and_metrics_token_are_secrets() -> None:
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql://baocao:p%40ss-w0rd@db.example:5432/baocao",
        metrics_token="m-t0ken-0123456789",
    )
    secrets = secrets_of(config)
    assert "p@ss-w0rd" in secrets and "m-t0ken-0123456789" in secrets
    cleaned = RedactSecrets(secrets).clean("could not connect as baocao:p%40ss-w0rd@db")
    assert "w0rd" not in cleaned
