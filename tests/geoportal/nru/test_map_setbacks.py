"""The map extract (issues #11 item 15 and #14): setback bands and envelope, servitudes over
the roads, context around a parcel deep in one zone; checked by rendering the PDF's page."""

from __future__ import annotations

import io
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from shapely.geometry import box
from sqlalchemy import Connection

from geoportal.nru.document import map_extract
from geoportal.nru.map_extract import MapExtract, render_map_svg
from geoportal.nru.model import Nru
from tests.geoportal.nru.sample import PARCEL, ROAD_V12, SERVITUDE, SRID, sample_extract
from tests.geoportal.nru.test_issue import coordinates

SVG_NS = "{http://www.w3.org/2000/svg}"
OUTPUT = Path("test-output")
# A villa parcel of zone D1 along Avenue des Villas (V5, 20 m): its east side in the road.
VILLA = box(357740, 367850, 357790, 367890)
# A parcel deep in the D1 zone west of V5: no road nor zone limit within 75 m.
DEEP = box(357621, 367078, 357651, 367118)


def _paths(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG_NS}path"))


def test_servitude_hatching_is_drawn_over_the_roads() -> None:
    """A servitude across a right-of-way: its hatching comes after (over) the road's white."""
    burdened = SERVITUDE.union(ROAD_V12)
    extract = sample_extract()
    crossing = MapExtract(
        **{**extract.__dict__, "servitudes": [("non_aedificandi", "Oued", burdened)]}
    )
    paths = _paths(render_map_svg(crossing))
    fills = [p.get("fill") for p in paths]
    road = fills.index("#ffffff")
    hatch = fills.index("url(#servitude-hatch)")
    assert hatch > road


def test_setback_bands_and_envelope_are_drawn_with_their_legend() -> None:
    """The bands (orange) and the envelope (dashed green) are drawn and named in the legend."""
    band = PARCEL.intersection(box(357980, 366030, 358040, 366045))
    envelope = PARCEL.difference(band.buffer(1))
    extract = sample_extract()
    drawn = MapExtract(
        **{
            **extract.__dict__,
            "setback_bands": [("C", "road", band)],
            "buildable": [("C", envelope)],
        }
    )
    svg = render_map_svg(drawn)
    classes = [p.get("class") for p in _paths(svg)]
    assert "setback-band" in classes and "buildable" in classes
    assert "Bande de recul" in svg and "Enveloppe constructible" in svg
    plain = render_map_svg(extract)
    assert "Bande de recul" not in plain and "setback-band" not in plain


def issue(client: TestClient, parcel: Any) -> dict[str, Any]:
    response = client.post("/api/v1/nru", json={"coordinates": coordinates(parcel)})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def render_page(pdf: bytes, name: str, page: int) -> Path:
    """One page of the PDF as a PNG in test-output (pdftoppm), to be looked at."""
    OUTPUT.mkdir(exist_ok=True)
    source = OUTPUT / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile",
         str(source), str(OUTPUT / name)],
        check=True,
    )  # fmt: skip
    return OUTPUT / f"{name}.png"


def _extract_page(pdf: bytes) -> int:
    """The 1-based number of the map extract's page."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return next(i for i, p in enumerate(pages, 1) if "Légende" in (p.extract_text() or ""))


def test_villa_note_prints_and_draws_its_setbacks(
    client: TestClient, conn: Connection, demo: None
) -> None:
    """D1 along V5 (road 5 m, side 4 m, rear 4 m): the table in the PDF, the bands on the map."""
    note = issue(client, VILLA)
    [zone] = [z for z in note["zones"] if z["code"] == "D1"]
    kinds = {s["kind"]: s for s in zone["setbacks"]}
    assert set(kinds) == {"road", "side", "rear"}
    assert all(s["area_m2"] and s["area_m2"] > 0 for s in kinds.values())
    assert zone["buildable_footprint_m2"] is not None and zone["buildable_footprint_m2"] > 0
    extract = map_extract(conn, Nru.model_validate(note), SRID)
    assert {kind for _, kind, _ in extract.setback_bands} == {"road", "side", "rear"}
    assert [zone for zone, _ in extract.buildable] == ["D1"]
    response = client.get(note["links"]["pdf"])
    assert response.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Reculs et emprise constructible" in text
    assert "Bande de recul" in text and "Enveloppe constructible" in text
    png = render_page(response.content, "nru_setbacks_villa", _extract_page(response.content))
    assert png.stat().st_size > 10_000


def test_parcel_deep_in_one_zone_shows_its_neighbours(
    client: TestClient, conn: Connection, demo: None
) -> None:
    """A parcel 75 m from any road or limit: the window widens until one shows, labelled."""
    note = issue(client, DEEP)
    extract = map_extract(conn, Nru.model_validate(note), SRID)
    minx, _, maxx, _ = extract.bbox
    assert maxx - minx > 150  # wider than the 1/1000 window of a 30 × 40 m parcel
    window = box(*extract.bbox)
    codes = {code for code, _, _, g in extract.zones if g.intersects(window)}
    assert extract.roads or len(codes) > 1
    svg = render_map_svg(extract)
    road_refs = {ref for ref, _, _ in extract.roads}
    assert any(f">{ref}" in svg for ref in road_refs) or len(codes) > 1
    response = client.get(note["links"]["pdf"])
    png = render_page(response.content, "nru_deep_parcel", _extract_page(response.content))
    assert png.stat().st_size > 10_000


# Along Avenue des Villas (V5) where the oued's 30 m non aedificandi band crosses it.
BURDENED = box(357845, 365940, 357885, 365980)


def test_burdened_parcel_along_a_road_shows_its_hatching(
    client: TestClient, conn: Connection, demo: None
) -> None:
    """The oued's band crosses V5: on the extract its hatching lies over the right-of-way."""
    note = issue(client, BURDENED)
    assert note["servitudes"] and note["roads"]
    extract = map_extract(conn, Nru.model_validate(note), SRID)
    svg = render_map_svg(extract)
    last_road = svg.rindex('fill="#ffffff"')
    first_hatch = svg.index('fill="url(#servitude-hatch)"')
    assert first_hatch > last_road  # every road drawn before (under) the hatching
    response = client.get(note["links"]["pdf"])
    png = render_page(response.content, "nru_servitude_over_road", _extract_page(response.content))
    assert png.stat().st_size > 10_000
