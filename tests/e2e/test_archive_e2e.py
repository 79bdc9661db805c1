"""/taitep end to end: the zip over the fake Bot API (sendDocument) and on the console."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from conftest import Office
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram
from test_console import UNITS, baocao, chat_once, monthly

from bot.core.plan.model import Role


async def test_the_office_gets_the_zip_as_a_document(office: Office, fake: FakeTelegram) -> None:
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    await office.register(binh, "phong-b")
    report = fake.add_file(DOCX, file_name="Báo cáo quý — Phòng B.docx", mime_type=DOCX_MIME)
    await fake.send_document(binh, report)
    await fake.wait_for_message(1002, contains="Biên nhận")
    lan = fake.user(1009, "Lan")
    await office.register(lan, "van-phong", Role.OFFICE)
    await fake.send_text(lan, "/taitep bc-quy")
    sent = await fake.wait_for_message(1009, contains="kèm bảng tình hình")
    assert sent["document"]["file_name"] == "Báo cáo quý.zip"
    assert sent["caption"] == (
        "Báo cáo quý — kỳ một lần: 1 tệp của 1/2 đơn vị đã nộp, kèm bảng tình hình."
    )
    content = fake.file_bytes(sent["document"]["file_id"])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.namelist() == ["Phòng B - Báo cáo quý — Phòng B.docx", "Tình hình.xlsx"]
        assert archive.read("Phòng B - Báo cáo quý — Phòng B.docx") == DOCX
        assert all(info.flag_bits & 0x800 for info in archive.infolist())
    assert [c.status for c in fake.calls_to("sendDocument")] == [200]
    # A unit's head asking gets words, not files.
    await fake.send_text(binh, "/taitep")
    refusal = await fake.wait_for_message(1002)
    assert refusal["text"] == "Chỉ Văn phòng và lãnh đạo tải được tệp nén các báo cáo đã nộp."
    assert len(fake.calls_to("sendDocument")) == 1
    assert list((office.data / ".staging").iterdir()) == []


async def test_the_office_gets_the_zip_on_the_console(tmp_path: Path) -> None:
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(datetime.now(UTC)), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    (tmp_path / "Báo cáo tháng.docx").write_bytes(DOCX)
    sent = await chat_once(tmp_path, "phong-a", f"/gui {tmp_path / 'Báo cáo tháng.docx'}\n")
    assert "Mã biên nhận:" in sent
    shown = await chat_once(tmp_path, "office", "/taitep\n")
    assert "Báo cáo tháng — kỳ một lần: 1 tệp của 1/1 đơn vị đã nộp, kèm bảng tình hình." in shown
    assert "Tệp «Báo cáo tháng.zip» đã được lưu tại: " in shown
    saved = tmp_path / "tep-nhan" / "Báo cáo tháng.zip"
    with zipfile.ZipFile(saved) as archive:
        assert archive.namelist() == ["Phòng A - Báo cáo tháng.docx", "Tình hình.xlsx"]
        assert archive.read("Phòng A - Báo cáo tháng.docx") == DOCX
