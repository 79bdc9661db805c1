"""PDFs the tests sign themselves: a test CA, a signer's certificate under it, and PDFs signed,
edited after signing, damaged, unsigned or encrypted."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import signers

SIGNER = "Nguyễn Văn An"
ORGANISATION = "Phòng Kế hoạch - Tài chính"


def _name(common: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass
class TestCA:
    """A certificate authority and one signer it certified, made fresh for a test."""

    __test__ = False  # not a test class, whatever its name

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    signer_cert: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey

    @classmethod
    def make(cls, signer: str = SIGNER, organisation: str = ORGANISATION) -> TestCA:
        now = datetime.now(UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("CA thử nghiệm baocao", "Thử nghiệm")
        ca_cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(signer, organisation))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        return cls(ca_cert, ca_key, cert, key)

    def write_pem(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path

    def write_der(self, path: Path) -> Path:
        path.write_bytes(_der(self.cert))
        return path

    def signer(self) -> signers.SimpleSigner:
        key_der = self.signer_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(_der(self.signer_cert)),
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=None,
        )


def plain_pdf(text: bytes = b"Bao cao 6 thang") -> bytes:
    """A one-page PDF, unsigned."""
    writer = PdfFileWriter()
    content = generic.StreamObject(stream_data=b"BT /F1 12 Tf 20 100 Td (" + text + b") Tj ET")
    writer.insert_page(PageObject(contents=writer.add_object(content), media_box=[0, 0, 300, 200]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign(data: bytes, ca: TestCA, *, field: str = "Signature1") -> bytes:
    """`data` with one more signature, in a new revision."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    signed = signers.sign_pdf(
        writer, signers.PdfSignatureMetadata(field_name=field), signer=ca.signer()
    )
    return signed.getvalue()


def signed_pdf(ca: TestCA) -> bytes:
    return sign(plain_pdf(), ca)


def edited_after_signing(data: bytes) -> bytes:
    """An incremental update that draws new text on the signed page."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    extra = generic.StreamObject(stream_data=b"BT /F1 12 Tf 20 50 Td (Sua sau khi ky) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(extra))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flipped(data: bytes) -> bytes:
    """The signed bytes changed in place: the page's text, same length."""
    at = data.index(b"Bao cao 6 thang")
    return data[:at] + b"Bao cao 9 thang" + data[at + len(b"Bao cao 6 thang") :]


def malformed_signature(data: bytes) -> bytes:
    """The signature's /Contents replaced by bytes that are no CMS structure."""
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    return data[:start] + b"ab" * ((end - start) // 2) + data[end:]


def encrypted_pdf() -> bytes:
    writer = PdfFileWriter()
    content = generic.StreamObject(stream_data=b"BT /F1 12 Tf 20 100 Td (mat) Tj ET")
    writer.insert_page(PageObject(contents=writer.add_object(content), media_box=[0, 0, 300, 200]))
    writer.encrypt("chu", "doc")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def unknown_format(data: bytes) -> bytes:
    """The signature's /SubFilter renamed to a format no reader knows, same length."""
    return data.replace(b"/adbe.pkcs7.detached", b"/adbe.pkcs7.detachex")


def timestamped(data: bytes, ca: TestCA) -> bytes:
    """`data` with a document timestamp (/DocTimeStamp) added by a test TSA under `ca`."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # the dummy: RSA only
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("TSA thử nghiệm", "Thử nghiệm"))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    key_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    stamper = DummyTimeStamper(
        asn1_x509.Certificate.load(_der(cert)), asn1_keys.PrivateKeyInfo.load(key_der)
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    return signers.PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256").getvalue()
