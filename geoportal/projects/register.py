"""The register of authorized projects: record, import, and the public views (GeoJSON, CSV).

Personal data (the petitioner) is stored apart and never selected by a public query. Recording
a project also writes an event and a PostgreSQL NOTIFY in the same transaction: the live map
hears of it only once it is committed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from annotated_types import MaxLen
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pyogrio.errors import DataSourceError
from sqlalchemy import Connection, text

from checks.project import (
    MAX_AREA_M2,
    MAX_HEIGHT_M,
    MAX_STOREYS,
    Procedure,
    ProjectKind,
    ProjectUse,
    polygon_geojson,
)
from geoportal.accounts import SYSTEM, AgencyForbidden, Principal
from zoning.audit import record_act
from zoning.crs import MOROCCAN_LAMBERT, transform_geometry
from zoning.intake.location import srid_domain
from zoning.pydantic_fr import message_of
from zoning.refusal import Conflict, Invalid, NotFound, Problem
from zoning.territory import encroachments, majority_agency

CHANNEL = "projects"
Status = Literal["autorise", "en_chantier", "acheve"]
PUBLIC_FIELDS = (
    "id",
    "permit_number",
    "permit_date",
    "commune",
    "kind",
    "use",
    "procedure",
    "storeys",
    "height_m",
    "floor_area_m2",
    "status",
    "filed_on",
    "decided_on",
)
MAX_PAGE = 10_000
CSV_CHUNK_ROWS = 1_000
#: columns of an import file the register keeps; others (a zone code, a note) are ignored.
RECORD_FIELDS = set(PUBLIC_FIELDS) - {"id"}


class ProjectRecord(BaseModel):
    """An authorized project as the agency records it (footprint in Lambert metres)."""

    # NaN and infinity are no figures of a project (and JSON cannot carry them back)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    permit_number: str = Field(min_length=1, max_length=64)
    permit_date: dt.date
    commune: str = Field(min_length=1, max_length=200)
    kind: ProjectKind
    use: ProjectUse | None = None
    procedure: Procedure | None = None
    storeys: int | None = Field(None, ge=0, le=MAX_STOREYS)
    height_m: float | None = Field(None, ge=0, le=MAX_HEIGHT_M)
    floor_area_m2: float | None = Field(None, ge=0, le=MAX_AREA_M2)
    status: Status = "autorise"
    filed_on: dt.date | None = None
    decided_on: dt.date | None = None
    srid: int = Field(26191, description="Lambert SRID of the footprint")
    footprint: dict[str, Any] = Field(
        description="GeoJSON Polygon or MultiPolygon (at most 10,000 vertices)"
    )
    petitioner: dict[Annotated[str, MaxLen(64)], Annotated[str, MaxLen(500)]] | None = Field(
        None, max_length=10, description="personal data: never public (name, cin, address…)"
    )

    # Field validators, not one model validator: each refusal is located by its field.
    @field_validator("permit_number", "commune")
    @classmethod
    def _storable_text(cls, value: str) -> str:
        return _without_nul(value)

    @field_validator("petitioner")
    @classmethod
    def _storable_petitioner(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for item in (value or {}).items():
            for part in item:
                _without_nul(part)
        return value

    @field_validator("decided_on")
    @classmethod
    def _after_filing(cls, decided: dt.date | None, info: ValidationInfo) -> dt.date | None:
        filed = info.data.get("filed_on")
        if decided and filed and decided < filed:
            raise ValueError(f"décidé le {decided}, avant son dépôt le {filed} (filed_on)")
        return decided

    @field_validator("srid")
    @classmethod
    def _lambert(cls, srid: int) -> int:
        if srid not in MOROCCAN_LAMBERT:
            raise ValueError(
                f"{srid} n'est pas une zone Lambert du Maroc ({sorted(MOROCCAN_LAMBERT)})"
            )
        return srid

    @field_validator("footprint")
    @classmethod
    def _polygon_in_its_zone(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        polygon_geojson(value)
        srid = info.data.get("srid")
        if srid is not None:
            _inside_zone(shapely.geometry.shape(value), srid)
        return value


def _without_nul(value: str) -> str:
    """PostgreSQL text cannot hold a NUL character: refuse it by its field, not by the database."""
    if "\x00" in value:
        raise ValueError("contient un caractère NUL (\\x00), qui ne peut être enregistré")
    return value


def _inside_zone(footprint: Any, srid: int) -> None:
    """A footprint outside its SRID's area of use is in degrees or in another zone: recorded
    as it is, it would be shown in the ocean."""
    domain = srid_domain(srid)
    if domain is not None and not domain.intersects(footprint):
        x, y = shapely.get_coordinates(footprint)[0]
        raise ValueError(
            f"le premier point ({x:g}, {y:g}) est hors de l'étendue d'EPSG:{srid} : des mètres "
            "Lambert de cette zone sont attendus (des degrés, ou une autre zone ?)"
        )


@dataclass(frozen=True)
class Filters:
    """What the public map and open data filter on."""

    bbox: tuple[float, float, float, float] | None = None  # WGS 84 lon/lat
    commune: str | None = None
    kind: str | None = None
    procedure: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        """SQL conditions and their parameters (bound, never formatted in)."""
        clauses: list[str] = ["TRUE"]
        params: dict[str, Any] = {}
        if self.bbox:
            clauses.append("geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326)")
            params.update(zip(("w", "s", "e", "n"), self.bbox, strict=True))
        for column in ("commune", "kind", "procedure"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{column} = :{column}")
                params[column] = value
        if self.date_from:
            clauses.append("permit_date >= :date_from")
            params["date_from"] = self.date_from
        if self.date_to:
            clauses.append("permit_date <= :date_to")
            params["date_to"] = self.date_to
        return " AND ".join(clauses), params


INSERT_SQL = text("""
WITH inserted AS (
  INSERT INTO projects (permit_number, permit_date, commune, kind, use, procedure, storeys,
                        height_m, floor_area_m2, status, filed_on, decided_on, agency,
                        petitioner, footprint, location)
  VALUES (:permit_number, :permit_date, :commune, :kind, :use, :procedure, :storeys,
          :height_m, :floor_area_m2, :status, :filed_on, :decided_on, :agency,
          CAST(:petitioner AS jsonb), ST_GeomFromEWKB(:footprint),
          ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
  ON CONFLICT (permit_number) DO NOTHING
  RETURNING id
), event AS (
  INSERT INTO project_events (project_id) SELECT id FROM inserted RETURNING id, project_id
)
SELECT event.id, event.project_id FROM event
""")


def record_project(
    conn: Connection, record: ProjectRecord, storage_srid: int, by: Principal = SYSTEM
) -> dict[str, Any]:
    """Insert a project and its event, and NOTIFY the live map (delivered at commit)."""
    footprint = shapely.geometry.shape(record.footprint)
    stored = transform_geometry(footprint, record.srid, storage_srid)
    multi = stored if stored.geom_type == "MultiPolygon" else shapely.multipolygons([stored])
    centre = stored.representative_point()
    agency = _recording_agency(conn, by, stored, storage_srid, record.permit_number)
    lon, lat = transform_geometry(centre, storage_srid, 4326).coords[0]
    values = record.model_dump(exclude={"srid", "footprint", "petitioner"})
    inserted = conn.execute(
        INSERT_SQL,
        {
            **values,
            "agency": agency,
            "lon": lon,
            "lat": lat,
            "petitioner": json.dumps(record.petitioner, ensure_ascii=False)
            if record.petitioner
            else None,
            "footprint": shapely.to_wkb(shapely.set_srid(multi, storage_srid), include_srid=True),
        },
    ).first()
    if inserted is None:
        raise PermitAlreadyRecorded(
            f"l'autorisation {record.permit_number!r} est déjà inscrite au registre"
        )
    event_id, project_id = inserted
    feature = project_feature(conn, int(project_id))
    details = {"id": int(project_id), "agency": agency}
    record_act(conn, "project.record", record.permit_number, details, actor=by.actor)
    payload = json.dumps({"event": int(event_id), "feature": feature}, default=str)
    conn.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": payload}
    )
    return {"event": int(event_id), **feature}


def _recording_agency(
    conn: Connection, by: Principal, footprint: Any, storage_srid: int, permit: str
) -> str | None:
    """The register a project goes to: the agent's own, unless its footprint overlaps another
    agency's plan beyond that plan's tolerance (the whole footprint is compared, not its
    centre). The operator's and admin's go to the agency whose plans hold most of it."""
    if by.role != "agent":
        return majority_agency(conn, footprint, storage_srid)
    for encroachment in encroachments(conn, footprint, storage_srid, by.agency):
        if encroachment.area_m2 > encroachment.tolerance_m2:
            raise OtherAgencyTerritory(
                encroachment.message(f"l'emprise du projet {permit!r}", encroachment.tolerance_m2)
            )
    return by.agency


def update_project_status(
    conn: Connection, project_id: int, status: Status, by: Principal
) -> dict[str, Any]:
    """An agent marks a project of their agency's register en chantier or achevé."""
    row = conn.execute(
        text("SELECT agency, permit_number FROM projects WHERE id = :id FOR UPDATE"),
        {"id": project_id},
    ).first()
    if row is None:
        raise ProjectNotFound(project_id)
    by.require_agency(row[0], f"le projet {row[1]!r}")
    conn.execute(
        text("UPDATE projects SET status = :status WHERE id = :id"),
        {"status": status, "id": project_id},
    )
    record_act(conn, "project.status", row[1], {"id": project_id, "status": status}, actor=by.actor)
    return project_feature(conn, project_id)


class ProjectNotFound(NotFound, LookupError):
    """No project has that id."""

    def __init__(self, project_id: object) -> None:
        super().__init__("project_not_found", f"Aucun projet n'a l'identifiant {project_id!r}.")


class OtherAgencyTerritory(AgencyForbidden):
    """An agent's project lies partly in another agency's plan (403)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, "territoire_autre_agence")


class PermitAlreadyRecorded(Conflict, ValueError):
    """A permit number is recorded once (409)."""

    def __init__(self, detail: str) -> None:
        problem = Problem("permit_already_recorded", detail, "permit_number")
        super().__init__("permit_already_recorded", detail, [problem])


#: the public reads (map, open data, feed) go through the open data view, as the public role
PUBLIC_VIEW = "opendata.projets_autorises"
_FEATURE_SQL = (
    "SELECT json_build_object('type', 'Feature', 'id', id, "
    "'geometry', ST_AsGeoJSON(geom, 6)::json, "
    "'properties', json_build_object("
    + ", ".join(f"'{f}', {f}" for f in PUBLIC_FIELDS)
    + f")) FROM {PUBLIC_VIEW}"
)


def project_feature(conn: Connection, project_id: int) -> dict[str, Any]:
    """One project as a public GeoJSON feature (WGS 84 point; no personal data)."""
    feature: dict[str, Any] = conn.execute(
        text(f"{_FEATURE_SQL} WHERE id = :id"), {"id": project_id}
    ).scalar_one()
    return feature


def list_projects(
    conn: Connection, filters: Filters, limit: int = 1000, offset: int = 0
) -> dict[str, Any]:
    """A page of projects as a GeoJSON FeatureCollection, most recent permits first."""
    where, params = filters.where()
    limit = max(1, min(limit, MAX_PAGE))
    rows = (
        conn.execute(
            text(
                f"{_FEATURE_SQL} WHERE {where} ORDER BY permit_date DESC, id DESC "
                "LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": limit, "offset": offset},
        )
        .scalars()
        .all()
    )
    return {
        "type": "FeatureCollection",
        "features": list(rows),
        "numberReturned": len(rows),
        "limit": limit,
        "offset": offset,
    }


@dataclass(frozen=True)
class CsvFormat:
    """How the projects' CSV is written: the standard one, or French Excel's."""

    delimiter: str = ","
    decimal: str = "."
    bom: str = ""  # Excel reads UTF-8 only after a byte-order mark (else as Windows-1252)


STANDARD_CSV = CsvFormat()
#: what a French Excel opens with a double click: `;` between cells, decimal comma, UTF-8 BOM
EXCEL_FR_CSV = CsvFormat(delimiter=";", decimal=",", bom="\ufeff")
#: the Lambert coordinates' decimals: a centimetre
LAMBERT_DECIMALS = 2


def projects_csv(
    conn: Connection, filters: Filters, srid: int, style: CsvFormat = STANDARD_CSV
) -> Iterator[str]:
    """The projects as CSV rows (header first): longitude, latitude and Lambert X/Y in `srid`."""
    where, params = filters.where()
    columns = ", ".join(PUBLIC_FIELDS)
    lambert = f"ST_Transform(geom, {int(srid)})"
    result = conn.execute(
        text(
            f"SELECT {columns}, ST_X(geom), ST_Y(geom), "
            f"round(ST_X({lambert})::numeric, {LAMBERT_DECIMALS}), "
            f"round(ST_Y({lambert})::numeric, {LAMBERT_DECIMALS}) "
            f"FROM {PUBLIC_VIEW} WHERE {where} ORDER BY permit_date, id"
        ),
        params,
    )
    buffer = io.StringIO()
    buffer.write(style.bom)
    writer = csv.writer(buffer, delimiter=style.delimiter)
    writer.writerow([*PUBLIC_FIELDS, "longitude", "latitude", "x_lambert", "y_lambert"])
    # a chunk per CSV_CHUNK_ROWS rows: each chunk sent costs the server a thread hop
    for number, row in enumerate(result, start=1):
        writer.writerow([csv_number(csv_cell(value), style.decimal) for value in row])
        if number % CSV_CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def csv_number(value: Any, decimal: str) -> Any:
    """A decimal number written with the format's decimal mark; anything else as it is."""
    if decimal != "." and isinstance(value, float | Decimal):
        return str(value).replace(".", decimal)
    return value


#: A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(…) reaching out
#: with the reader's data): OWASP's CSV injection advice is a leading quote on such text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, quoted; numbers untouched."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def events_after(conn: Connection, last_event: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Events a reconnecting client missed (Last-Event-ID), oldest first."""
    rows = conn.execute(
        text(f"""SELECT e.id, f.feature FROM opendata.evenements_projets e,
                 LATERAL ({_FEATURE_SQL.replace(" FROM ", " AS feature FROM ")}
                          WHERE {PUBLIC_VIEW}.id = e.project_id) f
                 WHERE e.id > :last ORDER BY e.id LIMIT :limit"""),
        {"last": last_event, "limit": limit},
    )
    return [{"event": int(event_id), "feature": feature} for event_id, feature in rows]


class RegisterImportError(Invalid, ValueError):
    """Rows of an import file are invalid; nothing was recorded."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        detail = f"{len(problems)} problème(s) dans le fichier ; rien n'a été enregistré."
        super().__init__("register_import", detail, problems)


def read_register_file(path: Path, srid: int) -> list[ProjectRecord]:
    """Projects from a GeoJSON, GeoPackage or CSV (with `footprint_wkt`) file; all or nothing."""
    if srid not in MOROCCAN_LAMBERT:
        message = f"{srid} n'est pas une zone Lambert du Maroc ({sorted(MOROCCAN_LAMBERT)})"
        raise RegisterImportError([_problem(None, "srid", "value_error", message)])
    frame, geometry_field = _read_frame(path, srid)
    records, problems, permits = [], [], []
    for row_number, row in enumerate(frame.to_dict("records"), start=1):
        geometry = row.pop("geometry")
        fields = {
            k: _value(v) for k, v in row.items() if k in RECORD_FIELDS and _value(v) is not None
        }
        permits.append((row_number, fields.get("permit_number")))
        if geometry is None:
            message = "pas d'emprise, ou une géométrie (WKT) illisible"
            problems.append(_problem(row_number, geometry_field, "invalid_geometry", message))
            continue
        try:
            records.append(
                ProjectRecord.model_validate(
                    {**fields, "srid": srid, "footprint": shapely.geometry.mapping(geometry)}
                )
            )
        except ValidationError as exc:
            problems += [
                _problem(row_number, ".".join(map(str, e["loc"])) or None, e["type"], message_of(e))
                for e in exc.errors()
            ]
    problems += _repeated_permits(permits)
    if problems:
        raise RegisterImportError(problems)
    return records


def _problem(row: int | None, field: str | None, code: str, message: str) -> dict[str, Any]:
    """One refusal of an import: the row (1-based, under the header), the field, what."""
    return {"row": row, "field": field, "code": code, "message": message}


def _repeated_permits(permits: list[tuple[int, Any]]) -> list[dict[str, Any]]:
    """A permit number twice in one file: the second row is refused (all or nothing)."""
    first_row: dict[Any, int] = {}
    problems = []
    for row, permit in permits:
        if permit is None:
            continue
        if permit in first_row:
            message = f"l'autorisation {permit!r} figure déjà ligne {first_row[permit]}"
            problems.append(_problem(row, "permit_number", "duplicate_permit", message))
        else:
            first_row[permit] = row
    return problems


def _read_frame(path: Path, srid: int) -> tuple[gpd.GeoDataFrame, str]:
    """The file's rows with their geometry in `srid`, and the name of its geometry field."""
    try:
        if path.suffix.lower() == ".csv":
            return _read_csv(path, srid), "footprint_wkt"
        frame = gpd.read_file(path, engine="pyogrio")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, DataSourceError) as exc:
        message = f"le fichier est illisible : {str(exc).replace(str(path), path.name)}"
        raise RegisterImportError([_problem(None, None, "unreadable_file", message)]) from None
    except UnicodeDecodeError:
        message = "le fichier n'est pas du texte UTF-8 : enregistrez-le en CSV UTF-8"
        raise RegisterImportError([_problem(None, None, "unreadable_file", message)]) from None
    return (frame.set_crs(srid) if frame.crs is None else frame.to_crs(srid)), "geometry"


def _read_csv(path: Path, srid: int) -> gpd.GeoDataFrame:
    """A CSV's rows, their footprint read from the `footprint_wkt` column."""
    table = pd.read_csv(path, dtype=str)
    if "footprint_wkt" not in table.columns:
        message = "un CSV doit avoir une colonne footprint_wkt"
        raise RegisterImportError([_problem(None, "footprint_wkt", "missing_column", message)])
    wkt = table.pop("footprint_wkt")
    # A WKT that cannot be read is its row's problem (None here, named by row), not a crash.
    geometry = shapely.from_wkt(wkt.where(wkt.notna(), None).to_numpy(), on_invalid="ignore")
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geometry, index=table.index), crs=srid)


def _value(value: Any) -> Any:
    """Blank cells and NaN are absent; pandas timestamps become dates."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value
