"""A submitted PDF's digital signatures in words: for the receipt, the status, the Office."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.cleaning import shorten_name
from bot.core.i18n import t
from bot.core.model import Receipt, SignatureCheck

NAME_SHOWN = 120  # characters of a certificate's name repeated in a message


def signature_text(check: SignatureCheck, tz: ZoneInfo) -> str:
    """Who signed, when, whether the file changed since, and trust in the signer's CA."""
    args = {
        "who": _who(check),
        "integrity": t(f"signature-{check.integrity.value}"),
        "trust": t(f"signature-trust-{check.trust.value}"),
    }
    if check.signed_at is None:
        return t("signature-line-no-time", **args)
    return t("signature-line", at=fmt.moment(check.signed_at, tz), **args)


def receipt_lines(checks: Sequence[SignatureCheck], tz: ZoneInfo) -> str:
    """The lines a receipt gains for a signed PDF ("" for an unsigned one)."""
    if not checks:
        return ""
    lines = [signature_text(check, tz) for check in checks]
    if any(check.warning for check in checks):
        lines.append(t("signature-receipt-advice"))
    return "\n".join(lines)


def office_warning(receipt: Receipt, checks: Sequence[SignatureCheck], tz: ZoneInfo) -> str:
    """The office group's line about a PDF whose signature does not hold."""
    return t(
        "signature-office-warning",
        unit=receipt.unit_name,
        report=receipt.report_name,
        name=shorten_name(receipt.original_name or "", NAME_SHOWN),
        version=receipt.version,
        code=receipt.receipt_code,
        problems="\n".join(signature_text(check, tz) for check in checks if check.warning),
    )


def status_line(check: SignatureCheck, tz: ZoneInfo) -> str:
    """A signature under its unit's line in a status summary."""
    return t("signature-status-line", line=signature_text(check, tz))


def _who(check: SignatureCheck) -> str:
    signer = None if check.signer is None else shorten_name(check.signer, NAME_SHOWN)
    organisation = (
        None if check.organisation is None else shorten_name(check.organisation, NAME_SHOWN)
    )
    if signer and organisation:
        return t("signature-who", signer=signer, organisation=organisation)
    if signer or organisation:
        return t("signature-who-one", name=signer or organisation)
    return t("signature-who-unknown")
