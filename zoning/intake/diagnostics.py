"""Diagnostics on an uploaded coordinate list, and the error that carries them (mapped to a 422)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import NoReturn

from pydantic import BaseModel, ConfigDict

from zoning.intake.numbers import french_number
from zoning.refusal import Invalid

# A hundred errors caused by a wrong file type teach a surveyor nothing fifty do not.
MAX_ERRORS = 50


class Severity(StrEnum):
    """Whether a finding refuses the upload or is only reported."""

    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """Stable identifiers of the findings; clients may key on them, so never rename one."""

    UNSUPPORTED_FORMAT = "unsupported_format"
    UNSUPPORTED_SRID = "unsupported_srid"
    UNREADABLE_FILE = "unreadable_file"
    EMPTY_INPUT = "empty_input"
    TOO_MANY_ERRORS = "too_many_errors"
    UNREADABLE_VALUE = "unreadable_value"
    COLUMN_COUNT = "column_count"
    THOUSANDS_SEPARATOR = "thousands_separator"
    COLUMNS_REORDERED = "columns_reordered"
    UNSUPPORTED_GEOMETRY = "unsupported_geometry"
    GEOMETRY_IGNORED = "geometry_ignored"
    UNKNOWN_CRS = "unknown_crs"
    CRS_ASSUMED = "crs_assumed"
    NO_CLOSED_POLYLINE = "no_closed_polyline"
    OPEN_POLYLINE_IGNORED = "open_polyline_ignored"
    ARC_FLATTENED = "arc_flattened"
    SEVERAL_LAYERS = "several_layers"
    DUPLICATE_POINT = "duplicate_point"
    CLOSING_POINT_ADJUSTED = "closing_point_adjusted"
    CLOSING_POINT_MISMATCH = "closing_point_mismatch"
    RING_NOT_CLOSED = "ring_not_closed"
    TOO_FEW_POINTS = "too_few_points"
    DEGENERATE_RING = "degenerate_ring"
    REPEATED_POINT = "repeated_point"
    SELF_INTERSECTION = "self_intersection"
    RINGS_OVERLAP = "rings_overlap"
    RINGS_MERGED = "rings_merged"
    INVALID_GEOMETRY = "invalid_geometry"
    AXES_SWAPPED = "axes_swapped"
    AXES_SWAP_APPLIED = "axes_swap_applied"
    OTHER_ZONE = "other_zone"
    OUTSIDE_SRID_AREA = "outside_srid_area"
    OUTSIDE_PLANS = "outside_plans"
    AREA_MISMATCH = "area_mismatch"
    UNREADABLE_CONTENANCE = "unreadable_contenance"
    TOO_MANY_POINTS = "too_many_points"
    COORDINATE_OUT_OF_RANGE = "coordinate_out_of_range"
    # A borne far from the others of its part: a typing slip (aberrant.py), an error.
    ABERRANT_BORNE = "borne_aberrante"
    # Shapes a typing slip makes and real parcels do not (shape.py), warnings.
    ACUTE_ANGLE = "angle_aigu"
    DISPROPORTIONATE_SIDE = "cote_disproportionne"
    IMPLAUSIBLE_SHAPE = "forme_improbable"
    # Title lines above a spreadsheet's header (« Levé topographique … »), skipped.
    TITLE_SKIPPED = "titre_ignore"
    # scanned tables (zoning.intake.scan)
    IMAGE_TOO_LARGE = "image_too_large"
    TOO_MANY_PAGES = "too_many_pages"
    NO_TABLE_FOUND = "no_table_found"
    UNREAD_ROW = "unread_row"
    OUTLYING_BORNE = "outlying_borne"
    NEEDS_REVIEW = "needs_review"


class Diagnostic(BaseModel):
    """One finding, located as precisely as the source allows (line, borne, coordinates)."""

    model_config = ConfigDict(frozen=True)

    code: Code
    severity: Severity
    message: str
    line: int | None = None
    point: str | None = None
    location: tuple[float, float] | None = None
    ring: int | None = None
    bornes: tuple[str, ...] = ()
    # Where the borne named by `point` probably belongs, when a typing slip explains the finding.
    probable: tuple[float, float] | None = None


def error(
    code: Code,
    message: str,
    *,
    line: int | None = None,
    point: str | None = None,
    location: tuple[float, float] | None = None,
    ring: int | None = None,
    bornes: tuple[str, ...] = (),
    probable: tuple[float, float] | None = None,
) -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(
        code=code,
        severity=Severity.ERROR,
        message=message,
        line=line,
        point=point,
        location=location,
        ring=ring,
        bornes=bornes,
        probable=probable,
    )


def warning(
    code: Code,
    message: str,
    *,
    line: int | None = None,
    point: str | None = None,
    location: tuple[float, float] | None = None,
    ring: int | None = None,
    bornes: tuple[str, ...] = (),
    probable: tuple[float, float] | None = None,
) -> Diagnostic:
    """Build a warning diagnostic."""
    found = error(
        code,
        message,
        line=line,
        point=point,
        location=location,
        ring=ring,
        bornes=bornes,
        probable=probable,
    )
    return found.model_copy(update={"severity": Severity.WARNING})


class ParcelInputError(Invalid, ValueError):
    """The upload is refused; `diagnostics` holds every error found (and the warnings so far)."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(
            "invalid_coordinates",
            "Les coordonnées de la parcelle ne peuvent pas être utilisées ; rien n'a été "
            "délivré ni enregistré.",
            [d.model_dump(mode="json") for d in self.fatal],
            warnings=[d.model_dump(mode="json") for d in self.warnings],
        )

    def __str__(self) -> str:
        return "\n".join(d.message for d in self.fatal)

    @property
    def fatal(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that refuse the upload (`errors` lists them as the body does)."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The non-fatal findings collected before the refusal."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when at least one diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def raise_if_errors(diagnostics: Sequence[Diagnostic]) -> None:
    """Raise ParcelInputError when the list holds an error, errors first, capped at MAX_ERRORS."""
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if not errors:
        return
    warnings = [d for d in diagnostics if d.severity is Severity.WARNING]
    if len(errors) > MAX_ERRORS:
        hidden = len(errors) - MAX_ERRORS
        errors = [
            *errors[:MAX_ERRORS],
            error(Code.TOO_MANY_ERRORS, f"… et {fr(hidden, 0)} autres erreurs non détaillées."),
        ]
    raise ParcelInputError([*errors, *warnings])


def refuse(*diagnostics: Diagnostic) -> NoReturn:
    """Refuse the upload with these diagnostics."""
    raise ParcelInputError(diagnostics)


def fr(value: float, decimals: int = 2) -> str:
    """A number in a message, the French way: 1\u202f234,56 (see numbers.french_number)."""
    return french_number(value, decimals)


def xy_text(x: float, y: float) -> str:
    """Coordinates as a French sentence fragment: X = 366\u202f745,09 ; Y = 381\u202f141,99."""
    return f"X = {fr(x)} ; Y = {fr(y)}"
