"""The agency's PAdES signature on the NRU's PDF (pyHanko), and the signature read back.

The certificate and key come from the settings (GEOPORTAL_SIGNING_CERT, GEOPORTAL_SIGNING_KEY,
GEOPORTAL_SIGNING_KEY_PASSPHRASE). Without them the PDF is not signed.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from geoportal.settings import Settings
from zoning.refusal import Unavailable

SIGNATURE_FIELD = "SignatureAgence"
CERT_SETTING = "GEOPORTAL_SIGNING_CERT"
KEY_SETTING = "GEOPORTAL_SIGNING_KEY"
PASSPHRASE_SETTING = "GEOPORTAL_SIGNING_KEY_PASSPHRASE"


class SigningError(Unavailable, RuntimeError):
    """The configured certificate or key cannot be used: which setting, which file, what."""

    def __init__(self, detail: str) -> None:
        super().__init__("signing_unavailable", detail)


@dataclass(frozen=True)
class SignatureFacts:
    """What a PDF's signature says about itself (read from the file, not from settings)."""

    signer: str
    certificate_sha256: str
    signed_at: dt.datetime | None


def agency_signer(settings: Settings) -> signers.SimpleSigner | None:
    """The agency's signer, or None when no certificate is configured."""
    cert_path, key_path = settings.signing_cert, settings.signing_key
    if cert_path is None and key_path is None:
        return None
    if cert_path is None or key_path is None:
        given, missing = (
            (KEY_SETTING, CERT_SETTING) if cert_path is None else (CERT_SETTING, KEY_SETTING)
        )
        raise SigningError(
            f"{given} est défini mais pas {missing} : les deux sont nécessaires pour signer"
        )
    secret = settings.signing_key_passphrase
    passphrase = secret.get_secret_value() if secret is not None else None
    # the modification times are part of the cache key: a renewed certificate is used at once
    return _load_signer(
        cert_path,
        _mtime(cert_path, CERT_SETTING),
        key_path,
        _mtime(key_path, KEY_SETTING),
        passphrase,
    )


def check_signer(settings: Settings) -> None:
    """Refuse to start when a certificate is configured but cannot be used (SigningError)."""
    agency_signer(settings)


def _mtime(path: Path, setting: str) -> int:
    """The file's modification time (ns), or a SigningError naming the setting and the file."""
    try:
        return path.stat().st_mtime_ns
    except OSError as exc:
        raise SigningError(f"{setting}={path} : illisible ({exc.strerror})") from exc


@functools.lru_cache(maxsize=4)
def _load_signer(
    cert_path: Path, cert_mtime: int, key_path: Path, key_mtime: int, passphrase: str | None
) -> signers.SimpleSigner:
    """Read the certificate (and its chain) and the key once per version of the files."""
    certificates = _certificates(cert_path)
    key = _private_key(key_path, passphrase)
    public = _public_der(key)
    own = [c for c in certificates if _public_der(c) == public]
    if not own:
        raise SigningError(
            f"{KEY_SETTING}={key_path} n'est pas la clé privée du certificat de "
            f"{CERT_SETTING}={cert_path}"
        )
    _check_validity(own[0], cert_path)
    chain = [_asn1_certificate(c) for c in certificates if c is not own[0]]
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # the CA certificates travel in the signature, for the reader to build the path
    registry = SimpleCertificateStore.from_certs(chain)  # type: ignore[no-untyped-call]
    return signers.SimpleSigner(
        signing_cert=_asn1_certificate(own[0]),
        signing_key=load_private_key_from_pemder_data(key_der, passphrase=None),
        cert_registry=registry,
    )


def _certificates(path: Path) -> list[x509.Certificate]:
    """The certificates of a PEM file (the agency's and its chain) or of a DER file."""
    data = _read(path, CERT_SETTING)
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise SigningError(f"{CERT_SETTING}={path} : pas un certificat (PEM ou DER)") from exc


def _private_key(path: Path, passphrase: str | None) -> PrivateKeyTypes:
    """The private key of a PEM or DER file, decrypted with the passphrase when it has one."""
    data = _read(path, KEY_SETTING)
    password = passphrase.encode() if passphrase is not None else None
    load = (
        serialization.load_pem_private_key
        if b"-----BEGIN" in data
        else serialization.load_der_private_key
    )
    try:
        return load(data, password=password)
    except TypeError as exc:  # encrypted without a passphrase, or a passphrase for a clear key
        raise SigningError(f"{KEY_SETTING}={path} : {exc} (voir {PASSPHRASE_SETTING})") from exc
    except ValueError as exc:
        raise SigningError(
            f"{KEY_SETTING}={path} : pas une clé privée, ou un mauvais {PASSPHRASE_SETTING}"
        ) from exc


def _read(path: Path, setting: str) -> bytes:
    """A file's bytes, or a SigningError naming the setting and the file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{setting}={path} : illisible ({exc.strerror})") from exc


def _public_der(item: x509.Certificate | PrivateKeyTypes) -> bytes:
    """The public key (SubjectPublicKeyInfo, DER) of a certificate or a private key."""
    public = item.public_key()
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _check_validity(certificate: x509.Certificate, path: Path) -> None:
    """A signature by an expired (or not yet valid) certificate would be refused by readers."""
    now = dt.datetime.now(dt.UTC)
    if certificate.not_valid_after_utc < now:
        expired = certificate.not_valid_after_utc.date().isoformat()
        raise SigningError(f"{CERT_SETTING}={path} : le certificat a expiré le {expired}")
    if certificate.not_valid_before_utc > now:
        start = certificate.not_valid_before_utc.isoformat()
        raise SigningError(
            f"{CERT_SETTING}={path} : le certificat n'est pas valide avant le {start}"
        )


def _asn1_certificate(certificate: x509.Certificate) -> object:
    """The certificate as pyHanko holds it (asn1crypto)."""
    (loaded,) = load_certs_from_pemder_data(certificate.public_bytes(serialization.Encoding.DER))
    return loaded


def sign_pdf(pdf: bytes, signer: signers.SimpleSigner, *, reason: str, location: str) -> bytes:
    """The PDF with an invisible PAdES baseline signature (B-B: SHA-256, no timestamp)."""
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    # an incremental update: the rendered bytes stay as they are, the signature is appended
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signed: io.BytesIO = signers.PdfSigner(metadata, signer=signer).sign_pdf(writer)
    return signed.getvalue()


def read_signature(pdf: bytes) -> SignatureFacts | None:
    """The signer, certificate fingerprint and signing time of a PDF's signature, if signed."""
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    if not signatures:
        return None
    signature = signatures[0]  # the agency's: the only one the service adds
    certificate = x509.load_der_x509_certificate(signature.signer_cert.dump())
    signed_at = signature.self_reported_timestamp
    return SignatureFacts(
        signer=subject_label(certificate.subject),
        certificate_sha256=certificate.fingerprint(hashes.SHA256()).hex(),
        signed_at=signed_at.astimezone(dt.UTC) if signed_at is not None else None,
    )


def subject_label(subject: x509.Name) -> str:
    """« CN — O — OU », each once (an agency's CN and O are often the same)."""
    oids = (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME)
    values = [
        attribute.value
        for oid in oids
        for attribute in subject.get_attributes_for_oid(oid)
        if isinstance(attribute.value, str)
    ]
    return " — ".join(dict.fromkeys(values))
