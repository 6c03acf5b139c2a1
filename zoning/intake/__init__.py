"""Coordinate intake: a petitioner's upload turned into a parcel, or refused with diagnostics."""

from zoning.intake.contenance import (
    AREA_TOLERANCE_M2,
    AREA_TOLERANCE_RATIO,
    area_mismatch,
    parse_contenance,
)
from zoning.intake.diagnostics import Code, Diagnostic, ParcelInputError, Severity
from zoning.intake.dxf import read_dxf
from zoning.intake.geojson import read_geojson
from zoning.intake.location import MOROCCAN_LAMBERT, check_location, srid_domain
from zoning.intake.model import Borne, ParcelInput, PlanPerimeter, SourceParcel
from zoning.intake.pairs import read_pairs
from zoning.intake.reader import build_parcel, detect_format, read_coordinates, read_source
from zoning.intake.text import read_text
from zoning.intake.xlsx import read_xlsx

__all__ = [
    "AREA_TOLERANCE_M2",
    "AREA_TOLERANCE_RATIO",
    "MOROCCAN_LAMBERT",
    "Borne",
    "Code",
    "Diagnostic",
    "ParcelInput",
    "ParcelInputError",
    "PlanPerimeter",
    "Severity",
    "SourceParcel",
    "area_mismatch",
    "build_parcel",
    "check_location",
    "detect_format",
    "parse_contenance",
    "read_coordinates",
    "read_dxf",
    "read_geojson",
    "read_pairs",
    "read_source",
    "read_text",
    "read_xlsx",
    "srid_domain",
]
