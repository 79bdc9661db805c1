"""Signed PDFs through the use cases: the receipt names the signer, a broken signature warns the
unit and the office group, and anything else is received exactly as before."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from core.test_usecases import NOW, World, make_world
from pdf_signing import (
    TestCA,
    edited_after_signing,
    flipped,
    malformed_signature,
    plain_pdf,
    signed_pdf,
)

from bot.core import texts
from bot.core.model import ChatKind, SignatureCheck, SignatureIntegrity, SignatureTrust
from bot.core.plan.model import Role
from bot.core.usecases.context import BotSettings
from storage.signatures import PdfSignatureReader, load_trust_roots
from storage.status import report_status

GROUP = "-100"
INTACT_LINE = (
    "Chữ ký số: Nguyễn Văn An (Phòng Kế hoạch - Tài chính), ký lúc {at}: không bị sửa sau khi"
    " ký; độ tin cậy của chứng thư số: {trust}."
)


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA.make()


@pytest.fixture(scope="module")
def signed(ca: TestCA) -> bytes:
    return signed_pdf(ca)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        w.bot.context.signatures = PdfSignatureReader()
        await w.register("1", "phong-a")
        await w.register("5", "van-phong", Role.OFFICE)
        await w.say("5", "/nhom", chat=GROUP, kind=ChatKind.GROUP)
        yield w


def signed_at(world: World, data: bytes) -> str:
    """The signing time as the receipt shows it (the PDF was signed when the test ran)."""
    path = world.data / "probe.pdf"
    path.write_bytes(data)
    with ThreadPoolExecutor(1) as pool:  # the reader blocks: never on the event loop
        (check,) = pool.submit(PdfSignatureReader().read, path).result()
    assert check.signed_at is not None
    return check.signed_at.astimezone(world.bot.context.settings.timezone).strftime(
        "%d/%m/%Y %H:%M"
    )


async def test_a_signed_pdf_names_its_signer_in_the_receipt(world: World, signed: bytes) -> None:
    await world.send_file("1", "Bao cao ky so.pdf", signed)
    receipt = world.out.texts("1")[-1]
    lines = receipt.splitlines()
    assert lines[0].startswith("Biên nhận: đã nhận tệp «Bao cao ky so.pdf» của Phòng A")
    assert lines[2].startswith("Mã biên nhận: ")
    assert lines[3:] == [INTACT_LINE.format(at=signed_at(world, signed), trust="chưa kiểm tra")]
    assert "không bị sửa sau khi ký" in receipt
    # Nothing for the Office to worry about: the group gets the file, no warning.
    assert world.out.texts(GROUP)[1:] == []
    assert len(world.out.forwarded) == 1

    # The status names the signer under the unit's line.
    await world.say("5", "/tinhhinh")
    status = world.out.texts("5")[-1].splitlines()
    assert status[2].startswith("✓ Phòng A — nộp lúc 03/06/2024 10:00, phiên bản 1, đúng hạn")
    assert status[3] == "   ✍ " + INTACT_LINE.format(
        at=signed_at(world, signed), trust="chưa kiểm tra"
    )


async def test_a_trusted_authority_is_said_so(world: World, ca: TestCA, signed: bytes) -> None:
    roots = load_trust_roots(ca.write_pem(world.data / "ca.pem"))
    world.bot.context.signatures = PdfSignatureReader(roots)
    await world.send_file("1", "bc.pdf", signed)
    assert world.out.texts("1")[-1].splitlines()[3] == INTACT_LINE.format(
        at=signed_at(world, signed), trust="tin cậy"
    )
    world.bot.context.signatures = PdfSignatureReader(
        load_trust_roots(TestCA.make().write_pem(world.data / "other.pem"))
    )
    await world.send_file("1", "bc.pdf", signed)
    assert world.out.texts("1")[-1].splitlines()[3] == INTACT_LINE.format(
        at=signed_at(world, signed), trust="không tin cậy"
    )


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (edited_after_signing, "⚠ CẢNH BÁO: nội dung đã bị sửa sau khi ký"),
        (flipped, "⚠ CẢNH BÁO: chữ ký không hợp lệ, tệp không còn đúng như lúc ký"),
        (malformed_signature, "⚠ CẢNH BÁO: không kiểm tra được chữ ký"),
    ],
    ids=["edited", "flipped", "malformed"],
)
async def test_a_broken_signature_warns_the_unit_and_the_office(
    world: World, signed: bytes, damage: object, problem: str
) -> None:
    data = damage(signed)  # type: ignore[operator]
    await world.send_file("1", "bc.pdf", data)
    receipt = world.out.texts("1")[-1]
    assert problem in receipt
    assert "không bị sửa sau khi ký" not in receipt
    assert receipt.splitlines()[-1] == (
        "Văn phòng cũng nhận được cảnh báo này. Nếu cần, hãy gửi lại bản có chữ ký số hợp lệ."
    )
    warning = world.out.texts(GROUP)[-1]
    assert warning.startswith(
        "⚠ Chữ ký số có vấn đề: tệp «bc.pdf» của Phòng A cho báo cáo «Báo cáo 6 tháng»,"
        " phiên bản 1 (biên nhận "
    )
    assert problem in warning
    # The submission stands, and the status shows the warning too.
    (instance,) = await report_status(world.engine, report_key=None, now=NOW)  # type: ignore[arg-type]
    summary = texts.status_text(instance, world.bot.context.settings.timezone)
    assert problem in summary


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bc.pdf", plain_pdf()),
        ("bc.pdf", b"%PDF-1.4"),
        ("bc.pdf", b"%PDF-\x00 garbled, no objects at all"),
        ("bc.docx", b"PK\x03\x04 noi dung"),
    ],
    ids=["unsigned", "truncated", "garbled", "docx"],
)
async def test_anything_else_is_received_as_before(
    world: World, tmp_path: Path, name: str, data: bytes
) -> None:
    await world.send_file("1", name, data)
    with_reader = world.out.texts("1")[-1]
    (tmp_path / "plain").mkdir()
    async for plain in make_world(tmp_path / "plain"):
        await plain.register("1", "phong-a")
        await plain.send_file("1", name, data)
        without = plain.out.texts("1")[-1]
    code = with_reader.rsplit(" ", 1)[-1]
    assert with_reader == without.rsplit(" ", 1)[0] + " " + code
    assert len(with_reader.splitlines()) == 3
    assert world.out.texts(GROUP)[1:] == []


class SlowReader:
    def read(self, path: Path) -> tuple[SignatureCheck, ...]:
        time.sleep(0.5)
        return (SignatureCheck(SignatureIntegrity.BROKEN, SignatureTrust.UNCHECKED),)


class CrashingReader:
    def read(self, path: Path) -> tuple[SignatureCheck, ...]:
        raise RuntimeError("parser crashed")


@pytest.mark.parametrize("reader", [SlowReader(), CrashingReader()], ids=["slow", "crash"])
async def test_a_check_that_fails_or_runs_late_leaves_the_receipt_as_before(
    world: World, signed: bytes, reader: object, caplog: pytest.LogCaptureFixture
) -> None:
    ctx = world.bot.context
    ctx.signatures = reader  # type: ignore[assignment]
    ctx.settings = BotSettings(timezone=ctx.settings.timezone, signature_timeout=0.05)
    await world.send_file("1", "bc.pdf", signed)
    receipt = world.out.texts("1")[-1]
    assert len(receipt.splitlines()) == 3 and receipt.startswith("Biên nhận: ")
    assert "Traceback" not in receipt
    assert any("signatures of submission" in r.getMessage() for r in caplog.records)
    await asyncio.sleep(0.6)  # let the abandoned thread end before the world closes
