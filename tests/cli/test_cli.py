"""The `baocao` command end to end on a real SQLite file: what the Office types and reads."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import run
from malformed_plans import MALFORMED

from bot.core.model import SubmissionKind
from storage.db import make_engine

ROOT = Path(__file__).parents[2]
SEED = ROOT / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"


def seed_copy(folder: Path) -> Path:
    path = folder / "ke-hoach.yaml"
    shutil.copy(SEED, path)
    return path


def test_help_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["plan", "--help"], ["plan", "apply", "--help"], ["invite", "--help"]):
        code, out, _ = run(capsys, *args)
        assert code == 0
        assert "Cách dùng: baocao" in out
        assert "Xem hướng dẫn này rồi thoát." in out
        for english in ("Usage:", "Options", "Show this message", "Arguments", "Commands"):
            assert english not in out


def test_usage_mistakes_are_explained_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "plan", "check") == (
        2,
        "",
        "Thiếu TỆP.\nChạy «baocao plan check --help» để xem hướng dẫn.\n",
    )
    code, _, err = run(capsys, "invite", "phong-ttbcxb", "--role", "boss")
    assert (code, err.splitlines()[0].split(". ")[0]) == (2, "Không có vai trò «boss»")
    code, _, err = run(capsys, "xuat-bao-cao")
    assert (code, err.splitlines()[0]) == (2, "Không có lệnh này.")


def test_check_a_good_plan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "plan", "check", str(SEED))
    assert (code, err.count("Lưu ý:"), "4 trên 4 kỳ báo cáo đã hết hạn" in err) == (0, 1, True)
    assert out == (f"Kế hoạch {SEED} hợp lệ: 5 đơn vị, 4 báo cáo, 4 kỳ báo cáo, 1 lưu ý.\n")


def test_a_bad_plan_exits_2_names_line_and_field_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    plan = seed_copy(office)
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "due_before: 05/06/2024", "due_before: 05/13/2024"
        ),
        encoding="utf-8",
    )
    expected = (
        f"{plan}, dòng 116, mục «reports[dcs-6-thang-2024].due_before»: «05/13/2024» không phải là "
        "ngày hợp lệ. Viết ngày dạng dd/mm/yyyy (ví dụ 05/06/2024) hoặc yyyy-mm-dd (2024-06-05).\n"
        "Kế hoạch có 1 lỗi, chưa ghi gì vào hệ thống. Sửa các lỗi trên rồi chạy lại.\n"
    )
    assert run(capsys, "plan", "check", str(plan)) == (2, "", expected)
    assert run(capsys, "plan", "apply", str(plan)) == (2, "", expected)
    assert not (office / "data").exists()


def test_apply_is_idempotent_and_show_reads_the_applied_plan(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    plan = seed_copy(office)
    code, out, _ = run(capsys, "plan", "apply", str(plan))
    assert code == 0
    assert out.splitlines() == [
        f"Đã nạp kế hoạch {plan}.",
        "Thêm 5 đơn vị: van-phong, ban-giam-doc, phong-ttbcxb, phong-cntt-bcvt, trung-tam-gsdh",
        "Thêm 4 báo cáo: dcs-6-thang-2024, dcs-nam-2024, tong-hop-6-thang-2024, tong-hop-nam-2024",
        "Thêm 4 kỳ báo cáo: dcs-6-thang-2024 (một lần), dcs-nam-2024 (một lần), "
        "tong-hop-6-thang-2024 (một lần), tong-hop-nam-2024 (một lần)",
        # No reminder rows at all: the seed's deadlines are long past, so no moment is left to
        # remind units ahead of them or to summarise for the office
    ]
    assert run(capsys, "plan", "apply", str(plan))[:2] == (
        0,
        f"Kế hoạch {plan} đã được nạp trước đó, không có gì thay đổi.\n",
    )
    code, out, _ = run(capsys, "plan", "show")
    assert code == 0
    assert f"Sở Thông tin và Truyền thông tỉnh Tây Ninh — kế hoạch: {plan}" in out
    assert "trước ngày 05/06/2024 (thứ Tư)" in out
    assert "28/05/2024 (thứ Ba) 08:00" in out
    assert "sau hạn: nhắc mỗi ngày làm việc từ 05/06/2024 (thứ Tư)" in out
    assert "Phòng Công nghệ thông tin, Bưu chính và Viễn thông" in out


def test_show_before_any_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0  # data, but no plan in it
    assert run(capsys, "plan", "show") == (
        2,
        "",
        "Chưa nạp kế hoạch nào. Chạy: baocao plan apply TỆP-KẾ-HOẠCH.yaml\n",
    )


def test_edited_plan_updates_in_place(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    plan = seed_copy(office)
    run(capsys, "plan", "apply", str(plan))
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("name: Trung tâm GSDH TT ", "name: Trung tâm Giám sát điều hành ").replace(
            "due_before: 15/11/2024", "due_before: 18/11/2024"
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "plan", "apply", str(plan))
    assert code == 0
    assert out.splitlines() == [
        f"Đã nạp kế hoạch {plan}.",
        "Cập nhật 1 đơn vị: trung-tam-gsdh",
        "Cập nhật 1 kỳ báo cáo: dcs-nam-2024 (một lần)",
        # no reminder rows: every moment of the 2024 plan is long past
    ]


def submit(office: Path, unit: str, report: str) -> None:
    """The unit's head, registered through an invite, sends a text the way the bot records it."""
    from bot.core.plan.model import Role
    from storage.files import LocalFileStore
    from storage.invites import create_invite
    from storage.repository import SqlRepository

    async def go() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        try:
            now = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)
            repository = SqlRepository(engine, LocalFileStore(office / "data"))
            invite = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=now)
            redemption = await repository.redeem_invite(
                code=invite.code,
                platform="telegram",
                user_id=f"head-of-{unit}",
                chat_id=f"head-of-{unit}",
                display_name="Nguyễn Văn B",
                now=now,
            )
            assert redemption.contact is not None
            (instance,) = await repository.status(report_key=report, now=now)
            await repository.submit(
                instance_id=instance.instance_id,
                unit_key=unit,
                contact_id=redemption.contact.id,
                kind=SubmissionKind.TEXT,
                source_ref=f"cli-test:{unit}:{report}",
                text="Báo cáo đã xong.",
                now=now,
            )
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_removing_a_unit_with_submissions_needs_archive(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    plan = seed_copy(office)
    run(capsys, "plan", "apply", str(plan))
    submit(office, "trung-tam-gsdh", "dcs-6-thang-2024")
    text = plan.read_text(encoding="utf-8")
    start = text.index("  - id: trung-tam-gsdh")
    end = text.index("  # Các phòng, đơn vị khác")
    plan.write_text(text[:start] + text[end:], encoding="utf-8")
    code, out, err = run(capsys, "plan", "apply", str(plan))
    assert (code, out) == (2, "")
    assert "trung-tam-gsdh" in err and "--archive" in err
    code, out, _ = run(capsys, "status", "dcs-6-thang-2024")
    assert "Trung tâm GSDH TT" in out and "1/3 đơn vị đã nộp" in out
    code, out, _ = run(capsys, "plan", "apply", str(plan), "--archive")
    assert code == 0
    assert "Lưu trữ 1 đơn vị: trung-tam-gsdh" in out.splitlines()


def test_status_table(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    submit(office, "phong-ttbcxb", "dcs-6-thang-2024")
    code, out, _ = run(capsys, "status", "dcs-6-thang-2024")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "Báo cáo 6 tháng thực hiện dân chủ ở cơ sở năm 2024 — kỳ một lần, "
        "trước ngày 05/06/2024 (thứ Tư): 1/3 đơn vị đã nộp."
    )
    row = next(line for line in lines if "Phòng Thông tin Báo chí" in line)
    assert "đã nộp" in row and "03/06/2024 10:00" in row and "đúng hạn" in row
    row = next(line for line in lines if "Bưu chính" in line)
    assert "chưa nộp, đã trễ" in row
    assert run(capsys, "status", "khong-co") == (
        2,
        "",
        "Không có báo cáo nào mang mã «khong-co» (hoặc báo cáo này đã được lưu trữ).\n",
    )


def test_invites(
    capsys: pytest.CaptureFixture[str], office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    code, out, _ = run(capsys, "invite", "phong-ttbcxb")
    assert code == 0
    code_line, hint = out.splitlines()
    assert code_line.startswith(
        "Đã tạo mã mời cho Phòng Thông tin Báo chí và Xuất bản (vai trò: đầu mối đơn vị). Mã: "
    )
    invite_code = code_line.split("Mã: ")[1].split(".")[0]
    assert hint.startswith("Chưa biết tên bot nên chưa tạo được đường dẫn.")
    assert f"/start {invite_code}" in hint

    monkeypatch.setenv("BAOCAO_TELEGRAM_BOT_USERNAME", "@baocao_so_bot")
    qr = office / "moi.png"
    code, out, _ = run(
        capsys, "invite", "van-phong", "--role", "office", "--qr", str(qr), "--days", "3"
    )
    assert code == 0
    link = out.splitlines()[1]
    assert link.startswith(
        "Gửi đường dẫn này cho người được mời (dùng một lần): https://t.me/baocao_so_bot?start="
    )
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    code, out, _ = run(capsys, "invites")
    assert code == 0
    assert invite_code in out and "còn hiệu lực" in out and "cán bộ Văn phòng" in out

    assert run(capsys, "invite", "phong-xyz") == (
        2,
        "",
        "Không có đơn vị nào mang mã «phong-xyz» (hoặc đơn vị này đã được lưu trữ).\n",
    )
    code, _, err = run(capsys, "invite", "phong-ttbcxb", "--role", "leader")
    assert code == 2 and "lãnh đạo" in err
    code, _, err = run(capsys, "invite", "phong-ttbcxb", "--qr", str(office / "khong-co" / "x.png"))
    assert code == 2 and "không tồn tại" in err


def test_db_upgrade(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert out.startswith("Cơ sở dữ liệu đã ở phiên bản mới nhất (")


def test_bad_setting_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_INVITE_DAYS", "nhiều")
    assert run(capsys, "db", "upgrade") == (
        2,
        "",
        "Giá trị của biến cấu hình BAOCAO_INVITE_DAYS không hợp lệ. Xem hướng dẫn trong tệp "
        ".env.example.\n",
    )


@pytest.mark.parametrize(("text", "expected"), MALFORMED)
def test_every_malformed_plan_exits_2_with_its_message_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], office: Path, text: str, expected: list[str]
) -> None:
    (office / "ke-hoach.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "plan", "apply", "ke-hoach.yaml")
    assert (code, out) == (2, "")
    assert err.splitlines()[:-1] == expected
    assert err.splitlines()[-1].startswith(f"Kế hoạch có {len(expected)} lỗi, chưa ghi gì")
    assert not (office / "data").exists()


def register(office: Path, unit: str, user_id: str, name: str) -> None:
    from bot.core.plan.model import Role
    from storage.files import LocalFileStore
    from storage.invites import create_invite
    from storage.repository import SqlRepository

    async def go() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        try:
            now = datetime.now(UTC)
            invite = await create_invite(engine, unit_key=unit, role=Role.HEAD, now=now)
            repository = SqlRepository(engine, LocalFileStore(office / "data"))
            await repository.redeem_invite(
                code=invite.code,
                platform="telegram",
                user_id=user_id,
                chat_id=user_id,
                display_name=name,
                username="nguyenvana",
                now=now,
            )
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_contacts_list_move_and_remove(capsys: pytest.CaptureFixture[str], office: Path) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    assert run(capsys, "contacts") == (
        0,
        "Chưa có ai đăng ký. Tạo mã mời: baocao invite MÃ-ĐƠN-VỊ\n",
        "",
    )
    register(office, "phong-ttbcxb", "5550001", "Nguyễn Văn A")
    code, out, _ = run(capsys, "contacts")
    header, _, row = out.splitlines()
    assert header.split() == [
        "Số",
        "Người",
        "liên",
        "hệ",
        "Đơn",
        "vị",
        "Vai",
        "trò",
        "Nền",
        "tảng",
        "Tình",
        "trạng",
        "Đăng",
        "ký",
        "lúc",
    ]
    assert row.startswith("1   Nguyễn Văn A (@nguyenvana)  Phòng Thông tin Báo chí và Xuất bản")
    assert "đầu mối đơn vị" in row and "telegram" in row and "đang hoạt động" in row

    assert run(capsys, "contact", "move", "1", "phong-cntt-bcvt") == (
        0,
        "Đã chuyển Nguyễn Văn A sang Phòng Công nghệ thông tin, Bưu chính và Viễn thông.\n"
        "Chưa nhắn được cho người đó (chưa có BAOCAO_TELEGRAM_TOKEN hoặc không kết nối được "
        "Telegram): hãy báo trực tiếp.\n",
        "",
    )
    code, _, err = run(capsys, "contact", "move", "1", "van-phong-x")
    assert code == 2 and "van-phong-x" in err
    code, out, _ = run(capsys, "contact", "remove", "1")
    assert (code, out.splitlines()[0]) == (
        0,
        "Đã gỡ Nguyễn Văn A (Phòng Công nghệ thông tin, Bưu chính và Viễn thông) khỏi bot.",
    )
    assert run(capsys, "contacts")[1].startswith("Chưa có ai đăng ký.")
    assert "đã gỡ" in run(capsys, "contacts", "--all")[1]
    assert run(capsys, "contact", "remove", "42") == (
        2,
        "",
        "Không có người nào mang số 42 trong danh sách liên hệ của bot.\n",
    )


def test_run_without_a_token_says_how_to_get_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "run") == (
        2,
        "",
        "Chưa có mã bot Telegram. Tạo bot bằng cách nhắn /newbot cho @BotFather trên Telegram, "
        "rồi chép mã bot nhận được vào tệp .env ở thư mục baocao, dòng: BAOCAO_TELEGRAM_TOKEN="
        "mã-bot (xem mẫu trong .env.example). Muốn thử bot ngay trong cửa sổ dòng lệnh, không "
        "cần Telegram: nạp kế hoạch (baocao plan apply TỆP-KẾ-HOẠCH.yaml) rồi gõ baocao chat "
        "--as MÃ-ĐƠN-VỊ. Xem bot làm việc trọn một mùa báo cáo trong chưa đầy một phút: "
        "baocao demo (hoặc make demo).\n",
    )


def test_a_console_chat_keeps_library_chatter_out_of_the_conversation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reminder tick still running when the next is due (a busy machine) made apscheduler
    warn, in English, into the person's terminal: `baocao chat` silences such warnings."""
    import logging

    import bot.app

    scheduler = logging.getLogger("apscheduler")
    monkeypatch.setattr(scheduler, "level", logging.NOTSET)  # as a fresh process has it
    heard: list[bool] = []

    async def a_busy_tick(*args: object, **kwargs: object) -> None:
        heard.append(logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.WARNING))

    monkeypatch.setattr(bot.app, "serve", a_busy_tick)
    assert run(capsys, "plan", "apply", str(SEED))[0] == 0
    assert run(capsys, "chat", "--as", "phong-ttbcxb")[0] == 0
    assert heard == [False]


def test_an_invite_same_as_a_contact_and_where_reminders_reach(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    run(capsys, "plan", "apply", str(seed_copy(office)))
    register(office, "phong-ttbcxb", "5550001", "Nguyễn Văn A")
    code, out, _ = run(capsys, "invite", "--same-as", "1")
    assert code == 0 and "Phòng Thông tin Báo chí và Xuất bản" in out, out
    invite_code = re.search(r"Mã: (\S+)\.", out)
    assert invite_code is not None, out

    async def redeem() -> None:
        from storage.files import LocalFileStore
        from storage.repository import SqlRepository

        engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        try:
            result = await SqlRepository(engine, LocalFileStore(office / "data")).redeem_invite(
                code=invite_code.group(1),
                platform="zalo",
                user_id="z1",
                chat_id="z1",
                display_name="Nguyễn Văn A",
                now=datetime.now(UTC),
            )
            assert result.contact is not None and result.contact.person_id == 1
        finally:
            await engine.dispose()

    asyncio.run(redeem())
    assert run(capsys, "contact", "reach", "1", "Zalo") == (
        0,
        "Từ nay tin nhắc hạn và tóm tắt của Nguyễn Văn A gửi qua Zalo.\n",
        "",
    )
    code, _, err = run(capsys, "contact", "reach", "1", "web")
    assert code != 0 and "không có tài khoản đang dùng trên trang web" in err, err
    code, _, err = run(capsys, "invite", "phong-ttbcxb", "--same-as", "1")
    assert code != 0 and "--same-as" in err
    code, _, err = run(capsys, "invite")
    assert code != 0 and "Cần mã đơn vị" in err
