"""Plans: list, metadata, zones as GeoJSON, the agent's import, the web map."""

from __future__ import annotations

import hashlib
import re
import tempfile
import uuid
from pathlib import Path, PurePath, PureWindowsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.answers import (
    PROBLEM_RESPONSES,
    FeatureCollection,
    ImportReportAnswer,
    PlanDetail,
    PlanSummary,
)
from api.deps import PublicConnectionDep, SettingsDep, TransactionDep
from api.headers import csp_nonce, with_nonce
from api.security import AgentDep
from geoportal.maps import plan_map_html
from geoportal.pages import plans_page
from geoportal.plans import import_plan_files
from geoportal.settings import Settings
from zoning.package.load import ImportOptions
from zoning.package.reglement import decode_reglement
from zoning.refusal import Invalid, Problem
from zoning.store import (
    LAYER_PROPERTIES,
    get_plan,
    layer_geojson,
    list_plans,
    zones_geojson,
)

router = APIRouter(prefix="/api/v1/plans", tags=["plans"], responses=PROBLEM_RESPONSES)
pages = APIRouter(tags=["pages"])
PACKAGE_SUFFIXES = (".gpkg", ".zip", ".dxf")
Layer = Literal["roads", "servitudes", "reservations", "sectors"]


@router.get("", response_model=list[PlanSummary], summary="Plans with status and layer counts")
def plans(conn: PublicConnectionDep) -> list[dict[str, Any]]:
    return list_plans(conn)


@router.get(
    "/{name}", response_model=PlanDetail, summary="One plan: metadata, counts, zone codes, extent"
)
def plan(name: str, conn: PublicConnectionDep) -> dict[str, Any]:
    return get_plan(conn, name)


@router.get(
    "/{name}/zones",
    response_model=FeatureCollection,
    summary="The plan's zones as GeoJSON (WGS 84, for display)",
)
def plan_zones(name: str, conn: PublicConnectionDep) -> dict[str, Any]:
    return zones_geojson(conn, name)


@router.get(
    "/{name}/layers/{layer}",
    response_model=FeatureCollection,
    summary="Roads, servitudes, reservations or sectors (GeoJSON)",
)
def plan_layer(name: str, layer: Layer, conn: PublicConnectionDep) -> dict[str, Any]:
    return layer_geojson(conn, name, layer)


@router.post(
    "",
    response_model=ImportReportAnswer,
    status_code=201,
    summary="Import or atomically replace a plan (agents, own agency)",
)
async def import_plan(
    principal: AgentDep,
    settings: SettingsDep,
    conn: TransactionDep,
    package: Annotated[
        UploadFile, File(description="a .gpkg, a .dxf, or a .zip of Shapefiles/GeoJSON")
    ],
    reglement: Annotated[UploadFile, File(description="reglement.yaml (docs/formats.md §1)")],
    repair: Annotated[bool, Form()] = False,
    srid: Annotated[int | None, Form(description="SRID of layers that declare none")] = None,
    raster: Annotated[
        UploadFile | None,
        File(description="GeoTIFF of the scanned plan (storage SRID), for NRU map extracts"),
    ] = None,
) -> dict[str, Any]:
    """The report says which base the NRU extracts will be drawn on (`extract_base`: raster
    or vecteurs), as the CLI's `--raster` does."""
    suffix = PurePath(package.filename or "").suffix.lower()
    if suffix not in PACKAGE_SUFFIXES:
        message = f"attendu : {', '.join(PACKAGE_SUFFIXES)} ; reçu : {package.filename!r}"
        raise Invalid(
            "package_format",
            f"package : {message}.",
            [Problem("package_format", message, "package")],
        )
    rules_source = reglement.filename or "reglement.yaml"
    rules_text = decode_reglement(await reglement.read(), source=rules_source)
    raster_path = await _keep_raster(raster, settings) if raster is not None else None
    options = ImportOptions(
        storage_srid=settings.storage_srid, repair=repair, srid=srid, raster=raster_path
    )
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        # saved under the uploaded file's own name: the report and its messages name that
        # file, never the server's temporary path
        name = upload_name(package.filename, suffix)
        path = Path(tmp) / name
        await _save(package, path, settings.max_upload_mb)
        report = await run_in_threadpool(
            import_plan_files,
            conn,
            path,
            rules_text,
            options,
            rules_source=rules_source,
            package_source=name,
            by=principal,
        )
    return report.to_dict()


_UNSAFE_NAME = re.compile(r"[^\w.\- ]")
TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


async def _keep_raster(upload: UploadFile, settings: Settings) -> Path:
    """The uploaded GeoTIFF kept under `raster_dir` by its SHA-256 (the plan's row points at
    it for every later extract); a file that is not a TIFF is refused by its field."""
    settings.raster_dir.mkdir(parents=True, exist_ok=True)
    partial = settings.raster_dir / f".upload-{uuid.uuid4().hex}.tif"
    try:
        await _save(upload, partial, settings.max_upload_mb)
        with partial.open("rb") as head:
            if not head.read(4).startswith(TIFF_MAGIC):
                raise RasterRefused()
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        kept = settings.raster_dir / f"{digest}.tif"
        partial.replace(kept)
        return kept
    finally:
        partial.unlink(missing_ok=True)


class RasterRefused(Invalid):
    """The raster field is not a GeoTIFF."""

    def __init__(self) -> None:
        message = "Le fichier « raster » n'est pas un GeoTIFF (plan scanné géoréférencé)."
        super().__init__(
            "raster_format", message, [Problem("raster_format", message, field="raster")]
        )


def upload_name(filename: str | None, suffix: str) -> str:
    """The uploaded file's base name (a Windows path's too), made safe for the disk."""
    base = PureWindowsPath(filename or "").name  # splits on « / » and « \ » alike
    safe = _UNSAFE_NAME.sub("_", base).lstrip(".")[-100:]
    if len(safe) > len(suffix) and safe.lower().endswith(suffix):
        return safe
    return f"package{suffix}"


async def _save(upload: UploadFile, path: Path, max_mb: int) -> None:
    """Stream an upload to disk, refusing it past the size limit."""
    written = 0
    with path.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            written += len(chunk)
            if written > max_mb * 1024**2:
                raise Invalid(
                    "body_too_large",
                    f"package : le fichier dépasse {max_mb} Mo, la taille maximale.",
                )
            out.write(chunk)


@pages.get("/plans", response_class=HTMLResponse, include_in_schema=False)
def plans_list_page(conn: PublicConnectionDep) -> str:
    """The plans d'aménagement: status, validity, counts, a small map, links (no script)."""
    return plans_page(conn)


@pages.get("/plans/{name}/map", response_class=HTMLResponse, summary="Map of the plan's zones")
def plan_map(name: str, request: Request, conn: PublicConnectionDep) -> str:
    layers = {layer: layer_geojson(conn, name, layer) for layer in LAYER_PROPERTIES}
    page = plan_map_html(get_plan(conn, name), zones_geojson(conn, name), layers)
    return with_nonce(page, csp_nonce(request))  # every text of the plan in it is escaped
