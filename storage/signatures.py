"""Digital signatures in submitted PDFs, read and checked with pyHanko: a SignatureReader."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from bot.core.model import SignatureCheck, SignatureIntegrity, SignatureTrust

log = logging.getLogger(__name__)

# pyHanko logs every certificate path it cannot build, and every revision it cannot explain,
# with a traceback: for an untrusted or edited PDF that is the expected answer, which `read`
# reports in one line of its own.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# What a later revision may do to a signed PDF without changing what was signed: add document
# timestamps and validation data, fill in form fields, add further signatures.
ALLOWED_LATER = frozenset(
    {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}
)

CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})


class PdfSignatureReader:
    """Reads every signature of a PDF and checks it with pyHanko.

    Trust in the signer's certificate authority is checked only against `trust_roots` (no
    system store, nothing fetched from the network); without them it is UNCHECKED.
    """

    def __init__(self, trust_roots: Sequence[x509.Certificate] | None = None) -> None:
        self.trust_roots = tuple(trust_roots) if trust_roots else None

    def read(self, path: Path) -> tuple[SignatureCheck, ...]:
        try:
            with path.open("rb") as stream:
                reader = PdfFileReader(stream, strict=False)
                if reader.encrypted:
                    log.info("%s is encrypted: its signatures are not read", path.name)
                    return ()
                try:
                    found = reader.embedded_signatures
                except Exception as error:
                    # A filled signature field pyHanko cannot parse (a malformed signature
                    # dictionary): the file claims a signature nobody can confirm.
                    filled = _filled_fields(reader)
                    if not filled:
                        raise
                    log.warning("unreadable signature in %s (%s)", path.name, _what(error))
                    return (self._unreadable(),) * filled
                # Document timestamps (/DocTimeStamp) are no one's signature: not shown.
                regular = [item for item in found if item.sig_object_type == "/Sig"]
                # pyHanko leaves out signatures of a format it does not know (/SubFilter).
                unknown = max(0, _filled_fields(reader) - len(found))
                checks = asyncio.run(self._check_all(regular)) if regular else ()
                if unknown:
                    log.warning("%s has %d signatures of an unknown format", path.name, unknown)
                return checks + (self._unreadable(),) * unknown
        except Exception as error:  # a damaged or hostile file: accepted as an unsigned one
            log.warning("could not read the signatures of %s (%s)", path.name, _what(error))
            return ()

    def _unreadable(self, **found: Any) -> SignatureCheck:
        trust = SignatureTrust.UNCHECKED if self.trust_roots is None else SignatureTrust.UNTRUSTED
        return SignatureCheck(integrity=SignatureIntegrity.UNREADABLE, trust=trust, **found)

    async def _check_all(self, found: Sequence[EmbeddedPdfSignature]) -> tuple[SignatureCheck, ...]:
        return tuple([await self._check(signature) for signature in found])

    async def _check(self, signature: EmbeddedPdfSignature) -> SignatureCheck:
        context = ValidationContext(trust_roots=list(self.trust_roots or ()), allow_fetching=False)
        try:
            status = await async_validate_pdf_signature(
                signature, signer_validation_context=context
            )
        except Exception as error:  # a malformed signature dictionary, an unknown format
            log.warning("a PDF signature could not be checked (%s)", _what(error))
            signer, organisation = _names_of(_signer_cert(signature))
            return self._unreadable(
                signer=signer,
                organisation=organisation,
                signed_at=_aware(_safe(lambda: signature.self_reported_timestamp)),
            )
        trust = SignatureTrust.UNCHECKED
        if self.trust_roots is not None:
            trust = SignatureTrust.TRUSTED if status.trusted else SignatureTrust.UNTRUSTED
        signer, organisation = _names_of(status.signing_cert)
        return SignatureCheck(
            integrity=integrity(status),
            trust=trust,
            signer=signer,
            organisation=organisation,
            signed_at=_signed_at(status),
        )


def integrity(status: PdfSignatureStatus) -> SignatureIntegrity:
    """Broken when the signed bytes or the signature do not hold; modified when a later
    revision changed more than signing allows, or the signature covers too little to tell."""
    if not status.intact or not status.valid:
        return SignatureIntegrity.BROKEN
    if status.coverage is SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureIntegrity.INTACT
    if (
        status.coverage is SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level in ALLOWED_LATER
        and status.docmdp_ok is not False
    ):
        return SignatureIntegrity.INTACT
    return SignatureIntegrity.MODIFIED


def load_trust_roots(where: Path) -> list[x509.Certificate]:
    """The CA certificates in a PEM or DER file, or in each such file of a folder
    (.pem, .crt, .cer, .der); a file that holds none is logged and skipped."""
    files: Iterable[Path]
    if where.is_dir():
        files = sorted(
            path
            for path in where.iterdir()
            if path.is_file() and path.suffix.lower() in CERTIFICATE_SUFFIXES
        )
    else:
        files = [where]
    roots: list[x509.Certificate] = []
    for path in files:
        try:
            roots.extend(load_certs_from_pemder_data(path.read_bytes()))
        except Exception as error:
            log.warning("no certificate read from %s (%s)", path, _what(error))
    return roots


def _filled_fields(reader: PdfFileReader) -> int:
    try:
        return sum(1 for _ in enumerate_sig_fields(reader, filled_status=True))
    except Exception:
        return 0


def _signed_at(status: PdfSignatureStatus) -> datetime | None:
    # A timestamp authority's time is worth more than the one the signer's computer states.
    stamp = status.timestamp_validity
    if stamp is not None:
        return _aware(stamp.timestamp)
    return _aware(status.signer_reported_dt)


def _signer_cert(signature: EmbeddedPdfSignature) -> x509.Certificate | None:
    cert: x509.Certificate | None = _safe(lambda: signature.signer_cert)
    return cert


def _names_of(cert: x509.Certificate | None) -> tuple[str | None, str | None]:
    if cert is None:
        return None, None
    subject: dict[str, Any] = _safe(lambda: dict(cert.subject.native)) or {}
    return _text(subject.get("common_name")), _text(subject.get("organization_name"))


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, list | tuple):
        parts = [part.strip() for part in value if isinstance(part, str) and part.strip()]
        return ", ".join(parts) or None
    return None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _safe(get: Any) -> Any:
    """What `get()` returns, or None when the signature is too damaged to give it."""
    try:
        return get()
    except Exception:
        return None


def _what(error: BaseException) -> str:
    # One line, no traceback: the file is the sender's, and its flaws are not ours.
    return f"{type(error).__name__}: {str(error)[:200]}"
