"""The note's setbacks (issue #11 item 15): bands, buildable footprint, CES cap, over HTTP.

Cases written from the demo règlement's rules (data/demo/reglement.yaml): zone D1 sets a road
setback of 5 m, side and rear setbacks of 4 m and a CES of 0.3; zone B4 sets no road nor side
setback (0 m), a rear setback « max(5 m, H/2) » and a maximum height of 17.5 m, so H/2 is
worked out for 17.5 m: 8.75 m, and a CES of 0.7. RGC art. 8: the note gives « les conditions
d'implantation des Immeubles par rapport aux limites séparatives ou mitoyennes ». The expected
areas are computed here by hand on rectangles (one straight road 20 m wide along y = 100), not
by the code under test.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import yaml
from fastapi.testclient import TestClient
from shapely.geometry import LineString, box
from sqlalchemy import Connection

from geoportal.plans import import_plan_files
from tests.geoportal.nru.test_issue import coordinates
from tests.packages import write_plan
from zoning.package.load import ImportOptions
from zoning.synthetic import reglement

X0, Y0 = 355_000.0, 370_000.0  # away from the demo commune and the synthetic grid
DEMO_RULES = yaml.safe_load(Path("data/demo/reglement.yaml").read_text(encoding="utf-8"))


def at(x0: float, y0: float, x1: float, y1: float) -> Any:
    """A rectangle in metres from the test plan's origin."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def setback_plan(tmp: Path) -> tuple[Path, str]:
    """D1 west of x = 200, B4 east of it; road V1 (20 m) along y = 100; a no-build strip."""
    layers = {
        "zones": gpd.GeoDataFrame(
            {"code": ["D1", "B4"], "label": [None, None]},
            geometry=[at(0, 0, 200, 200), at(200, 0, 400, 200)],
        ),
        "roads": gpd.GeoDataFrame(
            {"ref": ["V1"], "width_m": [20.0], "name": ["Avenue Test"]},
            geometry=[LineString([(X0 - 50, Y0 + 100), (X0 + 450, Y0 + 100)])],
        ),
        "servitudes": gpd.GeoDataFrame(
            {"kind": ["non_aedificandi"], "label": ["Bande non aedificandi"], "buffer_m": [None]},
            geometry=[at(120, 0, 140, 70)],
        ),
    }
    layers = {name: frame.set_crs(26191) for name, frame in layers.items()}
    rules = reglement("PA Reculs", codes=())
    rules["zones"] = {code: DEMO_RULES["zones"][code] for code in ("D1", "B4")}
    return write_plan(tmp, layers, rules=rules)


@pytest.fixture
def setbacks_plan(conn: Connection, tmp_path: Path) -> None:
    import_plan_files(conn, *setback_plan(tmp_path), ImportOptions())


def issue(client: TestClient, parcel: Any) -> dict[str, Any]:
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(parcel)})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bands(zone: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {s["kind"]: (s["distance_m"], s["area_m2"]) for s in zone["setbacks"]}


def reason(zone: dict[str, Any], code: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [r for r in zone["buildable_reasons"] if r["code"] == code]
    assert len(found) == 1, zone["buildable_reasons"]
    return found[0]


def test_villa_parcel_on_the_road(client: TestClient, setbacks_plan: None) -> None:
    """D1, 30 × 42 m, 2 m of it in the right-of-way: bands of 5, 4 and 4 m; CES caps."""
    parcel = at(20, 50, 50, 92)  # the right-of-way starts at y = 90
    note = issue(client, parcel)
    [zone] = note["zones"]
    assert zone["code"] == "D1"
    net = 30 * 40  # behind the alignment
    road, side, rear = 30 * 5, 2 * 40 * 4, 30 * 4
    inner = (30 - 8) * (40 - 5 - 4)  # what no band touches
    assert bands(zone) == {
        "road": (5, pytest.approx(road)),
        "side": (4, pytest.approx(side)),
        "rear": (4, pytest.approx(rear)),
    }
    assert reason(zone, "alignment")["area_m2"] == pytest.approx(30 * 2)
    assert reason(zone, "setbacks")["area_m2"] == pytest.approx(net - inner)
    assert reason(zone, "envelope")["area_m2"] == pytest.approx(inner)
    assert reason(zone, "ces_cap")["area_m2"] == pytest.approx(0.3 * net)
    assert zone["buildable_footprint_m2"] == pytest.approx(min(inner, 0.3 * net))  # 360 m²
    assert note["buildable_footprint_m2"] == pytest.approx(360)
    assert any(r.startswith("Zone D1 — CES 0,3") for r in note["buildable_reasons"])
    stored = client.get(f"/api/v1/nru/{note['id']}").json()  # as issued, unchanged
    assert stored["zones"][0]["setbacks"] == zone["setbacks"]
    assert stored["buildable_footprint_m2"] == note["buildable_footprint_m2"]


def test_height_ratio_rear_setback_for_the_zone_maximum(
    client: TestClient, setbacks_plan: None
) -> None:
    """B4: rear max(5 m, H/2) at H = 17.5 m is 8.75 m, said so; road and side 0 m."""
    parcel = at(220, 50, 250, 90)
    [zone] = issue(client, parcel)["zones"]
    assert bands(zone) == {
        "road": (0, 0),
        "side": (0, 0),
        "rear": (8.75, pytest.approx(30 * 8.75)),
    }
    [rear] = [s for s in zone["setbacks"] if s["kind"] == "rear"]
    assert rear["height_ratio"] == 0.5 and rear["height_m"] == 17.5
    assert "H/2" in rear["note"] and "hauteur maximale de la zone" in rear["note"]
    envelope = 30 * 40 - 30 * 8.75  # 937.5 m²
    assert reason(zone, "envelope")["area_m2"] == pytest.approx(envelope)
    assert zone["buildable_footprint_m2"] == pytest.approx(0.7 * 1200)  # the CES binds: 840


def test_parcel_across_two_zones(client: TestClient, setbacks_plan: None) -> None:
    """Each zone part has its own bands: D1's side band from the west edge, B4's rear band."""
    parcel = at(180, 50, 230, 90)
    note = issue(client, parcel)
    zones = {z["code"]: z for z in note["zones"]}
    d1, b4 = zones["D1"], zones["B4"]
    # D1 part 20 × 40: road 20 × 5, west side 4 × 40 (the east side lies in B4), rear 20 × 4
    assert bands(d1) == {
        "road": (5, pytest.approx(100)),
        "side": (4, pytest.approx(160)),
        "rear": (4, pytest.approx(80)),
    }
    d1_envelope = (20 - 4) * (40 - 5 - 4)
    assert reason(d1, "envelope")["area_m2"] == pytest.approx(d1_envelope)
    assert d1["buildable_footprint_m2"] == pytest.approx(min(d1_envelope, 0.3 * 800))
    assert bands(b4)["rear"] == (8.75, pytest.approx(30 * 8.75))
    assert b4["buildable_footprint_m2"] == pytest.approx(min(1200 - 262.5, 0.7 * 1200))
    # the note's footprint is the sum of its zone parts': 240 + 840 m²
    assert note["buildable_footprint_m2"] == pytest.approx(min(d1_envelope, 240) + 840)


def test_no_build_servitude_is_taken_off(client: TestClient, setbacks_plan: None) -> None:
    """A servitude non aedificandi over the parcel's east part is off the envelope."""
    parcel = at(100, 50, 130, 90)
    [zone] = issue(client, parcel)["zones"]
    assert reason(zone, "no_build")["area_m2"] == pytest.approx(10 * 20)
    inner = box(104, 54, 126, 85)  # inside every band
    envelope = inner.area - inner.intersection(box(120, 0, 140, 70)).area
    assert reason(zone, "envelope")["area_m2"] == pytest.approx(envelope)
    assert zone["buildable_footprint_m2"] == pytest.approx(min(envelope, 0.3 * 1200))


def test_parcel_off_the_roads(client: TestClient, setbacks_plan: None) -> None:
    """No road of the plan along the parcel: the front is unknown, so the side and rear
    bands cannot be placed and the footprint is not guessed; the CES bound is still given."""
    parcel = at(20, 10, 50, 40)
    note = issue(client, parcel)
    [zone] = note["zones"]
    assert bands(zone) == {"road": (5, None), "side": (4, None), "rear": (4, None)}
    assert zone["buildable_footprint_m2"] is None and note["buildable_footprint_m2"] is None
    assert reason(zone, "ces_cap")["area_m2"] == pytest.approx(0.3 * 900)
    assert any(r["code"] == "setback_unlocated" for r in zone["buildable_reasons"])


def test_pdf_table_of_setbacks(client: TestClient, setbacks_plan: None) -> None:
    """The PDF prints each band with its distance and area, and each zone's footprint."""
    note = issue(client, at(180, 50, 230, 90))
    pdf = client.get(note["links"]["pdf"])
    assert pdf.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Reculs et emprise constructible" in text
    assert "8,75 m" in text and "262,50 m²" in text  # B4's rear band at H = 17,5 m
    assert "H = 17,5" in text and "hauteur maximale de la zone" in text  # said so
    assert "Zone D1 : emprise constructible 240 m²" in text  # capped by the CES 0,3 × 800 m²
