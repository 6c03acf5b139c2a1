"""Read a plan package (docs/formats.md §1): GeoPackage, folder or zip of Shapefiles/GeoJSON, DXF.

Reading only: every layer comes back as a GeoDataFrame with the CRS its file declares (or none);
checking and loading are the importer's job.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from zoning.messages import printable
from zoning.refusal import Invalid, Problem

LAYER_NAMES = ("zones", "roads", "servitudes", "reservations", "sectors", "perimeter")
VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json")
#: a zipped package may not expand beyond this nor hold more files than this; a member packed
#: more than MAX_ZIP_RATIO times is a zip bomb (Shapefiles and GeoJSON pack 3 to 50 times).
MAX_UNZIPPED_BYTES = 512 * 1024**2
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_RATIO = 500


class PackageError(Invalid, ValueError):
    """The package cannot be read at all (not a known format, unreadable file)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            "package_unreadable", detail, [Problem("package_unreadable", detail, "package")]
        )


@dataclass
class SourceLayer:
    """One layer as found in the package."""

    name: str
    frame: gpd.GeoDataFrame
    source: str

    @property
    def crs(self) -> Any:
        """The pyproj CRS the file declares, or None."""
        return self.frame.crs


@dataclass
class PlanPackage:
    """The layers found in a package, the names it had that we do not know, and its digest."""

    layers: dict[str, SourceLayer]
    unknown_layers: list[str]
    sha256: str
    path: Path


def read_package(path: Path) -> PlanPackage:
    """Read every known layer of a package in any supported format."""
    if not path.exists():
        raise PackageError(f"{path} : aucun fichier ni dossier de ce nom")
    digest = sha256_of(path)
    with _unpacked(path) as source:
        layers, unknown = _read_layers(source)
    return PlanPackage(layers, unknown, digest, path)


def _read_layers(path: Path) -> tuple[dict[str, SourceLayer], list[str]]:
    """Dispatch on the format of `path`."""
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_folder(path)
    if suffix == ".gpkg":
        return _read_geopackage(path)
    if suffix == ".dxf":
        from zoning.package.dxf import read_dxf

        return read_dxf(path)
    raise PackageError(
        f"{path.name} : format de dossier de plan inconnu {suffix!r} "
        "(attendu : un .gpkg, un .dxf, un dossier ou un .zip de Shapefiles/GeoJSON)"
    )


def _read_geopackage(path: Path) -> tuple[dict[str, SourceLayer], list[str]]:
    try:
        names = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises its own DataSourceError subclasses
        message = printable(exc, paths=[path])
        raise PackageError(f"{path.name} : illisible comme GeoPackage : {message}") from exc
    return _collect(((name, path, name) for name in names), path.name)


def _read_folder(folder: Path) -> tuple[dict[str, SourceLayer], list[str]]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in VECTOR_SUFFIXES)
    if not files:
        raise PackageError(f"{folder.name} : aucun Shapefile, GeoJSON ni GeoPackage dedans")
    return _collect(((p.stem, p, None) for p in files), folder.name)


def _collect(
    entries: Iterable[tuple[str, Path, str | None]], package: str
) -> tuple[dict[str, SourceLayer], list[str]]:
    """Read entries named after a known layer; list the others.

    Names match case-insensitively, and `servitudes_lignes` or `servitudes-points` join the
    `servitudes` layer: a Shapefile holds one geometry type, so mixed layers come in parts.
    """
    layers: dict[str, SourceLayer] = {}
    unknown: list[str] = []
    for name, path, layer in entries:
        key = layer_name(name)
        if key is None:
            unknown.append(name)
            continue
        part = SourceLayer(key, _read_frame(path, layer), _describe(path, layer))
        layers[key] = _merge(layers[key], part) if key in layers else part
    return layers, unknown


def layer_name(name: str) -> str | None:
    """The plan layer a file or layer name stands for, or None."""
    lowered = name.lower()
    for known in LAYER_NAMES:
        if lowered == known or lowered.startswith((f"{known}_", f"{known}-")):
            return known
    return None


def _merge(first: SourceLayer, second: SourceLayer) -> SourceLayer:
    """Append a part to a layer; a part in another declared CRS is transformed to the first's."""
    frame = second.frame
    if (first.crs is None) != (frame.crs is None):
        raise PackageError(
            f"{first.source} et {second.source} sont des parties de la couche "
            f"{first.name} mais une seule déclare un système de coordonnées"
        )
    if frame.crs is not None and frame.crs != first.crs:
        frame = frame.to_crs(first.crs)
    merged = pd.concat([first.frame, frame], ignore_index=True)
    return SourceLayer(
        first.name,
        gpd.GeoDataFrame(merged, geometry=first.frame.geometry.name, crs=first.crs),
        f"{first.source} + {second.source}",
    )


def _read_frame(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # GDAL errors come in many classes; the message is what matters
        message = printable(exc, paths=[path, path.parent])
        raise PackageError(f"{_describe(path, layer)} : illisible : {message}") from exc


def _describe(path: Path, layer: str | None) -> str:
    return f"{path.name}:{layer}" if layer else path.name


@contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    """A zip is extracted (safely) to a temporary folder; anything else is used as is."""
    if path.suffix.lower() != ".zip":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="plan-") as tmp:
        extract_zip_safely(path, Path(tmp))
        yield Path(tmp)


def extract_zip_safely(path: Path, target: Path) -> None:
    """Extract a zip refusing absolute paths, `..`, links and zip bombs."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise PackageError(f"{path.name} : pas un fichier zip valide") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise PackageError(f"{path.name} : plus de {MAX_ZIP_MEMBERS} fichiers dans le zip")
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise PackageError(
                f"{path.name} : décompressé, dépasse {MAX_UNZIPPED_BYTES // 1024**2} Mo"
            )
        for member in members:
            _check_member(path.name, member)
        archive.extractall(target)


def _check_member(archive: str, member: zipfile.ZipInfo) -> None:
    name = PurePosixPath(member.filename)
    if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
        raise PackageError(f"{archive} : membre {member.filename!r} refusé (chemin hors du zip)")
    if (member.external_attr >> 16) & 0o170000 == 0o120000:
        raise PackageError(f"{archive} : membre {member.filename!r} refusé (lien symbolique)")
    # zipfile never inflates past the declared size, so checking the headers is enough.
    ratio = member.file_size / max(member.compress_size, 1)
    if member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1024):
        raise PackageError(
            f"{archive} : membre {member.filename!r} refusé "
            f"(comprimé {ratio:,.0f} fois : une bombe zip)"
        )


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (relative names and contents, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
