"""`baocao chat --as office`: the compiled draft asked for at the console is saved to a folder."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from test_console import UNITS, baocao, chat_once, monthly


async def test_the_office_compiles_at_the_console(tmp_path: Path) -> None:
    (tmp_path / "ke-hoach.yaml").write_text(UNITS + monthly(datetime.now(UTC)), encoding="utf-8")
    await baocao(tmp_path, "plan", "apply", "ke-hoach.yaml")
    document = Document()
    document.add_paragraph("Phòng A báo cáo từ cửa sổ dòng lệnh.")
    buffer = io.BytesIO()
    document.save(buffer)
    (tmp_path / "bao cao.docx").write_bytes(buffer.getvalue())
    sent = await chat_once(tmp_path, "phong-a", "/gui bao cao.docx\n")
    assert "Mã biên nhận:" in sent

    answer = await chat_once(tmp_path, "office", "/tonghop\n")

    assert "Bản tổng hợp (nháp) «Báo cáo tháng», kỳ một lần: 1/1 đơn vị đã nộp" in answer
    saved = tmp_path / "tep-nhan" / "Tổng hợp bc-thang.docx"
    text = [p.text for p in Document(str(saved)).paragraphs]
    assert "Phòng A báo cáo từ cửa sổ dòng lệnh." in text
