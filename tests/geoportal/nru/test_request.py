"""The request for a note and the note's validity, from the texts, through HTTP.

Décret n° 2-18-577: art. 5 (« Pétitionnaire »), art. 6 (who may ask, « contre récépissé
dûment daté »), art. 8 (the note's contents), art. 9 (validity) and Annexe 1 (the model
letter: « en cours d'approbation (la période de douze (12) mois prévue à l'article 27 de la
loi n° 12-90 relative à l'urbanisme) », « A M/Mme … », « Réf : Votre demande n° … du … »).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy import Connection, Engine, text

from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from tests.accounts import AGENT, OTHER_AGENT, PETITIONER
from tests.conftest import app_client
from tests.geoportal.nru.test_issue import coordinates, issue
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.synthetic import reglement

PARCEL = box(355010, 365010, 355040, 365040)  # inside the synthetic plan
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
TIFF_BYTES = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64
TODAY = dt.date.today()


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as pdftotext reads it, whitespace collapsed."""
    out = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return re.sub(r"\s+", " ", out)


def plan(conn: Connection, tmp: Path, name: str, **meta: Any) -> dict[str, Any]:
    """A synthetic plan imported with these `plan:` fields of its règlement."""
    rules = reglement(name, status=meta.pop("status", "homologue"))
    rules["plan"].update(meta)
    import_plan_files(conn, *write_plan(tmp, rules=rules), ImportOptions())
    return rules


def post(client: TestClient, headers: dict[str, str] | None = None, **fields: Any) -> Any:
    return client.post(
        "/api/v1/nru", json={"coordinates": coordinates(PARCEL), **fields}, headers=headers
    )


# --- art. 6: « dont les effets juridiques … sont toujours en vigueur » ------------------------


def test_no_note_under_an_expired_plan_which_stays_listed(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 6: the note applies « des documents d'urbanisme dont les effets juridiques
    découlant de la déclaration d'utilité publique sont toujours en vigueur »."""
    plan(conn, tmp_path, "PA Expiré", valid_until="2024-03-01")
    refused = post(client)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "plan_expired" and body["ended_on"] == "2024-03-01"
    assert "1er mars 2024 (01/03/2024)" in body["detail"]
    assert "n'est plus en vigueur" in body["detail"]
    assert body["errors"][0]["field"] == "plan"
    listed = {p["name"] for p in client.get("/api/v1/plans").json()}
    assert "PA Expiré" in listed  # kept for history
    stored = "SELECT count(*) FROM nru_requests WHERE plan_name = 'PA Expiré'"
    assert conn.execute(text(stored)).scalar() == 0


def test_plan_valid_today_still_answers(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """The last day of the plan's effects is still a day « en vigueur »."""
    plan(conn, tmp_path, "PA Dernier Jour", valid_until=TODAY.isoformat())
    assert post(client).status_code == 201


# --- Annexe 1, loi 12-90 art. 27: the twelve months of a plan en cours --------------------


def test_en_cours_validity_ends_with_the_twelve_months_of_article_27(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Annexe 1: a plan « en cours d'approbation (la période de douze (12) mois prévue à
    l'article 27 de la loi n° 12-90) »: the note ends with that period, not 12 months after
    its own issue."""
    opened = TODAY - dt.timedelta(days=100)
    if (opened.month, opened.day) == (2, 29):
        opened -= dt.timedelta(days=1)  # a day every year has
    plan(conn, tmp_path, "PA Enquête", status="en_cours", enquete_publique=opened.isoformat())
    nru = issue(
        client, PARCEL, PETITIONER, land_reference="TF 1/R", qualite="proprietaire",
        ownership_proof="Certificat de propriété du 2/1/2026",
    )  # fmt: skip
    end = opened.replace(year=opened.year + 1)  # the same day, twelve months later
    assert nru["valid_until"] == end.isoformat()
    assert end < TODAY + dt.timedelta(days=365)  # never the issue date + 12 months
    letter = " ".join(nru["text"])
    assert "la période de douze (12) mois prévue à l'article 27 de la loi n° 12-90" in letter
    assert f"valable jusqu'au {_long(end)}" in letter


def test_en_cours_never_outlasts_the_plans_own_end(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 9: « correspond à la durée des effets juridiques »; an earlier end of the plan wins."""
    opened = TODAY - dt.timedelta(days=10)
    ends = TODAY + dt.timedelta(days=30)
    plan(
        conn, tmp_path, "PA Court", status="en_cours", enquete_publique=opened.isoformat(),
        valid_until=ends.isoformat(),
    )  # fmt: skip
    nru = issue(client, PARCEL, PETITIONER, land_reference="TF 2/R", ownership_proof="CP 9")
    assert nru["valid_until"] == ends.isoformat()


def test_en_cours_period_over_is_expired(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Once the twelve months are over, the plan en cours has no effects left (art. 6)."""
    plan(conn, tmp_path, "PA Passé", status="en_cours", enquete_publique="2023-05-31")
    refused = post(client, PETITIONER, land_reference="TF 3/R", ownership_proof="CP 1")
    assert refused.status_code == 422 and refused.json()["code"] == "plan_expired"
    assert "31 mai 2024" in refused.json()["detail"]


def test_en_cours_without_inquiry_date_says_so(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Where the règlement lacks `plan.enquete_publique`, no end date is invented."""
    plan(conn, tmp_path, "PA Sans Date", status="en_cours", valid_until=None)
    nru = issue(client, PARCEL, PETITIONER, land_reference="TF 4/R", ownership_proof="CP 2")
    assert nru["valid_until"] is None
    letter = " ".join(nru["text"])
    assert "n'indique pas la date d'ouverture de l'enquête publique" in letter
    assert "valable jusqu'au" not in letter


def _long(day: dt.date) -> str:
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre "
    months += "décembre"
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {months.split()[day.month - 1]} {day.year}"


# --- art. 5 and art. 6 al. 3: who may ask under a plan not homologated ---------------------


def test_qualite_under_a_plan_en_cours(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 6 al. 3: « elle ne peut émaner que du propriétaire du terrain concerné ou d'une
    personne qui fournit un accord de ce dernier ou tout document justifiant l'obtention de
    ladite note, tel qu'un acte déclaratif d'utilité publique »."""
    plan(conn, tmp_path, "PA Qualité", status="en_cours")
    land = {"land_reference": "TF 55/R"}
    mandataire = post(client, PETITIONER, qualite="mandataire", **land)
    assert mandataire.status_code == 422
    assert [e["field"] for e in mandataire.json()["errors"]] == ["qualite_document"]
    assert "accord du propriétaire" in mandataire.json()["detail"]
    administration = post(client, PETITIONER, qualite="administration", **land)
    assert [e["field"] for e in administration.json()["errors"]] == ["qualite_document"]
    unknown = post(client, PETITIONER, qualite="voisin", **land)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "qualite"
    assert "proprietaire, mandataire ou administration" in unknown.json()["detail"]
    owner = post(client, PETITIONER, qualite="proprietaire", **land)
    assert [e["field"] for e in owner.json()["errors"]] == ["ownership_proof"]
    # each of the three, with what the text asks of it
    ok = [
        post(client, PETITIONER, qualite="mandataire", qualite_document="Procuration 12", **land),
        post(
            client, PETITIONER, qualite="administration",
            qualite_document="Décret n° 2-25-100 déclarant d'utilité publique", **land,
        ),
        post(client, PETITIONER, qualite="proprietaire", ownership_proof="Acte adulaire", **land),
    ]  # fmt: skip
    assert [r.status_code for r in ok] == [201, 201, 201], [r.text for r in ok]
    # art. 6 asks who and on what document, not the land's reference
    unreferenced = post(client, PETITIONER, qualite="proprietaire", ownership_proof="Acte 7")
    assert unreferenced.status_code == 201, unreferenced.text
    assert [r.json()["request"]["qualite"] for r in ok] == [
        "mandataire",
        "administration",
        "proprietaire",
    ]


def test_unregistered_land_is_accepted_with_its_proof(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Annexe 1 « TF n° … / Réquisition n° … / Non immatriculé »: land not registered may ask,
    the owner proving it otherwise (acte adulaire)."""
    plan(conn, tmp_path, "PA Melk", status="en_cours")
    refused = post(client, PETITIONER, qualite="proprietaire", land_reference="Non immatriculé")
    assert refused.status_code == 422
    nru = issue(
        client, PARCEL, PETITIONER, qualite="proprietaire", land_reference="Non immatriculé",
        land_status="Non immatriculé (melk)", ownership_proof="Acte adulaire n° 456",
    )  # fmt: skip
    assert nru["parcel"]["land_reference"] == "Non immatriculé"
    letter = pdf_text(client.get(nru["links"]["pdf"], headers=PETITIONER).content)
    assert "relative au terrain non immatriculé" in letter


def test_anyone_may_ask_under_a_homologated_plan(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 6 al. 3: « Ladite demande peut émaner de tout intéressé lorsque le document
    d'urbanisme est homologué. »"""
    plan(conn, tmp_path, "PA Homologué")
    nru = issue(client, PARCEL)
    assert nru["request"]["qualite"] is None


# --- art. 6 al. 2: the request, its number, its récépissé ---------------------------------


def test_request_has_its_own_number_date_and_receipt(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 6 al. 2: « déposée auprès de l'agence urbaine contre récépissé dûment daté »; the
    letter's « Réf : Votre demande n° … du … » is that request, not the note."""
    plan(conn, tmp_path, "PA Récépissé")
    first, second = issue(client, PARCEL), issue(client, PARCEL)
    receipt = first["recepisse"]
    assert re.fullmatch(r"DEM/\d{4}/\d{6}", receipt["number"])
    assert receipt["number"] != first["number"]
    assert receipt["date"] == first["issued_at"][:10]  # issued at once: the same day
    n1, n2 = (int(n["recepisse"]["number"].rsplit("/", 1)[1]) for n in (first, second))
    assert n2 == n1 + 1
    # the request stored, numbered and tied to its note by the note's own statement
    stored = conn.execute(
        text("SELECT number, nru_id::text FROM nru_requests WHERE id = :id"),
        {"id": first["request"]["id"]},
    ).one()
    assert tuple(stored) == (receipt["number"], first["id"])
    assert client.get(f"/api/v1/nru/{first['id']}").json()["request"]["number"] == receipt["number"]
    pdf = client.get(receipt["pdf"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    words = pdf_text(pdf.content)
    assert receipt["number"] in words and "Récépissé" in words
    assert client.get(receipt["pdf"]).content == pdf.content  # the same bytes every time
    letter = pdf_text(client.get(first["links"]["pdf"]).content)
    assert f"Réf : Votre demande n° {receipt['number']} du {_long(TODAY)}" in letter
    assert "valable jusqu'au 6 février 2030" in letter  # the synthetic plan's valid_until


def multipart(files: dict[str, tuple[str, bytes, str]], **fields: str) -> dict[str, Any]:
    upload = {"file": ("bornes.csv", coordinates(PARCEL).encode(), "text/csv"), **files}
    return {"files": upload, "data": fields}


def test_request_files_are_stored_with_their_digest_and_seen_by_the_agency_only(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """The agency's online form: « Justificatif de propriété », « Plan cadastral ou
    parcellaire », « Accord de propriétaire » (JPG, TIF), plus PDF; the owner's papers are
    for the agency's agents."""
    plan(conn, tmp_path, "PA Pièces", status="en_cours")
    answer = client.post(
        "/api/v1/nru",
        headers=PETITIONER,
        **multipart(
            {
                "justificatif_propriete": ("cp.pdf", PDF_BYTES, "application/pdf"),
                "plan_cadastral": ("plan.tif", TIFF_BYTES, "image/tiff"),
                "accord_proprietaire": ("accord.jpg", JPEG_BYTES, "image/jpeg"),
            },
            land_reference="TF 77/R",
            qualite="mandataire",
            profession="Architecte",
            owner_name="Ahmed Tazi",
            petitioner_name="Salma Bennani",
        ),
    )
    assert answer.status_code == 201, answer.text
    listing_url = answer.json()["links"]["files"]
    listing = client.get(listing_url, headers=AGENT)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert body["requester"]["profession"] == "Architecte"
    assert body["requester"]["owner_name"] == "Ahmed Tazi"
    stored = {f["field"]: f for f in body["files"]}
    assert stored["justificatif_propriete"]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert stored["plan_cadastral"]["media_type"] == "image/tiff"
    assert stored["accord_proprietaire"]["size"] == len(JPEG_BYTES)
    got = client.get(stored["accord_proprietaire"]["href"], headers=AGENT)
    assert got.status_code == 200 and got.content == JPEG_BYTES
    # nobody else: not the petitioner who sent them, not another agency, not the public
    for headers in (PETITIONER, OTHER_AGENT, None):
        assert client.get(listing_url, headers=headers).status_code in (401, 403)
        refused = client.get(stored["accord_proprietaire"]["href"], headers=headers)
        assert refused.status_code in (401, 403)
        assert refused.content != JPEG_BYTES


def test_a_file_of_the_wrong_kind_refuses_the_whole_request(
    client: TestClient, conn: Connection, tmp_path: Path, settings: Settings, engine: Engine
) -> None:
    """The type is read from the bytes, not the name; a refused file leaves nothing behind."""
    plan(conn, tmp_path, "PA Fichier")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    wrong = client.post(
        "/api/v1/nru",
        **multipart({"plan_cadastral": ("plan.pdf", png, "application/pdf")}),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "plan_cadastral"
    assert "ni un PDF, ni une image JPG ou TIF" in wrong.json()["detail"]
    small = settings.model_copy(update={"nru_attachment_max_kb": 1})
    with app_client(small, engine, conn) as bounded:
        big = PDF_BYTES + b"0" * 2048
        large = bounded.post(
            "/api/v1/nru", **multipart({"justificatif_propriete": ("cp.pdf", big, "x/y")})
        )
    assert large.status_code == 422 and large.json()["code"] == "piece_trop_grande"
    count = """SELECT (SELECT count(*) FROM nru_requests WHERE plan_name = 'PA Fichier')
                    + (SELECT count(*) FROM nrus WHERE plan_name = 'PA Fichier')"""
    assert conn.execute(text(count)).scalar() == 0


# --- #14: the addressee and the signatory -------------------------------------------------


def test_letter_names_addressee_and_signatory(
    conn: Connection, tmp_path: Path, settings: Settings, engine: Engine
) -> None:
    """Annexe 1 « A M/Mme … » and « Signature et cachet de l'agence urbaine »: the name when
    given, « M./Mme » alone otherwise; the signatory from the settings."""
    plan(conn, tmp_path, "PA Signé")
    signed = settings.model_copy(
        update={"signatory_name": "Nadia Bennani", "signatory_title": "La Directrice"}
    )
    with app_client(signed, engine, conn) as client:
        named = issue(client, PARCEL, PETITIONER, petitioner={"name": "Karim Alaoui"})
        anonymous = issue(client, PARCEL)
        named_text = pdf_text(client.get(named["links"]["pdf"], headers=PETITIONER).content)
        anonymous_text = pdf_text(client.get(anonymous["links"]["pdf"]).content)
    assert "À M./Mme Karim Alaoui" in named_text
    assert "À M./Mme Objet" in anonymous_text  # the civility alone, then the subject
    for letter in (named_text, anonymous_text):
        assert "La Directrice Nadia Bennani" in letter
    assert named["signatory"] == {"name": "Nadia Bennani", "title": "La Directrice"}


def test_signatory_from_the_reglement(client: TestClient, conn: Connection, tmp_path: Path) -> None:
    """Without settings, the règlement's `plan.signatory` signs."""
    plan(
        conn,
        tmp_path,
        "PA Règlement Signé",
        signatory={"name": "Omar Idrissi", "title": "Le Directeur"},
    )
    nru = issue(client, PARCEL)
    assert nru["signatory"]["name"] == "Omar Idrissi"
    assert "Le Directeur Omar Idrissi" in pdf_text(client.get(nru["links"]["pdf"]).content)


# --- art. 8: the contents of the note -------------------------------------------------------


def test_article_8_optional_rules_in_json_and_pdf(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """Art. 8: « les types d'utilisations soumis à des conditions spéciales », « l'implantation
    de plusieurs constructions sur une même propriété foncière », « les conditions d'accès
    afférentes à la voirie et aux parkings »."""
    extra = {
        "conditions_speciales": ["Station-service : avis de la protection civile"],
        "constructions_multiples": "Distance minimale entre deux bâtiments : 6 m",
        "acces_voirie": "Accès carrossable de 4 m sur voie publique",
        "parking": "Une place par logement",
    }
    rules = reglement("PA Article 8")
    for zone in rules["zones"].values():
        zone.update(extra)
    import_plan_files(conn, *write_plan(tmp_path, rules=rules), ImportOptions())
    nru = issue(client, PARCEL)
    zone = nru["zones"][0]["rules"]
    assert zone["conditions_speciales"] == extra["conditions_speciales"]
    assert zone["acces_voirie"] == extra["acces_voirie"]
    words = pdf_text(client.get(nru["links"]["pdf"]).content)
    assert "Utilisations soumises à des conditions spéciales" in words
    assert "Station-service : avis de la protection civile" in words
    assert "Distance minimale entre deux bâtiments : 6 m" in words
    assert "Accès carrossable de 4 m sur voie publique" in words


# --- #14 and #12: the verification pages --------------------------------------------------


def test_verify_unknown_note_is_a_french_page(client: TestClient) -> None:
    """A citizen checking a forged QR code sees a French page saying no such note exists."""
    page = client.get("/verify/8c1f0e55-1111-4a2b-9c3d-000000000000")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Aucune note ne correspond à ce code" in page.text and 'lang="fr"' in page.text
    garbage = client.get("/verify/<script>alert(1)</script>")
    assert garbage.status_code == 404 and "<script>alert" not in garbage.text
    as_json = client.get("/verify/unknown", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and as_json.json()["code"] == "nru_not_found"


def test_verification_page_writes_french_numbers(
    client: TestClient, conn: Connection, tmp_path: Path
) -> None:
    """« 1 234,56 m² »: a decimal comma, U+202F between thousands (zoning.wording)."""
    plan(conn, tmp_path, "PA Vérif")
    nru = issue(client, box(355010, 365010, 355060, 365060))  # 2 500 m²
    page = client.get(nru["links"]["verify"]).text
    assert "2\u202f500 m²" in page and "6 février 2030" in page
    assert f"n° {nru['recepisse']['number']} du {_long(TODAY)}" in page


def test_twelve_months_end_on_the_same_day_or_the_months_last() -> None:
    """« la période de douze (12) mois » (Annexe 1): from 31 May to 31 May; 29 February to
    28 February."""
    from geoportal.nru.issue import en_cours_end
    from geoportal.nru.model import PlanRef

    def end(opened: str) -> dt.date | None:
        plan = PlanRef(
            name="P", kind="plan_amenagement", status="en_cours", commune="C", agency="A",
            enquete_publique=dt.date.fromisoformat(opened),
        )  # fmt: skip
        return en_cours_end(plan)

    assert end("2025-05-31") == dt.date(2026, 5, 31)
    assert end("2024-02-29") == dt.date(2025, 2, 28)
