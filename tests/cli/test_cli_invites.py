"""`baocao invite`, `invite revoke`, `invites` and `status`: messages that say what to do."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from cli_support import run
from fakes.telegram_api import FakeTelegram, find_api_json

from bot.config import Settings

ROOT = Path(__file__).parents[2]
SEED = ROOT / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"


def applied(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    plan = office / "ke-hoach.yaml"
    shutil.copy(SEED, plan)
    assert run(capsys, "plan", "apply", str(plan))[0] == 0


def new_invite(capsys: pytest.CaptureFixture[str], unit: str = "phong-ttbcxb") -> str:
    code, out, _ = run(capsys, "invite", unit)
    assert code == 0
    return out.splitlines()[0].split("Mã: ")[1].split(".")[0]


def test_invite_before_any_plan_says_how_to_apply_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0  # data, but no plan in it
    assert run(capsys, "invite", "phong-ttbcxb") == (
        2,
        "",
        "Chưa nạp kế hoạch nào nên chưa có đơn vị nào để mời (kể cả «phong-ttbcxb»). Hãy nạp "
        "kế hoạch trước: baocao plan apply TỆP-KẾ-HOẠCH.yaml (ví dụ "
        "plans/ke-hoach-dan-chu-co-so-2024.yaml), rồi tạo lại mã mời.\n",
    )


def test_an_unknown_role_lists_the_roles_in_vietnamese(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    applied(capsys, office)
    assert run(capsys, "invite", "van-phong", "--role", "staff") == (
        2,
        "",
        "Không có vai trò «staff». Chọn một trong: head (đầu mối đơn vị), office (cán bộ Văn "
        "phòng), leader (lãnh đạo). Ví dụ: baocao invite van-phong --role office\n",
    )
    code, out, _ = run(capsys, "invite", "van-phong", "--role", "Office")
    assert code == 0 and "(vai trò: cán bộ Văn phòng)" in out


def test_revoke_an_invite(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    applied(capsys, office)
    code = new_invite(capsys)
    assert run(capsys, "invite", "revoke", code) == (
        0,
        f"Đã hủy mã mời {code} của Phòng Thông tin Báo chí và Xuất bản (vai trò: đầu mối đơn "
        "vị). Ai mở đường dẫn mời này sẽ được báo là mã đã bị hủy.\n",
        "",
    )
    status, out, _ = run(capsys, "invite", "revoke", code)
    assert status == 0
    assert out.startswith(f"Mã mời {code} đã bị hủy từ trước (lúc ")
    assert run(capsys, "invites")[1].startswith("Không có mã mời nào còn hiệu lực.")
    row = next(line for line in run(capsys, "invites", "--all")[1].splitlines() if code in line)
    assert "đã hủy" in row


def test_revoke_mistakes_are_explained(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    applied(capsys, office)
    assert run(capsys, "invite", "revoke", "khong-co-ma") == (
        2,
        "",
        "Không có mã mời «khong-co-ma». Xem các mã mời: baocao invites --all\n",
    )
    assert run(capsys, "invite", "revoke") == (
        2,
        "",
        "Thiếu mã mời cần hủy. Cách dùng: baocao invite revoke MÃ-MỜI (xem các mã mời: "
        "baocao invites).\n",
    )
    code, _, err = run(capsys, "invite", "phong-ttbcxb", "abc")
    assert (code, err.startswith("Thừa «abc»: tạo mã mời chỉ cần mã đơn vị")) == (2, True)


def test_status_column_says_what_it_holds(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    applied(capsys, office)
    code, out, _ = run(capsys, "status", "dcs-6-thang-2024")
    assert code == 0
    header = out.splitlines()[1]
    assert header.split() == ["Đơn", "vị", "Đã", "nộp", "Lúc", "Phiên", "bản", "Tình", "trạng"]
    assert "Đúng hạn" not in out


async def test_a_used_invite_cannot_be_revoked_and_a_revoked_one_is_refused_in_chat(
    capsys: pytest.CaptureFixture[str], office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: the Office revokes on the command line, a person opens the link on Telegram."""
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    from bot.app import Runtime

    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    await asyncio.to_thread(applied, capsys, office)
    revoked = await asyncio.to_thread(new_invite, capsys)
    used = await asyncio.to_thread(new_invite, capsys, "phong-cntt-bcvt")
    assert (await asyncio.to_thread(run, capsys, "invite", "revoke", revoked))[0] == 0

    async with FakeTelegram(bot_username="baocao_so_bot") as fake:
        config = Settings(
            _env_file=None,  # type: ignore[call-arg]
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            data_dir=office / "data",
            admins=[],
            reminder_tick=0.1,
        )
        runtime = Runtime(config, poll_timeout=1)
        await runtime.start()
        try:
            await fake.wait_polling()
            an = fake.user(2001, "An")
            await fake.send_text(an, f"/start {revoked}")
            answer = await fake.wait_for_message(2001)
            assert answer["text"] == (
                "Mã mời này đã bị Văn phòng hủy. Hãy liên hệ Văn phòng để được mời lại."
            )
            binh = fake.user(2002, "Bình")
            await fake.send_text(binh, f"/start {used}")
            await fake.wait_for_message(2002, contains="Chào Bình!")
        finally:
            await runtime.stop()
        fake.assert_clean()

    code, out, err = await asyncio.to_thread(run, capsys, "invite", "revoke", used)
    assert (code, out) == (2, "")
    assert err == (
        f"Mã mời {used} đã được dùng (Bình đã đăng ký) nên không hủy được nữa. Muốn gỡ người "
        "này khỏi bot: xem số của họ bằng baocao contacts, rồi chạy baocao contact remove SỐ.\n"
    )
