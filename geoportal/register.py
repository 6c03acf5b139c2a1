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
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import Connection, text

from checks.project import Procedure, ProjectKind, ProjectUse, polygon_geojson
from geoportal.accounts import SYSTEM, Principal
from zoning.audit import record_act
from zoning.crs import MOROCCAN_LAMBERT, transform_geometry

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
#: columns of an import file the register keeps; others (a zone code, a note) are ignored.
RECORD_FIELDS = set(PUBLIC_FIELDS) - {"id"}


class ProjectRecord(BaseModel):
    """An authorized project as the agency records it (footprint in Lambert metres)."""

    model_config = ConfigDict(extra="forbid")

    permit_number: str = Field(min_length=1, max_length=64)
    permit_date: dt.date
    commune: str = Field(min_length=1, max_length=200)
    kind: ProjectKind
    use: ProjectUse | None = None
    procedure: Procedure | None = None
    storeys: int | None = Field(None, ge=0, le=200)
    height_m: float | None = Field(None, ge=0, le=1000)
    floor_area_m2: float | None = Field(None, ge=0)
    status: Status = "autorise"
    filed_on: dt.date | None = None
    decided_on: dt.date | None = None
    srid: int = Field(26191, description="Lambert SRID of the footprint")
    footprint: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon")
    petitioner: dict[str, str] | None = Field(None, description="personal data: never public")

    @model_validator(mode="after")
    def _consistent(self) -> ProjectRecord:
        if self.srid not in MOROCCAN_LAMBERT:
            raise ValueError(f"srid {self.srid} is not a Moroccan Lambert zone")
        if self.filed_on and self.decided_on and self.decided_on < self.filed_on:
            raise ValueError("decided_on is before filed_on")
        polygon_geojson(self.footprint)
        return self


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
            clauses.append("location && ST_MakeEnvelope(:w, :s, :e, :n, 4326)")
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
    agency = _recording_agency(conn, by, centre, storage_srid, record.permit_number)
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
        raise PermitAlreadyRecorded(f"permit {record.permit_number!r} is already in the register")
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
    conn: Connection, by: Principal, centre: Any, storage_srid: int, permit: str
) -> str | None:
    """The register a project goes to: the agent's own; a place inside another agency's plan
    is refused. The operator's and admin's go to the agency of the plan holding them."""
    territory = conn.execute(
        text("""SELECT agency FROM plans
                WHERE ST_Contains(perimeter, ST_SetSRID(ST_MakePoint(:x, :y), :srid))
                ORDER BY imported_at LIMIT 1"""),
        {"x": centre.x, "y": centre.y, "srid": storage_srid},
    ).scalar()
    if by.role != "agent":
        return str(territory) if territory else None
    if territory is not None:
        by.require_agency(territory, f"the place of project {permit!r}")
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
    by.require_agency(row[0], f"the project {row[1]!r}")
    conn.execute(
        text("UPDATE projects SET status = :status WHERE id = :id"),
        {"status": status, "id": project_id},
    )
    record_act(conn, "project.status", row[1], {"id": project_id, "status": status}, actor=by.actor)
    return project_feature(conn, project_id)


class ProjectNotFound(LookupError):
    """No project has that id."""


class PermitAlreadyRecorded(ValueError):
    """A permit number is recorded once (409)."""


_FEATURE_SQL = (
    "SELECT json_build_object('type', 'Feature', 'id', id, "
    "'geometry', ST_AsGeoJSON(location, 6)::json, "
    "'properties', json_build_object("
    + ", ".join(f"'{f}', {f}" for f in PUBLIC_FIELDS)
    + ")) FROM projects"
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


def projects_csv(conn: Connection, filters: Filters) -> Iterator[str]:
    """The projects as CSV rows (header first), Lambert-free: longitude and latitude."""
    where, params = filters.where()
    columns = ", ".join(PUBLIC_FIELDS)
    result = conn.execute(
        text(
            f"SELECT {columns}, ST_X(location), ST_Y(location) FROM projects WHERE {where} "
            "ORDER BY permit_date, id"
        ),
        params,
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*PUBLIC_FIELDS, "longitude", "latitude"])
    yield _drain(buffer)
    for row in result:
        writer.writerow(row)
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def events_after(conn: Connection, last_event: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Events a reconnecting client missed (Last-Event-ID), oldest first."""
    rows = conn.execute(
        text(f"""SELECT e.id, f.feature FROM project_events e,
                 LATERAL ({_FEATURE_SQL.replace("FROM projects", "AS feature FROM projects")}
                          WHERE projects.id = e.project_id) f
                 WHERE e.id > :last ORDER BY e.id LIMIT :limit"""),
        {"last": last_event, "limit": limit},
    )
    return [{"event": int(event_id), "feature": feature} for event_id, feature in rows]


class RegisterImportError(ValueError):
    """Rows of an import file are invalid; nothing was recorded."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} invalid row(s); nothing was recorded")


def read_register_file(path: Path, srid: int) -> list[ProjectRecord]:
    """Projects from a GeoJSON, GeoPackage or CSV (with `footprint_wkt`) file; all or nothing."""
    frame = _read_frame(path, srid)
    records, problems = [], []
    for row_number, row in enumerate(frame.to_dict("records"), start=1):
        geometry = row.pop("geometry")
        fields = {
            k: _value(v) for k, v in row.items() if k in RECORD_FIELDS and _value(v) is not None
        }
        try:
            records.append(
                ProjectRecord.model_validate(
                    {**fields, "srid": srid, "footprint": shapely.geometry.mapping(geometry)}
                )
            )
        except ValidationError as exc:
            problems += [
                {
                    "row": row_number,
                    "field": ".".join(map(str, e["loc"])) or None,
                    "message": e["msg"],
                }
                for e in exc.errors()
            ]
    if problems:
        raise RegisterImportError(problems)
    return records


def _read_frame(path: Path, srid: int) -> gpd.GeoDataFrame:
    if path.suffix.lower() == ".csv":
        table = pd.read_csv(path, dtype=str)
        if "footprint_wkt" not in table.columns:
            raise RegisterImportError(
                [
                    {
                        "row": None,
                        "field": "footprint_wkt",
                        "message": "a CSV needs a footprint_wkt column",
                    }
                ]
            )
        geometry = gpd.GeoSeries.from_wkt(table.pop("footprint_wkt"))
        return gpd.GeoDataFrame(table, geometry=geometry, crs=srid)
    frame = gpd.read_file(path, engine="pyogrio")
    return frame.set_crs(srid) if frame.crs is None else frame.to_crs(srid)


def _value(value: Any) -> Any:
    """Blank cells and NaN are absent; pandas timestamps become dates."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    return value
