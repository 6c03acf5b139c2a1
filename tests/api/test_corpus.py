"""Bad input, case by case: each file of tests/api/corpus/ gets its exact 4xx, its error code and
where the error is (line, point, field path, YAML line), and nothing is written.

One manifest per folder (`cases.yaml`) says how each case is sent and what must come back;
cases that would be silly as files (10,001 points, NUL bytes, binary) are generated here.
"""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Connection, text

from tests.accounts import AGENT, PETITIONER
from tests.zoning.intake.samples import new_dxf

CORPUS = Path(__file__).with_name("corpus")
KINDS = ("coordinates", "geojson", "reglements", "projects")
MANIFEST = "cases.yaml"
AUTH = {"agent": AGENT, "petitioner": PETITIONER, "none": {}}
#: every table a refused request could have half-written
TABLES = (
    "plans",
    "zones",
    "nrus",
    "projects",
    "project_events",
    "project_checks",
    "audit_log",
)
#: keys of an error that locate it, in every body shape the API answers with
LOCATION_KEYS = ("line", "point", "ring", "bornes", "field", "row", "layer", "feature")
#: what a manifest entry may say (a misspelt key would silently check nothing)
CASE_KEYS = {
    "endpoint",
    "send",
    "part",
    "attach",
    "fields",
    "auth",
    "plan",
    "generate",
    "repeat",
    "status",
    "code",
    "where",
    "says",
}
DEMO_PARCEL = (
    "Borne;X;Y\nB1;358700,00;366600,00\nB2;358760,00;366600,00\n"
    "B3;358760,00;366660,00\nB4;358700,00;366660,00\n"
)


def too_many_points() -> bytes:
    """10,001 bornes: a parcel has tens, so this is not a parcel (and would hold the service)."""
    lines = (f"B{i};{358000 + i * 0.01:.2f};366000,00" for i in range(10_001))
    return "\n".join(lines).encode()


def nul_bytes() -> bytes:
    """A coordinate list with a NUL byte on its third line (a binary file renamed .txt)."""
    return DEMO_PARCEL.replace("B2;", "B2\x00;").encode()


def corrupt_xlsx() -> bytes:
    """The start of a ZIP (what an .xlsx is) and then garbage: a truncated download."""
    return b"PK\x03\x04" + bytes(range(256)) * 4


def open_polyline_dxf() -> bytes:
    """A DXF whose only polyline is open: no parcel outline in it."""
    document = new_dxf()
    points = [(358700, 366600), (358760, 366600), (358760, 366660), (358700, 366660)]
    document.modelspace().add_lwpolyline(points, close=False)
    stream = io.StringIO()
    document.write(stream)
    return stream.getvalue().encode()


def over_the_size_limit() -> bytes:
    """One byte more than the service's 10 MB body limit."""
    return b"B1;358700,00;366600,00\n" * (10 * 1024**2 // 23 + 1)


def deep_geojson() -> bytes:
    """A hundred thousand nested arrays: deeper than any JSON parser recurses."""
    return b'{"type": "Polygon", "coordinates": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def deep_yaml() -> bytes:
    """A règlement whose zone holds a hundred thousand nested flow sequences."""
    return b"plan:\n  name: PA\nzones:\n  C: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"


def latin1_reglement() -> bytes:
    """A règlement saved in Latin-1 (Windows-1252) rather than UTF-8."""
    source = (CORPUS / "reglements" / "no_token.yaml").read_text(encoding="utf-8")
    return source.replace("# a valid règlement, sent without the agent's token", "#").encode(
        "latin-1"
    )


def deep_json() -> bytes:
    """A project whose footprint nests a hundred thousand arrays."""
    return b'{"kind": "construction", "footprint": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def nul_bytes_csv() -> bytes:
    """A register CSV with a NUL byte in a cell."""
    header = "permit_number,permit_date,commune,kind,footprint_wkt\n"
    wkt = '"POLYGON ((358710 366610, 358730 366610, 358730 366630, 358710 366610))"'
    return f"{header}AU-ST/2026/09151,2026-11-20,Ain\x00Demo,construction,{wkt}\n".encode()


def latin1_csv() -> bytes:
    """A register CSV saved by Excel in Windows-1252 (« Aïn Démo »), not UTF-8."""
    header = "permit_number,permit_date,commune,kind,footprint_wkt\n"
    wkt = '"POLYGON ((358710 366610, 358730 366610, 358730 366630, 358710 366610))"'
    return f"{header}AU-ST/2026/09171,2026-11-20,Aïn Démo,construction,{wkt}\n".encode("cp1252")


def random_dxf() -> bytes:
    """Random bytes named .dxf: ezdxf's message about them quotes bytes that are no text."""
    return random.Random(3).randbytes(3000)


def long_land_reference() -> bytes:
    """A note asked with a land reference of a million characters."""
    body = {"coordinates": DEMO_PARCEL, "land_reference": "TF " + "1" * 1_000_000}
    return json.dumps(body).encode()


def _record(**changes: Any) -> bytes:
    """The register's good record (record_duplicate_permit.json) with these changes."""
    record = json.loads((CORPUS / "projects" / "record_duplicate_permit.json").read_bytes())
    return json.dumps({**record, **changes}).encode()


def many_vertices_footprint() -> bytes:
    """A footprint drawn with 100,000 vertices (a circle of 20 m around the demo's parcel)."""
    angles = [2 * math.pi * i / 100_000 for i in range(100_000)]
    ring = [[358730 + 20 * math.cos(a), 366630 + 20 * math.sin(a)] for a in angles]
    footprint = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return _record(permit_number="AU-ST/2026/09311", footprint=footprint)


def long_petitioner_name() -> bytes:
    """A petitioner's name of 600 characters."""
    return _record(permit_number="AU-ST/2026/09321", petitioner={"name": "N" * 600})


GENERATORS: dict[str, Callable[[], bytes]] = {
    f.__name__: f
    for f in (
        too_many_points,
        nul_bytes,
        corrupt_xlsx,
        open_polyline_dxf,
        over_the_size_limit,
        deep_geojson,
        deep_yaml,
        latin1_reglement,
        deep_json,
        nul_bytes_csv,
        latin1_csv,
        random_dxf,
        long_land_reference,
        many_vertices_footprint,
        long_petitioner_name,
    )
}


@dataclass(frozen=True)
class Case:
    """One corpus case: its folder, its name (a file, or a generated one) and its manifest entry."""

    kind: str
    name: str
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        """The test id: `coordinates/bow_tie.txt`."""
        return f"{self.kind}/{self.name}"

    def content(self) -> bytes:
        """The bytes sent: the file, or what its generator makes."""
        generator = self.spec.get("generate")
        if generator is not None:
            return GENERATORS[generator]()
        return (CORPUS / self.kind / self.name).read_bytes()


def manifest(kind: str) -> dict[str, Any]:
    """A folder's manifest."""
    loaded: dict[str, Any] = yaml.safe_load((CORPUS / kind / MANIFEST).read_text("utf-8"))
    return loaded


def load_cases() -> list[Case]:
    """Every case of every manifest, its folder's defaults applied."""
    cases = []
    for kind in KINDS:
        data = manifest(kind)
        defaults = data.get("defaults", {})
        for name, entry in data["cases"].items():
            cases.append(Case(kind, name, {**defaults, **entry}))
    return cases


CASES = load_cases()


def send(client: TestClient, case: Case) -> httpx.Response:
    """Post the case as its manifest says: a multipart file or a raw JSON body."""
    method, path = case.spec["endpoint"].split()
    headers = dict(AUTH[case.spec.get("auth", "none")])
    content = case.content()
    if case.spec["send"] == "json":
        headers["content-type"] = "application/json"
        sent: httpx.Response = client.request(method, path, content=content, headers=headers)
        return sent
    files = {case.spec.get("part", "file"): (case.name, content)}
    for part, repo_path in case.spec.get("attach", {}).items():
        files[part] = (Path(repo_path).name, Path(repo_path).read_bytes())
    fields = {k: str(v) for k, v in case.spec.get("fields", {}).items()}
    posted: httpx.Response = client.request(method, path, files=files, data=fields, headers=headers)
    return posted


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows of every table a request could write, as the test's transaction sees them."""
    return {t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


def problems(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every error of a refusal as {code, location keys}, whatever the body's shape."""
    found = [_located(e) for e in body.get("errors") or []]
    report = body.get("report") or {}
    found += [_located(f) for f in report.get("findings", []) if f["severity"] == "error"]
    if isinstance(body.get("detail"), list):
        found += [
            {"code": e.get("type"), "field": _dotted(e.get("loc", []))} for e in body["detail"]
        ]
    return found


def _located(error: dict[str, Any]) -> dict[str, Any]:
    """An error's code and the keys that locate it (a règlement's `path` is its field)."""
    fields = {"field": error["path"]} if "path" in error else {}
    fields.update({k: error[k] for k in LOCATION_KEYS if error.get(k) not in (None, [])})
    return {"code": error.get("code"), **fields}


def _dotted(loc: list[Any]) -> str:
    """A pydantic location as a field path, without FastAPI's leading `body`."""
    parts = [str(p) for p in loc]
    return ".".join(parts[1:] if parts[:1] == ["body"] else parts)


def matches(problem: dict[str, Any], code: str, where: dict[str, Any]) -> bool:
    """True when the problem has the code and every expected location value."""
    return problem["code"] == code and all(problem.get(k) == v for k, v in where.items())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_with_what_and_where(
    case: Case, client: TestClient, conn: Connection, request: pytest.FixtureRequest
) -> None:
    if case.spec.get("plan") == "demo":
        request.getfixturevalue("demo")
    if case.spec.get("repeat"):
        first = send(client, case)
        assert first.status_code == 201, first.text
    before = row_counts(conn)
    response = send(client, case)
    assert response.status_code == case.spec["status"], response.text[:2000]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body.get("detail"), body
    expected_code = case.spec.get("code")
    if expected_code is not None:
        where = case.spec.get("where", {})
        found = problems(body)
        assert any(matches(p, expected_code, where) for p in found), json.dumps(found)[:2000]
    for words in case.spec.get("says", []):
        assert words in response.text, response.text[:2000]
    assert row_counts(conn) == before


def test_every_corpus_file_is_in_its_manifest_and_every_entry_has_its_file() -> None:
    for kind in KINDS:
        entries = manifest(kind)["cases"]
        on_disk = {p.name for p in (CORPUS / kind).iterdir()} - {MANIFEST}
        listed = {name for name, entry in entries.items() if "generate" not in entry}
        generated = {n: e["generate"] for n, e in entries.items() if "generate" in e}
        assert on_disk == listed, f"{kind}: unlisted {on_disk - listed}, missing {listed - on_disk}"
        assert not set(generated) & on_disk, f"{kind}: generated cases shadow files"
        assert set(generated.values()) <= set(GENERATORS), f"{kind}: unknown generator"


def test_every_generator_is_used() -> None:
    assert set(GENERATORS) <= {case.spec.get("generate") for case in CASES}


def test_every_manifest_entry_says_only_what_the_test_reads() -> None:
    for case in CASES:
        assert set(case.spec) <= CASE_KEYS, f"{case.id}: {set(case.spec) - CASE_KEYS}"
        assert set(case.spec.get("where", {})) <= set(LOCATION_KEYS), case.id
        assert {"endpoint", "send", "status"} <= set(case.spec), case.id
        assert 400 <= case.spec["status"] < 500, case.id
