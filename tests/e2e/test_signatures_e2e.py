"""End to end: a unit sends signed PDFs over the fake Bot API; the receipt says who signed and
whether the file changed since, the office group is warned of a broken signature."""

from __future__ import annotations

import asyncio

from conftest import Office
from fakes.telegram_api import FakeTelegram
from pdf_signing import SIGNER, TestCA, edited_after_signing, plain_pdf, signed_pdf

from bot.core.plan.model import Role


async def test_signed_tampered_and_unsigned_pdfs(office: Office, fake: FakeTelegram) -> None:
    ca = TestCA.make()
    roots = office.data.parent / "ca-goc"
    roots.mkdir()
    ca.write_pem(roots / "ca.pem")
    office.config = office.config.model_copy(update={"trust_roots": roots})
    await office.start_bot()
    binh = fake.user(1002, "Bình")
    mai = fake.user(1005, "Mai")
    await office.register(binh, "phong-b")
    await office.register(mai, "van-phong", Role.OFFICE)
    group = fake.group_chat(-100500, "Văn phòng Sở")
    await fake.send_text(mai, "/nhom", chat=group)
    await fake.wait_for_message(-100500, contains="Đã gắn nhóm")

    signed = await asyncio.to_thread(signed_pdf, ca)  # pyHanko signs in its own event loop
    await fake.send_document(binh, fake.add_file(signed, file_name="bao-cao-quy.pdf"))
    receipt = (await fake.wait_for_message(1002, contains="Biên nhận"))["text"]
    assert receipt.startswith("Biên nhận: đã nhận tệp «bao-cao-quy.pdf» của Phòng B")
    signature = receipt.splitlines()[3]
    assert signature.startswith(f"Chữ ký số: {SIGNER} (Phòng Kế hoạch - Tài chính), ký lúc ")
    assert signature.endswith(": không bị sửa sau khi ký; độ tin cậy của chứng thư số: tin cậy.")
    await fake.wait_for_message(-100500, contains="Phòng B nộp báo cáo")

    edited = edited_after_signing(signed)
    await fake.send_document(binh, fake.add_file(edited, file_name="bao-cao-quy-v2.pdf"))
    receipt = (await fake.wait_for_message(1002, contains="Phiên bản 2"))["text"]
    assert "⚠ CẢNH BÁO: nội dung đã bị sửa sau khi ký" in receipt
    warning = (await fake.wait_for_message(-100500, contains="Chữ ký số có vấn đề"))["text"]
    assert "tệp «bao-cao-quy-v2.pdf» của Phòng B cho báo cáo «Báo cáo quý», phiên bản 2" in warning
    assert "⚠ CẢNH BÁO: nội dung đã bị sửa sau khi ký" in warning

    await fake.send_text(mai, "/tinhhinh", chat=group)
    status = (await fake.wait_for_message(-100500, contains="đơn vị đã nộp"))["text"]
    assert f"   ✍ Chữ ký số: {SIGNER} (Phòng Kế hoạch - Tài chính)" in status
    assert "⚠ CẢNH BÁO: nội dung đã bị sửa sau khi ký" in status

    # An unsigned PDF: the receipt as it always was, and no word to the group.
    before = len(fake.sent_messages(-100500))
    await fake.send_document(binh, fake.add_file(plain_pdf(), file_name="bao-cao-quy-v3.pdf"))
    receipt = (await fake.wait_for_message(1002, contains="Phiên bản 3"))["text"]
    assert len(receipt.splitlines()) == 3 and "Chữ ký số" not in receipt
    await fake.wait_for_message(-100500, contains="phiên bản 3")
    assert len(fake.sent_messages(-100500)) == before + 1
