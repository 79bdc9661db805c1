"""`baocao status` names who signed each unit's latest PDF and warns of a broken signature;
BAOCAO_TRUST_ROOTS that points nowhere is named at start."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_support import run
from pdf_signing import TestCA, flipped, signed_pdf

from bot.core.model import StagedFile, SubmissionKind
from bot.core.plan.model import Role
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.invites import create_invite
from storage.repository import SqlRepository
from storage.signatures import PdfSignatureReader

SEED = Path(__file__).parents[2] / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"
REPORT = "dcs-6-thang-2024"


def submit_pdf(office: Path, unit: str, data: bytes) -> None:
    """The unit's head sends a PDF; its signatures are read and kept as the bot does."""

    async def go() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{office / 'data' / 'baocao.db'}")
        try:
            now = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)
            files = LocalFileStore(office / "data")
            repository = SqlRepository(engine, files)
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
            (instance,) = await repository.status(report_key=REPORT, now=now)
            staged = files.staging_path(".pdf")
            staged.write_bytes(data)
            receipt = await repository.submit(
                instance_id=instance.instance_id,
                unit_key=unit,
                contact_id=redemption.contact.id,
                kind=SubmissionKind.FILE,
                source_ref=f"cli-test:{unit}",
                now=now,
                file=StagedFile(staged, "bao-cao.pdf", len(data), hashlib.sha256(data).hexdigest()),
            )
            path = await repository.stored_file(submission_id=receipt.submission_id)
            assert path is not None
            checks = await asyncio.to_thread(PdfSignatureReader().read, path)
            await repository.record_signatures(submission_id=receipt.submission_id, checks=checks)
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_status_names_the_signer_and_warns_of_a_broken_signature(
    capsys: pytest.CaptureFixture[str], office: Path
) -> None:
    plan = office / "ke-hoach.yaml"
    shutil.copy(SEED, plan)
    assert run(capsys, "plan", "apply", str(plan))[0] == 0
    signed = signed_pdf(TestCA.make())
    submit_pdf(office, "phong-ttbcxb", signed)
    submit_pdf(office, "trung-tam-gsdh", flipped(signed))
    code, out, err = run(capsys, "status", REPORT)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "2/3 đơn vị đã nộp" in lines[0]
    intact = next(line for line in lines if "Nguyễn Văn An" in line and "Thông tin" in line)
    assert intact.startswith("Phòng Thông tin Báo chí và Xuất bản, phiên bản 1: Chữ ký số: ")
    assert "(Phòng Kế hoạch - Tài chính), ký lúc " in intact
    assert intact.endswith(": không bị sửa sau khi ký; độ tin cậy của chứng thư số: chưa kiểm tra.")
    broken = next(line for line in lines if "GSDH" in line and "Chữ ký số" in line)
    assert "⚠ CẢNH BÁO: chữ ký không hợp lệ, tệp không còn đúng như lúc ký" in broken


def test_trust_roots_that_are_not_there_are_named(
    capsys: pytest.CaptureFixture[str], office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_TRUST_ROOTS", str(office / "ca-goc"))
    code, out, err = run(capsys, "status")
    assert (code, out) == (2, "")
    assert err == (
        f"BAOCAO_TRUST_ROOTS «{office / 'ca-goc'}» không tồn tại. Đặt nó là một tệp hoặc thư mục"
        " chứng thư số gốc (PEM hoặc DER), hoặc bỏ trống.\n"
    )
