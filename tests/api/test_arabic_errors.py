"""API messages: French by default with their stable code; Accept-Language: ar gives the
Arabic of the catalog (issue 16), the French kept beside it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from geoportal.i18n import accept_language, negotiate

BODY = {
    "coordinates": "Borne;X;Y\nB1;358700,00;366600,00\nB2;358760,00;366600,00\n"
    "B3;358760,00;366660,00\nB4;358700,00;366660,00\n",
    "plan": "PA Inconnu",
}


def test_unknown_plan_in_french_then_in_arabic(client: TestClient) -> None:
    french = client.post("/api/v1/nru", json=BODY)
    assert french.status_code == 422
    item = french.json()["errors"][0]
    assert item["code"] == "unknown_plan" and "PA Inconnu" in item["message"]
    arabic = client.post("/api/v1/nru", json=BODY, headers={"Accept-Language": "ar-MA,ar;q=0.9"})
    assert arabic.status_code == 422
    item_ar = arabic.json()["errors"][0]
    assert item_ar["code"] == "unknown_plan"  # programs read the same code
    assert item_ar["message"].startswith("لا يوجد تصميم بهذا الاسم")
    assert item_ar["message_fr"] == item["message"]


def test_negotiation_query_then_header_then_french() -> None:
    assert negotiate("ar", "fr") == "ar"
    assert negotiate(None, "en-GB, ar;q=0.8, fr;q=0.5") == "ar"
    assert negotiate(None, "fr;q=0.9, ar;q=0.8") == "fr"
    assert negotiate(None, "ar;q=0") == "fr"
    assert negotiate("xx", None) == "fr"
    assert accept_language("de, en") is None


def test_verification_page_is_bilingual(client: TestClient, demo: None) -> None:
    issued = client.post("/api/v1/nru", json={**BODY, "plan": "PA Ain Demo"})
    assert issued.status_code == 201, issued.text
    page = client.get(issued.json()["links"]["verify"]).text
    assert "Note de renseignements urbanistiques" in page
    assert '<span lang="ar" dir="rtl">مذكرة المعلومات التعميرية</span>' in page
    assert "Référence foncière" in page and "المرجع العقاري" in page
    assert "سارية المفعول" in page  # the state, in force
