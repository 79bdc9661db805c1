"""`baocao web login` and `baocao web logout-all`, and the settings of the web app."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_support import run

from bot.config import SEED_PLAN, Settings
from bot.core.i18n import t
from bot.core.plan.model import Role
from bot.core.web_access import LinkState, WebAccessDesk
from bot.services import database
from storage.contacts import SqlContactBook
from storage.invites import SqlInvites
from storage.web_access import SqlWebAccess

ROOT = Path(__file__).resolve().parents[2]


def seeded(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "plan", "apply", str(ROOT / SEED_PLAN))[0] == 0


def link_state(url: str) -> LinkState:
    async def look() -> LinkState:
        async with database(Settings()) as engine:
            access = WebAccessDesk(records=SqlWebAccess(engine), base_url="", clock=_now)
            return (await access.look(urlsplit(url).path.rpartition("/")[2]))[0]

    return asyncio.run(look())


def _now() -> datetime:
    return datetime.now(UTC)


async def register_head() -> int:
    """A unit head registered through a real invite; their contact number."""
    async with database(Settings()) as engine:
        invite = await SqlInvites(engine).create_invite(
            unit_key="phong-ttbcxb", role=Role.HEAD, now=_now(), ttl=timedelta(days=1)
        )
        result = await SqlContactBook(engine).redeem_invite(
            code=invite.code,
            platform="telegram",
            user_id="42",
            chat_id="42",
            display_name="Bùi Thị Dung",
            now=_now(),
        )
    assert result.contact is not None
    return result.contact.id


def test_login_prints_a_fifteen_minute_office_link(capsys: pytest.CaptureFixture[str]) -> None:
    seeded(capsys)
    code, out, err = run(capsys, "web", "login")
    assert (code, err) == (0, "")
    lines = out.strip().splitlines()
    assert lines[0].startswith("Đường liên kết đăng nhập cho Văn phòng (cán bộ Văn phòng)")
    assert lines[1].startswith("http://127.0.0.1:8080/dang-nhap/")
    assert link_state(lines[1]) is LinkState.OPEN


def test_login_for_a_contact_and_an_unknown_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(capsys)
    monkeypatch.setenv("BAOCAO_PUBLIC_URL", "https://baocao.so.example.vn/")
    number = asyncio.run(register_head())
    code, out, err = run(capsys, "web", "login", str(number))
    assert (code, err) == (0, "")
    first, url = out.strip().splitlines()
    assert first.startswith("Đường liên kết đăng nhập cho Bùi Thị Dung (đầu mối đơn vị)")
    assert url.startswith("https://baocao.so.example.vn/dang-nhap/")
    assert link_state(url) is LinkState.OPEN
    code, _, err = run(capsys, "web", "login", "7")
    assert code == 2 and err.strip() == t("cli-web-no-contact", number="7")
    for bad in ("0", "abc"):
        assert run(capsys, "web", "login", bad)[0] == 2


def test_logout_all_says_how_many(capsys: pytest.CaptureFixture[str]) -> None:
    seeded(capsys)
    code, out, _ = run(capsys, "web", "logout-all")
    assert code == 0 and out.strip() == t("cli-web-logged-out", count=0)


@pytest.mark.parametrize(
    ("name", "value"),
    [("BAOCAO_WEB_PORT", "abc"), ("BAOCAO_WEB_PORT", "70000"), ("BAOCAO_WEB_MAX_MB", "0")],
)
def test_a_bad_web_setting_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "web", "logout-all")
    assert code == 2 and name in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["baocao.so.vn", "ftp://x", "https://", "https://x/?a=1"])
def test_a_bad_public_url_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BAOCAO_PUBLIC_URL", value)
    code, _, err = run(capsys, "web", "logout-all")
    assert code == 2 and err.strip() == t("cli-error-public-url")


def test_a_busy_port_stops_run_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded(capsys)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("BAOCAO_WEB", "true")
        monkeypatch.setenv("BAOCAO_WEB_PORT", str(port))
        code, out, err = run(capsys, "run")
    assert code == 2
    assert t("signin-port-busy", host="127.0.0.1", port=str(port)) in err
    assert "Traceback" not in err and "dang-nhap" not in out + err


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("10.255.255.254", "signin-bind-not-here"),  # an address no interface here has
        ("khong-co-may-nay.invalid", "signin-bind-unknown-host"),
    ],
)
def test_an_address_that_cannot_be_opened_is_said_in_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, host: str, reason: str
) -> None:
    seeded(capsys)
    monkeypatch.setenv("BAOCAO_WEB", "true")
    monkeypatch.setenv("BAOCAO_WEB_HOST", host)
    code, out, err = run(capsys, "run")
    assert code == 2
    assert err.strip() == t("signin-port-failed", host=host, port="8080", reason=t(reason))
    assert "Traceback" not in err and "dang-nhap" not in out + err


def test_without_web_or_token_run_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "run")  # BAOCAO_WEB=false here, and no token
    assert code == 2 and err.startswith("Chưa có mã bot Telegram.")
