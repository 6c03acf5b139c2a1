"""The projects' CSV: Lambert X/Y beside lon/lat, and French Excel's format on request (#14).

French Excel opens a `.csv` with `;` between cells and a decimal comma, and reads it as UTF-8
only after a byte-order mark (otherwise « Témara » comes out as « TÃ©mara »).
"""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from shapely.affinity import translate
from shapely.geometry import mapping

from tests.accounts import AGENT
from tests.geoportal.projects.test_register import SQUARE, project

URL = "/api/v1/projects.csv"


def _record(client: TestClient) -> None:
    """Two projects, one in Témara with a decimal height, one whose commune is a formula."""
    first = project("AU-ST/2026/00101", commune="Témara", height_m=9.75, floor_area_m2=312.5)
    second = project(
        "AU-ST/2026/00102", commune="=1+1", footprint=mapping(translate(SQUARE, xoff=40))
    )
    for body in (first, second):
        assert client.post("/api/v1/projects", json=body, headers=AGENT).status_code == 201


def _rows(content: bytes, delimiter: str) -> dict[str, dict[str, str]]:
    text = content.decode("utf-8-sig")  # drops a BOM if there is one
    rows = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return {row["permit_number"]: row for row in rows}


def test_standard_csv_has_lambert_beside_lon_lat(client: TestClient) -> None:
    _record(client)
    answer = client.get(URL)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert not answer.content.startswith(b"\xef\xbb\xbf")
    header = answer.text.splitlines()[0].split(",")
    assert header[-4:] == ["longitude", "latitude", "x_lambert", "y_lambert"]
    row = _rows(answer.content, ",")["AU-ST/2026/00101"]
    # the footprint's centre, back in EPSG:26191 (storage SRID) to the centimetre
    assert abs(float(row["x_lambert"]) - 358710) < 0.02
    assert abs(float(row["y_lambert"]) - 366610) < 0.02
    assert -7.0 < float(row["longitude"]) < -6.8 and 33.8 < float(row["latitude"]) < 34.0
    assert row["height_m"] == "9.75" and row["commune"] == "Témara"


def test_excel_csv_semicolons_decimal_comma_and_bom(client: TestClient) -> None:
    _record(client)
    answer = client.get(URL, params={"format": "excel"})
    assert answer.status_code == 200
    assert answer.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    assert answer.content.decode("utf-8-sig").splitlines()[0].startswith("id;permit_number;")
    rows = _rows(answer.content, ";")
    row = rows["AU-ST/2026/00101"]
    assert row["commune"] == "Témara"
    assert row["height_m"] == "9,75" and row["floor_area_m2"] == "312,5"
    assert row["storeys"] == "2"  # integers as they are
    assert row["permit_date"] == "2026-11-20"
    x, y = (float(row[k].replace(",", ".")) for k in ("x_lambert", "y_lambert"))
    assert abs(x - 358710) < 0.02 and abs(y - 366610) < 0.02
    # Morocco's negative longitudes stay numbers, not quoted as formulas
    assert row["longitude"].startswith("-6,") and not row["longitude"].startswith("'")
    assert "." not in row["longitude"] + row["latitude"] + row["x_lambert"]
    # the formula neutralisation holds in this format too
    assert rows["AU-ST/2026/00102"]["commune"] == "'=1+1"


def test_excel_csv_filters_like_the_standard_one(client: TestClient) -> None:
    _record(client)
    answer = client.get(URL, params={"format": "excel", "commune": "Témara"})
    assert set(_rows(answer.content, ";")) == {"AU-ST/2026/00101"}


def test_unknown_format_is_a_4xx(client: TestClient) -> None:
    answer = client.get(URL, params={"format": "xls"})
    assert answer.status_code == 422
    assert "format" in answer.text
