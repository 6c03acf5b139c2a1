"""The NRU's PDF, read back: text (pypdf), metadata, images, and the QR code (pdfium + zxing)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from checks.zone_rules import ZoneRules
from geoportal.nru.map_extract import encode_png
from geoportal.nru.pdf import fr_number, height_fraction, nru_html, render_nru_pdf, setback_text
from tests.geoportal.nru.sample import (
    DEMO_RASTER,
    NUMBER,
    REQUEST_NUMBER,
    RULES_C,
    RULES_D1,
    VERIFY_URL,
    letter_text,
    sample_extract,
    sample_nru,
)

OUTPUT_DIR = Path(__file__).resolve().parents[3] / "test-output"
PETITIONER = "Karim Alaoui, 12, rue des Orangers, Témara"
A4_POINTS = (595.28, 841.89)


def _normalised(text: str) -> str:
    """Text with every kind of space and line break as one plain space."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip()


def _pages_text(pdf: bytes) -> list[str]:
    """The normalised text of each page."""
    return [_normalised(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _page_image(pdf: bytes, index: int, scale: float) -> np.ndarray:
    """A page rendered by pdfium as a BGR uint8 array (the channel order zxing-cpp reads)."""
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[index].render(scale=scale)
        return np.ascontiguousarray(bitmap.to_numpy()[:, :, :3], dtype=np.uint8)
    finally:
        document.close()


@pytest.fixture(scope="module", params=[False, True], ids=["vectors", "raster"])
def rendered(request: pytest.FixtureRequest) -> tuple[bool, bytes]:
    """The sample note rendered without and with the demo raster; saved for a human to look."""
    with_raster = bool(request.param)
    extract = sample_extract(raster=DEMO_RASTER if with_raster else None)
    pdf = render_nru_pdf(sample_nru(), extract, verify_url=VERIFY_URL, petitioner=PETITIONER)
    OUTPUT_DIR.mkdir(exist_ok=True)
    suffix = "-raster" if with_raster else ""
    (OUTPUT_DIR / f"nru-sample{suffix}.pdf").write_bytes(pdf)
    return with_raster, pdf


def test_pdf_is_a4_with_numbered_footer(rendered: tuple[bool, bytes]) -> None:
    _, pdf = rendered
    reader = PdfReader(io.BytesIO(pdf))
    count = len(reader.pages)
    assert count >= 3
    for number, page in enumerate(reader.pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS, abs=0.5)
        text = _normalised(page.extract_text())
        assert f"NRU n° {NUMBER} — page {number} / {count}" in text


def test_letter_follows_annexe_1(rendered: tuple[bool, bytes]) -> None:
    _, pdf = rendered
    letter = _pages_text(pdf)[0]
    assert letter.startswith("ROYAUME DU MAROC")
    assert "Ministère de l'Aménagement du Territoire National" in letter
    assert "Agence Urbaine de Skhirate-Temara" in letter
    assert "À M./Mme Karim Alaoui 12, rue des Orangers, Témara" in letter
    assert (
        "Objet : Note de renseignements urbanistiques relative au terrain objet du "
        "TF n° 12345/R, sis à la commune de Ain Demo, Préfecture ou Province de "
        "Skhirate-Temara." in letter
    )
    # art. 6 al. 2: the request is its own act, « contre récépissé dûment daté »; the Réf
    # gives its number and date, not the note's
    assert f"Réf : Votre demande n° {REQUEST_NUMBER} du 13 mars 2026." in letter
    assert NUMBER not in letter.split("Réf :")[1].split(".")[0]
    assert "La Directrice de l'Agence Urbaine Nadia Bennani" in letter
    assert "Signature et cachet de l'agence urbaine" in letter


def test_letter_paragraphs_are_all_there_in_order(rendered: tuple[bool, bytes]) -> None:
    _, pdf = rendered
    text = " ".join(_pages_text(pdf))
    positions = [text.find(_normalised(paragraph)) for paragraph in letter_text()]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "situé en zone C (Zone d'habitat continu (R+2))" in text
    assert "situé en zone D1 (Zone de villas isolées (R+1))" in text


def test_terrain_page_gives_areas_overlaps_and_warnings(rendered: tuple[bool, bytes]) -> None:
    _, pdf = rendered
    text = " ".join(_pages_text(pdf))
    assert "Référence foncière TF 12345/R" in text
    assert "Superficie calculée (coordonnées fournies) 2 910,50 m²" in text
    assert "Superficie déclarée 2 950 m²" in text
    assert "Hors du périmètre de « PA Ain Demo » 12,40 m²" in text
    assert "Autre document PA Témara 12,40 m²" in text
    assert "Lotissement réceptionné — Lotissement Al Amal" in text
    assert "Alignement V12 — Avenue des Villas, emprise de 20 m 412,33 m²" in text
    assert "Superpositions négligées" in text
    assert "zones ZV 0,31 m² Superposition inférieure à la tolérance de 1 m²" in text
    assert "La superficie calculée diffère de la superficie déclarée de plus de 1 %." in text
    assert "B3 358 040,00 366 036,00" in text


def test_rules_extract_lists_each_zone_rules(rendered: tuple[bool, bytes]) -> None:
    _, pdf = rendered
    pages = _pages_text(pdf)
    rules = next(p for p in pages if p.startswith("EXTRAIT DE LA RÉGLEMENTATION"))
    assert "Zone C" in rules and "Zone D1" in rules
    for expected in (
        "Affectation Habitat individuel en bande",
        "Utilisations interdites Industrie Dépôts Ateliers bruyants Commerce Industrie",
        "Hauteur maximale 11,50 m 8,50 m",
        "Nombre de niveaux maximal R+2 R+1",
        "0,75 (75 % de la surface du terrain)",
        "0,30 (30 % de la surface du terrain)",
        "COS (coefficient d'occupation du sol) 2,25 0,50",
        "Fond : max(4 m, H/2)",
        "Limites séparatives : 4 m",
        "Surface minimale de la parcelle 100 m² 500 m²",
        "Façade minimale 8 m 18 m",
        "2 places à l'intérieur de la parcelle",
        "Zone non aedificandi : toute construction y est interdite.",
    ):
        assert expected in rules, expected


def test_map_page_has_caption_dates_and_the_raster_only_if_given(
    rendered: tuple[bool, bytes],
) -> None:
    with_raster, pdf = rendered
    reader = PdfReader(io.BytesIO(pdf))
    last = reader.pages[-1]
    text = _normalised(last.extract_text())
    assert text.startswith("EXTRAIT DU PLAN D'AMÉNAGEMENT")
    assert "« PA Ain Demo » — échelle 1/1000" in text
    assert "Lambert Nord Maroc (Merchich) — EPSG:26191, coordonnées en mètres" in text
    assert f"Note de renseignements urbanistiques n° {NUMBER}" in text
    assert "Délivrée le 16 mars 2026" in text
    assert "Valable jusqu'au 1er avril 2031 (art. 9" in text
    assert "(art. 7 du décret n° 2-18-577)" in text
    assert "V12 — 20 m" in text and "X = 358 000" in text
    assert len(last.images) == (1 if with_raster else 0)


def test_qr_code_decodes_to_the_verify_url(rendered: tuple[bool, bytes]) -> None:
    with_raster, pdf = rendered
    last = len(PdfReader(io.BytesIO(pdf)).pages) - 1
    image = _page_image(pdf, last, scale=2.0)
    suffix = "-raster" if with_raster else ""
    rgb = np.ascontiguousarray(image[:, :, ::-1])
    (OUTPUT_DIR / f"nru-map-page{suffix}.png").write_bytes(encode_png(rgb))
    codes = zxingcpp.read_barcodes(image)
    qr_texts = [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert qr_texts == [VERIFY_URL]


def test_metadata_carry_the_number_and_the_issue_time(rendered: tuple[bool, bytes]) -> None:
    _, pdf = rendered
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert metadata.title == NUMBER
    assert metadata.creation_date is not None
    assert metadata.creation_date.isoformat() == sample_nru().issued_at.isoformat()


def test_addressee_named_when_a_petitioner_is_given() -> None:
    nru, extract = sample_nru(), sample_extract()
    anonymous = nru_html(nru, extract, verify_url=VERIFY_URL)
    named = nru_html(nru, extract, verify_url=VERIFY_URL, petitioner="Salma Bennani")
    # Annexe 1 « A M/Mme … »: the civility alone when no name was given (#14)
    assert '<div class="destinataire">À<br>M./Mme</div>' in anonymous
    assert '<div class="destinataire">À<br>M./Mme Salma Bennani</div>' in named


def test_user_text_is_escaped() -> None:
    nru = sample_nru().model_copy(update={"warnings": ['<img src="file:///etc/passwd">']})
    html = nru_html(nru, sample_extract(), verify_url=VERIFY_URL, petitioner="<b>X</b>")
    assert '<img src="file' not in html and "<b>X</b>" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html  # Jinja2 autoescape


def test_land_reference_variants_in_the_subject() -> None:
    base = sample_nru()
    subjects = {}
    for reference in ("Réquisition 6789/R", None):
        parcel = base.parcel.model_copy(update={"land_reference": reference})
        html = nru_html(
            base.model_copy(update={"parcel": parcel}), sample_extract(), verify_url="x"
        )
        subjects[reference] = html
    assert "relative au terrain objet de la réquisition n° 6789/R" in subjects["Réquisition 6789/R"]
    assert "relative au terrain non immatriculé" in subjects[None]


def test_a_note_without_text_is_refused() -> None:
    nru = sample_nru().model_copy(update={"text": []})
    with pytest.raises(ValueError, match="no text"):
        render_nru_pdf(nru, sample_extract(), verify_url=VERIFY_URL)


def test_french_figures() -> None:
    assert fr_number(1234.5) == "1\u202f234,50"
    assert fr_number(2950.0) == "2\u202f950"
    assert fr_number(-39.5) == "−39,50"
    assert height_fraction(0.5) == "H/2"
    assert height_fraction(1.0) == "H"
    assert height_fraction(0.6) == "0,60 × H"
    assert setback_text({"distance_m": 4.0, "height_ratio": 0.5}) == "max(4 m, H/2)"
    assert setback_text({"distance_m": 0.0, "height_ratio": None}) == "0 m"


def test_sample_rules_have_the_shape_of_zone_rules_dumps() -> None:
    for rules in (RULES_C, RULES_D1):
        assert ZoneRules.model_validate(rules).model_dump() == rules


def test_signatory_without_a_name_is_the_agency_director() -> None:
    """Annexe 1 « Signature et cachet de l'agence urbaine »: with no name configured, the
    director's title alone, never an invented name."""
    html = nru_html(
        sample_nru().model_copy(update={"signatory": None}), sample_extract(), verify_url="x"
    )
    assert "Le Directeur de l'Agence Urbaine de Skhirate-Temara</div>" in html
    assert "signataire-nom" not in html
