"""The NRU's PDF signed by the agency (PAdES, pyHanko): valid, tamper-evident, shown on /verify.

Real certificates (generated here with geoportal.setup.certificates), real signatures, real
validation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from fastapi.testclient import TestClient
from pydantic import SecretStr
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from shapely.geometry import Polygon, box
from sqlalchemy import Connection, Engine

from geoportal.nru.signing import SigningError, agency_signer, check_signer
from geoportal.settings import Settings
from geoportal.setup.certificates import DEMO_AGENCY, self_signed_certificate, write_self_signed
from geoportal.setup.provision import demo_signing_certificate, read_env_file
from tests.conftest import app_client

# A parcel of the demo commune (the one tests/geoportal/nru/test_issue.py issues its notes for).
PARCEL = box(358700, 366600, 358760, 366660)
PADES = "/ETSI.CAdES.detached"


def coordinates(polygon: Polygon) -> str:
    """A surveyor's list: header, borne ids, French decimal commas."""
    lines = ["Borne;X;Y"]
    for i, (x, y) in enumerate(list(polygon.exterior.coords)[:-1], start=1):
        lines.append(f"B{i};{x:.2f};{y:.2f}".replace(".", ","))
    return "\n".join(lines) + "\n"


def issue_and_fetch(client: TestClient) -> tuple[dict[str, Any], bytes]:
    """Issue a note over HTTP and fetch its PDF twice: the same bytes both times."""
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(PARCEL)})
    assert response.status_code == 201, response.text
    nru: dict[str, Any] = response.json()
    first = client.get(nru["links"]["pdf"])
    assert first.status_code == 200, first.text
    assert client.get(nru["links"]["pdf"]).content == first.content
    return nru, first.content


def validate(pdf: bytes, trusted_cert: Path) -> PdfSignatureStatus:
    """pyHanko's verdict on the PDF's only signature, trusting the agency's certificate."""
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    assert len(signatures) == 1
    (root,) = load_certs_from_pemder_data(trusted_cert.read_bytes())
    return validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root]))


def fingerprint(cert_path: Path) -> str:
    """The certificate's SHA-256 fingerprint, lower-case hex."""
    certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
    return certificate.fingerprint(hashes.SHA256()).hex()


@pytest.fixture(scope="module")
def agency_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate of the demo plan's agency and its key, as PEM files."""
    folder = tmp_path_factory.mktemp("signing")
    cert, key = folder / "agence-cert.pem", folder / "agence-key.pem"
    write_self_signed(cert, key, DEMO_AGENCY, organization=DEMO_AGENCY, unit="Tests")
    return cert, key


def with_signing(settings: Settings, cert: Path | None, key: Path | None) -> Settings:
    """The test settings with another certificate and key (None: not signed)."""
    update = {"signing_cert": cert, "signing_key": key, "signing_key_passphrase": None}
    return settings.model_copy(update=update)


@pytest.fixture
def signed_client(
    settings: Settings, engine: Engine, conn: Connection, agency_files: tuple[Path, Path]
) -> Iterator[TestClient]:
    """The app with the agency's certificate configured."""
    with app_client(with_signing(settings, *agency_files), engine, conn) as client:
        yield client


def test_issued_note_pdf_is_signed_by_the_agency(
    signed_client: TestClient, demo: None, agency_files: tuple[Path, Path]
) -> None:
    """PAdES signature, intact and valid against the agency's certificate, covering the file."""
    cert, _ = agency_files
    nru, pdf = issue_and_fetch(signed_client)
    status = validate(pdf, cert)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == DEMO_AGENCY
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == PADES
    assert nru["number"] in str(signature.sig_object["/Reason"])


def test_verification_page_shows_the_signed_file(
    signed_client: TestClient, demo: None, agency_files: tuple[Path, Path]
) -> None:
    """The page's SHA-256 is that of the signed bytes served; the signer as read from them."""
    cert, _ = agency_files
    nru, pdf = issue_and_fetch(signed_client)
    page = signed_client.get(nru["links"]["verify"]).text
    assert hashlib.sha256(pdf).hexdigest() in page
    assert "PAdES" in page and DEMO_AGENCY in page and fingerprint(cert) in page
    assert dt.datetime.now(dt.UTC).strftime("%d/%m/%Y") in page
    assert "PDF non signé" not in page


def test_one_altered_byte_breaks_the_signature(
    signed_client: TestClient, demo: None, agency_files: tuple[Path, Path]
) -> None:
    """Tamper evidence: a byte changed inside the signed range and the signature is not intact."""
    cert, _ = agency_files
    _, pdf = issue_and_fetch(signed_client)
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    start, length, *_ = (int(n) for n in signature.sig_object["/ByteRange"])
    # a byte of the first stream's data: inside the signed range, and the file still parses
    offset = pdf.index(b"stream", start) + len(b"stream\n") + 8
    assert start <= offset < start + length
    tampered = bytearray(pdf)
    tampered[offset] ^= 0x01
    status = validate(bytes(tampered), cert)
    # `valid` is about the signature over its own attributes; `intact`, the document's digest
    assert not status.intact and not status.bottom_line


def test_without_a_certificate_the_pdf_is_not_signed(
    settings: Settings, engine: Engine, conn: Connection, demo: None
) -> None:
    with app_client(with_signing(settings, None, None), engine, conn) as client:
        nru, pdf = issue_and_fetch(client)
        assert PdfFileReader(io.BytesIO(pdf)).embedded_signatures == []
        page = client.get(nru["links"]["verify"]).text
    assert "PDF non signé" in page and hashlib.sha256(pdf).hexdigest() in page


def test_a_missing_key_file_stops_the_service_naming_it(
    settings: Settings,
    engine: Engine,
    conn: Connection,
    agency_files: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    cert, _ = agency_files
    missing = with_signing(settings, cert, tmp_path / "absent-key.pem")
    expected = r"GEOPORTAL_SIGNING_KEY=.*absent-key\.pem : illisible \(No such file"
    with pytest.raises(SigningError, match=expected), app_client(missing, engine, conn):
        pass


def test_a_key_of_another_certificate_is_refused(
    settings: Settings, agency_files: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, _ = agency_files
    other_key = tmp_path / "other-key.pem"
    write_self_signed(tmp_path / "other-cert.pem", other_key, "Autre", organization="Autre")
    with pytest.raises(SigningError, match=r"other-key\.pem n'est pas la clé privée du certificat"):
        check_signer(with_signing(settings, cert, other_key))


def test_an_expired_certificate_is_refused(settings: Settings, tmp_path: Path) -> None:
    four_years_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=4 * 365)
    certificate, key = self_signed_certificate(
        DEMO_AGENCY, organization=DEMO_AGENCY, now=four_years_ago
    )
    cert_path, key_path = tmp_path / "expired-cert.pem", tmp_path / "expired-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(SigningError, match=r"expired-cert\.pem : le certificat a expiré le"):
        check_signer(with_signing(settings, cert_path, key_path))


def test_a_chain_in_the_certificate_file_is_kept_for_the_signature(
    settings: Settings, agency_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A CA certificate in the same PEM file (any order) joins the certificates pyHanko embeds."""
    cert, key = agency_files
    ca_cert = tmp_path / "ca-cert.pem"
    write_self_signed(ca_cert, tmp_path / "ca-key.pem", "AC Test", organization="AC Test")
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(ca_cert.read_bytes() + cert.read_bytes())
    signer = agency_signer(with_signing(settings, bundle, key))
    assert signer is not None and signer.signing_cert is not None
    assert signer.signing_cert.subject.native["common_name"] == DEMO_AGENCY
    assert [c.subject.native["common_name"] for c in signer.cert_registry] == ["AC Test"]


def test_an_encrypted_key_needs_its_passphrase(
    settings: Settings, agency_files: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, key = agency_files
    clear = serialization.load_pem_private_key(key.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted-key.pem"
    encrypted.write_bytes(
        clear.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"s3cret"),
        )
    )
    without = with_signing(settings, cert, encrypted)
    with pytest.raises(SigningError, match="GEOPORTAL_SIGNING_KEY_PASSPHRASE"):
        check_signer(without)
    wrong = without.model_copy(update={"signing_key_passphrase": SecretStr("wrong")})
    with pytest.raises(SigningError, match="mauvais GEOPORTAL_SIGNING_KEY_PASSPHRASE"):
        check_signer(wrong)
    right = without.model_copy(update={"signing_key_passphrase": SecretStr("s3cret")})
    check_signer(right)


def test_signer_is_read_once_per_version_of_the_files(settings: Settings, tmp_path: Path) -> None:
    """Cached by path and modification time: not re-read for each PDF, re-read when renewed."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    write_self_signed(cert, key, DEMO_AGENCY, organization=DEMO_AGENCY)
    configured = with_signing(settings, cert, key)
    signer = agency_signer(configured)
    assert signer is not None and agency_signer(configured) is signer
    write_self_signed(cert, key, DEMO_AGENCY, organization=DEMO_AGENCY)
    later = cert.stat().st_mtime_ns + 1_000_000_000  # filesystems with coarse timestamps
    os.utime(cert, ns=(later, later))
    renewed = agency_signer(configured)
    assert renewed is not None and renewed is not signer
    assert renewed.signing_cert is not None and signer.signing_cert is not None
    assert renewed.signing_cert.dump() != signer.signing_cert.dump()


def test_setup_generates_the_demo_certificate_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """make setup: generated, written to .env, the key private; reused on the next run."""
    monkeypatch.delenv("GEOPORTAL_SIGNING_CERT", raising=False)
    env = tmp_path / ".env"
    demo_signing_certificate(tmp_path, env)
    cert = tmp_path / "var/signing/agence-demo-cert.pem"
    key = tmp_path / "var/signing/agence-demo-key.pem"
    assert read_env_file(env) == {
        "GEOPORTAL_SIGNING_CERT": str(cert),
        "GEOPORTAL_SIGNING_KEY": str(key),
    }
    assert key.stat().st_mode & 0o777 == 0o600
    subject = x509.load_pem_x509_certificate(cert.read_bytes()).subject
    assert f"CN={DEMO_AGENCY}" in subject.rfc4514_string()
    assert "C=MA" in subject.rfc4514_string()
    first = cert.read_bytes(), key.read_bytes()
    demo_signing_certificate(tmp_path, env)
    assert (cert.read_bytes(), key.read_bytes()) == first


def test_setup_keeps_an_agency_certificate_and_remakes_a_cleaned_demo_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GEOPORTAL_SIGNING_CERT", raising=False)
    env = tmp_path / ".env"
    env.write_text("GEOPORTAL_SIGNING_CERT=/etc/agence/cert.pem\n")
    demo_signing_certificate(tmp_path, env)
    assert not (tmp_path / "var").exists()
    assert read_env_file(env) == {"GEOPORTAL_SIGNING_CERT": "/etc/agence/cert.pem"}
    env.unlink()
    demo_signing_certificate(tmp_path, env)
    cert = tmp_path / "var/signing/agence-demo-cert.pem"
    cert.unlink()  # `make clean` removes var/, .env still names the demo certificate
    demo_signing_certificate(tmp_path, env)
    assert cert.exists() and read_env_file(env)["GEOPORTAL_SIGNING_CERT"] == str(cert)
