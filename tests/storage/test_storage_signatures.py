"""The pyHanko adapter on PDFs the test signs itself: who signed, when, intact or not, trusted."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pdf_signing import (
    ORGANISATION,
    SIGNER,
    TestCA,
    edited_after_signing,
    encrypted_pdf,
    flipped,
    malformed_signature,
    plain_pdf,
    sign,
    signed_pdf,
    timestamped,
    unknown_format,
)

from bot.core.model import SignatureCheck, SignatureIntegrity, SignatureTrust
from storage.signatures import PdfSignatureReader, load_trust_roots


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA.make()


@pytest.fixture(scope="module")
def signed(ca: TestCA) -> bytes:
    return signed_pdf(ca)


def read(
    tmp_path: Path, data: bytes, reader: PdfSignatureReader | None = None
) -> tuple[SignatureCheck, ...]:
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(data)
    return (reader or PdfSignatureReader()).read(path)


def test_a_signed_pdf_names_its_signer_and_is_intact(tmp_path: Path, signed: bytes) -> None:
    (check,) = read(tmp_path, signed)
    assert check.signer == SIGNER
    assert check.organisation == ORGANISATION
    assert check.integrity is SignatureIntegrity.INTACT
    assert not check.warning
    # No trust roots configured: trust is not checked, not "untrusted".
    assert check.trust is SignatureTrust.UNCHECKED
    assert check.signed_at is not None and check.signed_at.tzinfo is not None
    assert abs(check.signed_at - datetime.now(UTC)) < timedelta(minutes=10)


def test_trust_is_checked_against_the_configured_roots(
    tmp_path: Path, ca: TestCA, signed: bytes
) -> None:
    roots = load_trust_roots(ca.write_pem(tmp_path / "ca.pem"))
    (check,) = read(tmp_path, signed, PdfSignatureReader(roots))
    assert check.trust is SignatureTrust.TRUSTED
    assert check.integrity is SignatureIntegrity.INTACT

    stranger = TestCA.make()
    folder = tmp_path / "roots"
    folder.mkdir()
    stranger.write_der(folder / "other.cer")
    (folder / "readme.txt").write_text("not a certificate")
    (check,) = read(tmp_path, signed, PdfSignatureReader(load_trust_roots(folder)))
    assert check.trust is SignatureTrust.UNTRUSTED


def test_content_added_after_signing_is_a_modification(tmp_path: Path, signed: bytes) -> None:
    (check,) = read(tmp_path, edited_after_signing(signed))
    assert check.integrity is SignatureIntegrity.MODIFIED
    assert check.warning
    assert check.signer == SIGNER


def test_bytes_changed_inside_the_signed_range_break_it(tmp_path: Path, signed: bytes) -> None:
    (check,) = read(tmp_path, flipped(signed))
    assert check.integrity is SignatureIntegrity.BROKEN
    assert check.warning


def test_a_second_signature_leaves_the_first_intact(
    tmp_path: Path, ca: TestCA, signed: bytes
) -> None:
    leader = TestCA.make("Trần Thị Bình", "Ban Giám đốc Sở")
    first, second = read(tmp_path, sign(signed, leader, field="Signature2"))
    assert (first.signer, second.signer) == (SIGNER, "Trần Thị Bình")
    assert first.integrity is second.integrity is SignatureIntegrity.INTACT


def test_a_malformed_signature_dictionary_is_unreadable(tmp_path: Path, signed: bytes) -> None:
    (check,) = read(tmp_path, malformed_signature(signed))
    assert check.integrity is SignatureIntegrity.UNREADABLE
    assert check.warning


def test_a_document_timestamp_is_no_signer_and_changes_nothing(
    tmp_path: Path, ca: TestCA, signed: bytes
) -> None:
    (check,) = read(tmp_path, timestamped(signed, ca))
    assert check.signer == SIGNER
    assert check.integrity is SignatureIntegrity.INTACT


def test_a_signature_of_an_unknown_format_is_unreadable(tmp_path: Path, signed: bytes) -> None:
    assert b"/adbe.pkcs7.detached" in signed
    (check,) = read(tmp_path, unknown_format(signed))
    assert check.integrity is SignatureIntegrity.UNREADABLE


@pytest.mark.parametrize(
    "data",
    [plain_pdf(), b"", b"%PDF-1.7\n garbage", b"PK\x03\x04 a zip named .pdf", encrypted_pdf()],
    ids=["unsigned", "empty", "truncated", "not-a-pdf", "encrypted"],
)
def test_no_signature_or_no_pdf_reads_as_none(
    tmp_path: Path, data: bytes, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert read(tmp_path, data) == ()
    # One line of its own at most: pyHanko's tracebacks are silenced.
    assert not any(record.exc_info for record in caplog.records)
    assert "Traceback" not in capfd.readouterr().err


def test_trust_roots_that_hold_no_certificate(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    assert load_trust_roots(junk) == []
    assert load_trust_roots(tmp_path) == []
    # No roots read: trust stays "not checked" rather than every signer "untrusted".
    assert PdfSignatureReader([]).trust_roots is None
