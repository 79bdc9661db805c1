"""Starting baocao with what an Office really writes in `.env`: words, never a traceback."""

from __future__ import annotations

import logging
import shutil
import socket
import stat
import sys
from pathlib import Path

import pytest
from cli_support import run

from bot.app import RedactSecrets
from bot.config import Settings

ROOT = Path(__file__).parents[2]
SEED = ROOT / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"

# Every command that reads the settings, with arguments that would otherwise work.
COMMANDS = (
    ("db", "upgrade"),
    ("plan", "apply", str(SEED)),
    ("plan", "show"),
    ("invite", "van-phong"),
    ("invites",),
    ("status",),
    ("contacts",),
    ("contact", "remove", "1"),
    ("run",),
)


def closed_port_url() -> str:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/bot"


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("BAOCAO_REMINDER_TICK", "abc", "BAOCAO_REMINDER_TICK"),
        ("BAOCAO_INVITE_DAYS", "0", "BAOCAO_INVITE_DAYS"),
        ("BAOCAO_TIMEZONE", "Asia/Hanoi-typo", "BAOCAO_TIMEZONE «Asia/Hanoi-typo»"),
        ("BAOCAO_TELEGRAM_POLLING", "có", "BAOCAO_TELEGRAM_POLLING"),
        ("BAOCAO_DATABASE_URL", "mysql://u:p@127.0.0.1/baocao", "BAOCAO_DATABASE_URL"),
        ("BAOCAO_TELEGRAM_API_URL", "127.0.0.1:8081/bot", "BAOCAO_TELEGRAM_API_URL"),
        ("BAOCAO_TELEGRAM_TOKEN", "'123456:abc def", "BAOCAO_TELEGRAM_TOKEN"),
    ],
)
def test_a_mistyped_setting_is_named_by_every_command(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: str,
    named: str,
) -> None:
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv(setting, value)
    for command in COMMANDS:
        code, _, err = run(capsys, *command)
        assert code == 2, (command, err)
        assert len(err.splitlines()) == 1 and named in err, (command, err)
        assert "abc def" not in err  # a token, even a wrong one, is never repeated


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u:p@127.0.0.1/baocao",
        "postgresql+psycopg2://postgres@127.0.0.1/test",
        "khong-phai-dia-chi",
        "sqlite://",
        "postgresql://",
    ],
)
def test_a_database_url_baocao_cannot_use_lists_the_forms_it_can(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("BAOCAO_DATABASE_URL", url)
    code, out, err = run(capsys, "db", "upgrade")
    assert (code, out) == (2, "")
    assert err.startswith("BAOCAO_DATABASE_URL không đúng dạng.")
    assert "postgresql://" in err and "sqlite:///" in err and len(err.splitlines()) == 1
    assert ":p@" not in err  # a password in the URL is never repeated


def test_database_urls_as_people_write_them_are_accepted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    for written, meant in (
        ("postgresql://u:p@db:5432/baocao", "postgresql+asyncpg://u:p@db:5432/baocao"),
        ("postgres://u@db/baocao", "postgresql+asyncpg://u@db/baocao"),
        ("postgresql+asyncpg://u@db/baocao", "postgresql+asyncpg://u@db/baocao"),
        ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        (" sqlite+aiosqlite:////srv/x.db ", "sqlite+aiosqlite:////srv/x.db"),
    ):
        assert Settings(_env_file=None, database_url=written).database_url == meant  # type: ignore[call-arg]
    monkeypatch.setenv("BAOCAO_DATABASE_URL", "sqlite:///rieng.db")
    code, _, err = run(capsys, "db", "upgrade")
    assert (code, err) == (0, "")
    assert (office / "rieng.db").is_file()


def test_an_unreachable_database_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port_url().split(":")[2].split("/")[0]
    monkeypatch.setenv("BAOCAO_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{port}/test")
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", "123:abc")
    for command in (("db", "upgrade"), ("invites",), ("run",)):
        code, out, err = run(capsys, *command)
        assert (code, out) == (2, ""), command
        assert err.startswith("Không mở được cơ sở dữ liệu") and len(err.splitlines()) == 1


def test_empty_lines_copied_from_env_example_mean_unset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    monkeypatch.delenv("BAOCAO_DATA_DIR")
    env = (ROOT / ".env.example").read_text(encoding="utf-8")
    (office / ".env").write_text(env, encoding="utf-8")
    assert "BAOCAO_TELEGRAM_TOKEN=\n" in env and "BAOCAO_DATABASE_URL=\n" in env
    assert run(capsys, "plan", "apply", str(SEED))[0] == 0
    code, out, err = run(capsys, "invite", "phong-ttbcxb")
    assert (code, err) == (0, "")
    assert "Chưa biết tên bot nên chưa tạo được đường dẫn." in out  # no token: just the code
    assert (office / "data" / "baocao.db").is_file()  # empty database URL: SQLite in data/
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_token="  ",
        telegram_api_url="",
        telegram_bot_username=" ",
        database_url="",
    )
    assert (config.telegram_token, config.telegram_api_url) == (None, None)
    assert (config.telegram_bot_username, config.database_url) == (None, None)
    code, _, err = run(capsys, "run")
    assert code == 2 and err.startswith("Chưa có mã bot Telegram.")


def test_the_token_is_cut_out_of_every_log_record() -> None:
    token = "555000111:AAsecretTokenThatMustNeverLeak_9x"
    redact = RedactSecrets([token])
    handler = logging.StreamHandler(sys.stderr)
    try:
        raise RuntimeError(f"The token `{token}` was rejected by the server.")
    except RuntimeError:
        record = logging.LogRecord(
            "telegram.ext.Updater",
            logging.ERROR,
            __file__,
            1,
            "polling %s failed",
            ("http://h/bot555000111%3AAAsecretTokenThatMustNeverLeak_9x/getUpdates",),
            sys.exc_info(),
        )
    assert redact.filter(record)
    text = handler.format(record)
    assert "AAsecretTokenThatMustNeverLeak" not in text
    assert "polling http://h/bot***/getUpdates failed" in text and "was rejected" in text


# ---- BAOCAO_PLAN at start: applied when its file changed, kept when the Office chose another --


def start_with_plan(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    """`baocao run --apply-plan` up to the point where it reaches for Telegram (nobody there)."""
    code, out, err = run(capsys, "run", "--apply-plan")
    # The seed plan's own warnings (its 2024 deadlines are past) come first.
    last = err.splitlines()[-1]
    assert code == 2 and last.startswith("Không kết nối được với Telegram"), err
    return code, out.splitlines(), err


def test_the_start_plan_is_applied_only_when_its_file_changed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    plan = office / "ke-hoach.yaml"
    shutil.copy(SEED, plan)
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("BAOCAO_TELEGRAM_API_URL", closed_port_url())
    monkeypatch.setenv("BAOCAO_PLAN", "ke-hoach.yaml")

    _, lines, _ = start_with_plan(capsys)
    assert lines[0] == "Đã nạp kế hoạch ke-hoach.yaml."
    _, lines, _ = start_with_plan(capsys)
    assert lines == ["Kế hoạch ke-hoach.yaml không đổi từ lần nạp trước: giữ nguyên."]

    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("due_before: 15/11/2024", "due_before: 18/11/2024"), "utf-8")
    _, lines, _ = start_with_plan(capsys)
    assert lines[0] == "Đã nạp kế hoạch ke-hoach.yaml."
    assert any(line.startswith("Cập nhật") for line in lines)


def test_a_plan_applied_by_hand_since_is_kept_at_start(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    shutil.copy(SEED, office / "ke-hoach.yaml")
    other = office / "ke-hoach-moi.yaml"
    other.write_text(
        SEED.read_text(encoding="utf-8").replace(
            "due_before: 15/11/2024", "due_before: 18/11/2024"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("BAOCAO_TELEGRAM_API_URL", closed_port_url())
    monkeypatch.setenv("BAOCAO_PLAN", "ke-hoach.yaml")
    start_with_plan(capsys)
    assert run(capsys, "plan", "apply", str(other))[0] == 0  # by hand

    _, lines, _ = start_with_plan(capsys)
    assert lines == [
        f"Không nạp ke-hoach.yaml khi khởi động: kế hoạch đang dùng là {other} (Văn phòng đã nạp "
        "bằng lệnh) và được giữ nguyên. Muốn dùng ke-hoach.yaml, chạy: baocao plan apply "
        "ke-hoach.yaml"
    ]
    code, out, _ = run(capsys, "plan", "show")
    assert code == 0 and f"kế hoạch: {other}" in out


def test_an_env_file_not_in_utf8_is_named(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    (office / ".env").write_text("BAOCAO_INVITE_DAYS=3\n", encoding="utf-16")
    for command in COMMANDS:
        code, out, err = run(capsys, *command)
        assert (code, out) == (2, ""), command
        assert err.startswith("Tệp .env không phải văn bản UTF-8") and len(err.splitlines()) == 1


def test_a_data_folder_that_is_a_file_is_named_and_left_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, office: Path
) -> None:
    taken = office / "bao-cao.txt"
    taken.write_text("không phải thư mục", encoding="utf-8")
    taken.chmod(0o644)
    monkeypatch.setenv("BAOCAO_DATA_DIR", str(taken))
    code, out, err = run(capsys, "invites")
    assert (code, out) == (2, "")
    assert "BAOCAO_DATA_DIR" in err and len(err.splitlines()) == 1
    assert stat.S_IMODE(taken.stat().st_mode) == 0o644


def test_a_fault_while_running_is_logged_without_the_token_and_told_in_words(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = "555000111:AAsecretTokenThatMustNeverLeak_9x"
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", token)

    async def faulty_serve(config: Settings, **_: object) -> None:  # a bug quoting the token
        raise RuntimeError(f"could not reach https://api.telegram.org/bot{token}/getMe")

    monkeypatch.setattr("bot.app.serve", faulty_serve)
    code, out, err = run(capsys, "run")
    assert (code, out) == (1, "")
    assert err.startswith("baocao dừng vì một lỗi ngoài dự kiến") and len(err.splitlines()) == 1
    (record,) = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    logged = logging.Formatter().format(record)
    assert "RuntimeError: could not reach https://api.telegram.org/bot***/getMe" in logged
    assert "AAsecretTokenThatMustNeverLeak" not in logged + err


def test_an_api_url_naming_only_the_server_gets_its_bot_path() -> None:
    for written, meant in (
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
        ("https://bot-api.so.gov.vn/bot", "https://bot-api.so.gov.vn/bot"),
        ("http://127.0.0.1:8081/telegram/bot", "http://127.0.0.1:8081/telegram/bot"),
    ):
        config = Settings(_env_file=None, telegram_api_url=written)  # type: ignore[call-arg]
        assert config.telegram_api_url == meant
