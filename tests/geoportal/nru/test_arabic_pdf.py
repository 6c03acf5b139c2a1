"""The NRU's Arabic part (issue 16), read back with poppler: pdftotext keeps Arabic in logical
order, pdffonts lists the embedded faces, pdftoppm renders the page for a human to look at.

Art. 7 of décret 2-18-577 (« délivrée sur la base des données fournies par le demandeur ») and
art. 9 (validity) are printed in Arabic too; the French letter of Annexe 1 stays page 1.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from geoportal.nru.pdf import render_nru_pdf
from geoportal.settings import Settings
from tests.geoportal.nru.sample import (
    LAND_REFERENCE,
    NUMBER,
    VERIFY_URL,
    sample_extract,
    sample_nru,
)

OUTPUT = Path(__file__).resolve().parents[3] / "test-output"
BIDI_MARKS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
LABEL_AR = "منطقة السكن المسترسل (R+2)"


def _text(pdf: Path, page: int, last: int | None = None) -> str:
    """Pages page..last as pdftotext reads them, without its bidi embedding marks."""
    pages = ["-f", str(page), "-l", str(last or page)]
    out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8").translate(BIDI_MARKS)


@pytest.fixture(scope="module")
def bilingual() -> Path:
    """The sample note, zone C with Arabic twins, zone D1 without: rendered fr,ar."""
    nru = sample_nru()
    nru.zones[0].rules = {
        **nru.zones[0].rules,
        "label_ar": LABEL_AR,
        "affectation_ar": "السكن الفردي المسترسل؛ تجارة القرب في الطابق الأرضي",
        "interdictions_ar": ["الصناعة", "المستودعات", "الورشات المزعجة"],
    }
    pdf = render_nru_pdf(nru, sample_extract(), verify_url=VERIFY_URL, languages=("fr", "ar"))
    OUTPUT.mkdir(exist_ok=True)
    path = OUTPUT / "nru-sample-bilingue.pdf"
    path.write_bytes(pdf)
    for page in (1, 2):  # the French letter and the Arabic part, to look at
        subprocess.run(
            [
                "pdftoppm",
                "-f",
                str(page),
                "-l",
                str(page),
                "-r",
                "110",
                "-png",
                "-singlefile",
                str(path),
                str(OUTPUT / f"nru-sample-bilingue-p{page}"),
            ],
            check=True,
        )
    return path


def test_arabic_title_and_zone_label_are_unicode_text(bilingual: Path) -> None:
    arabic = _text(bilingual, 2, 3)  # the Arabic part runs over to page 3
    assert "مذكرة المعلومات التعميرية" in arabic
    assert "تصميم التهيئة" in arabic
    assert "منطقة السكن المسترسل" in arabic and "R+2" in arabic
    # interdictions_ar (pdftotext puts the neutral « ، » in a run of its own: items one by one)
    assert all(item in arabic for item in ("الصناعة", "المستودعات", "الورشات المزعجة"))
    # zone D1 has no twin: its French label stands alone, no empty cell
    assert "Zone de villas isolées" in arabic
    assert "Habitat individuel isolé" in arabic  # its affectation, in French
    assert "Note de renseignements urbanistiques" in _text(bilingual, 1)  # the letter first


def test_number_and_land_reference_read_left_to_right_inside_the_arabic(bilingual: Path) -> None:
    arabic = _text(bilingual, 2, 3)
    assert NUMBER in arabic  # AU-ST/2026/000123, not 000123/2026/AU-ST
    assert LAND_REFERENCE in arabic  # TF 12345/R, not R/12345 TF
    assert "12345/R" in arabic.split("الرسم العقاري عدد", 1)[1][:20]
    assert "X = 358" in arabic and "Y = 366" in arabic  # the centre's coordinates
    assert "R/12345" not in arabic


def test_embedded_font_covers_arabic(bilingual: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(bilingual)], capture_output=True, check=True, text=True)
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    arabic = [r for r in rows if "Amiri" in r[0] or "NotoNaskhArabic" in r[0]]
    assert arabic, fonts.stdout
    assert all(r[-5] == "yes" for r in arabic)  # emb column: embedded (subset)


def test_languages_setting_orders_and_omits_the_arabic_part() -> None:
    nru, extract = sample_nru(), sample_extract()
    french_only = render_nru_pdf(nru, extract, verify_url=VERIFY_URL, languages=("fr",))
    path = OUTPUT / "nru-sample-fr.pdf"
    path.write_bytes(french_only)
    assert "المعلومات التعميرية" not in _text(path, 2)
    arabic_first = render_nru_pdf(nru, extract, verify_url=VERIFY_URL, languages=("ar", "fr"))
    path = OUTPUT / "nru-sample-ar-fr.pdf"
    path.write_bytes(arabic_first)
    assert "مذكرة المعلومات التعميرية" in _text(path, 1)
    assert "Objet :" in _text(path, 2, 4)  # the French letter after the Arabic part
    assert f"NRU n° {NUMBER} — page 1" in _text(path, 1)  # the footer has the number
    assert Settings(document_languages="ar").languages() == ("ar", "fr")  # the letter stays
    with pytest.raises(ValueError, match="GEOPORTAL_DOCUMENT_LANGUAGES"):
        Settings(document_languages="fr,en").check()


def test_bilingual_macros_for_the_documents_to_come() -> None:
    """Receipts, agendas, minutes, decisions: one title and one header in both languages."""
    from geoportal.render import environment

    source = (
        '{% import "bilingual.html" as bi %}'
        "{{ bi.bilingual_title('Récépissé <de dépôt>', 'وصل الإيداع') }}"
        "{{ bi.document_header(h) }}"
    )
    header = {
        "kingdom_fr": "ROYAUME DU MAROC", "kingdom_ar": "المملكة المغربية",
        "ministry_fr": "Ministère", "ministry_ar": "وزارة", "agency_fr": "Agence",
        "agency_ar": "الوكالة", "number_label": "رقم", "number": "R-2026/0007",
        "date_label": "بتاريخ", "date": "16/03/2026",
    }  # fmt: skip
    html = environment().from_string(source).render(h=header)
    assert '<span class="fr" lang="fr" dir="ltr">Récépissé &lt;de dépôt&gt;</span>' in html
    assert '<span class="ar" lang="ar" dir="rtl">وصل الإيداع</span>' in html
    assert '<bdi dir="ltr">R-2026/0007</bdi>' in html and '<bdi dir="ltr">16/03/2026</bdi>' in html
