"""A self-signed agency certificate (cryptography), for the demo and the tests: PEM files.

A real agency signs with a certificate from a certification authority; this one only lets the
demo issue signed PDFs that a reader can check against the certificate file itself.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DEMO_AGENCY = "Agence Urbaine de Skhirate-Temara"
DEMO_UNIT = "Certificat de démonstration auto-signé"
VALIDITY = dt.timedelta(days=3 * 365)
#: the certificate is valid from a few minutes back, so a clock slightly behind still accepts it
CLOCK_SKEW = dt.timedelta(minutes=5)


def self_signed_certificate(
    common_name: str,
    *,
    organization: str,
    unit: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate for signing documents (digitalSignature, nonRepudiation), C=MA, 3 years."""
    # EC P-256: accepted by PAdES readers, and pyHanko re-reads the key at each signature,
    # which costs about 60 ms for an RSA key and nothing for this one.
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MA"),
    ]
    if unit:
        attributes.insert(2, x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    name = x509.Name(attributes)
    start = (now or dt.datetime.now(dt.UTC)) - CLOCK_SKEW
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_key_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _signing_key_usage() -> x509.KeyUsage:
    """digitalSignature and nonRepudiation (content commitment) only."""
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def write_self_signed(
    cert_path: Path, key_path: Path, common_name: str, *, organization: str, unit: str | None = None
) -> x509.Certificate:
    """Generate a self-signed certificate and write it and its key (mode 0600) as PEM."""
    certificate, key = self_signed_certificate(common_name, organization=organization, unit=unit)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(key_path, key_pem)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read: created 0600, never world-readable for a moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    path.chmod(0o600)  # an existing file keeps its old mode through os.open
