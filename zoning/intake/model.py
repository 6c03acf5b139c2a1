"""What the readers produce and what the intake returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon

from zoning.intake.diagnostics import Diagnostic


class Borne(BaseModel):
    """A boundary point as read: its id if the source names it, coordinates, where it came from."""

    model_config = ConfigDict(frozen=True)

    id: str | None
    x: float
    y: float
    line: int | None = None
    ring: int = 1
    rank: int = 1  # 1-based position in the whole upload, the name of points without an id

    @property
    def name(self) -> str:
        """Short name: the borne id, else its rank (n° 4)."""
        return self.id if self.id is not None else f"n° {self.rank}"

    @property
    def label(self) -> str:
        """Name for a sentence: « borne B4 (ligne 5) » or « point n° 4 »."""
        base = f"borne {self.id}" if self.id is not None else f"point n° {self.rank}"
        return f"{base} (ligne {self.line})" if self.line is not None else base

    @property
    def definite(self) -> str:
        """The label with its article: « la borne B4 (ligne 5) », « le point n° 4 »."""
        return f"la {self.label}" if self.id is not None else f"le {self.label}"

    @property
    def at_label(self) -> str:
        """« à la borne B4 (ligne 5) », « au point n° 4 »."""
        return f"à la {self.label}" if self.id is not None else f"au {self.label}"

    @property
    def of_label(self) -> str:
        """« de la borne B4 (ligne 5) », « du point n° 4 »."""
        return f"de la {self.label}" if self.id is not None else f"du {self.label}"

    @property
    def xy(self) -> tuple[float, float]:
        """The coordinates as a pair."""
        return (self.x, self.y)


@dataclass(frozen=True)
class SourceParcel:
    """Rings of bornes as read from an upload, unchecked; crs None means the request's SRID."""

    rings: tuple[tuple[Borne, ...], ...]
    format: str
    crs: CRS | None = None
    warnings: tuple[Diagnostic, ...] = field(default=())
    # For each ring, the blank lines just before it that started it (text and sheets only).
    breaks: tuple[tuple[int, ...], ...] = field(default=())

    def blank_lines_around(self, index: int) -> tuple[int, ...]:
        """The blank lines that set ring `index` (0-based) apart from its neighbours."""
        before = self.breaks[index] if index < len(self.breaks) else ()
        after = self.breaks[index + 1] if index + 1 < len(self.breaks) else ()
        return (*before, *after)

    @property
    def bornes(self) -> tuple[Borne, ...]:
        """Every borne of every ring, in reading order."""
        return tuple(b for ring in self.rings for b in ring)


class PlanPerimeter(NamedTuple):
    """A plan's legal boundary, in the SRID the plan is stored in."""

    name: str
    srid: int
    geometry: Any  # shapely geometry (shapely ships no type hints)


class ParcelInput(BaseModel):
    """An accepted parcel: geometry in Lambert metres, its bornes, and what was noticed."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    geometry: Polygon | MultiPolygon
    bornes: tuple[Borne, ...]
    srid: int
    area_m2: float
    declared_area_m2: float | None = None
    warnings: tuple[Diagnostic, ...] = ()
    source_format: str = "text"
    axes_swapped: bool = False

    @property
    def centroid(self) -> tuple[float, float]:
        """Centroid of the parcel in the SRID's metres."""
        point = self.geometry.centroid
        return (float(point.x), float(point.y))
