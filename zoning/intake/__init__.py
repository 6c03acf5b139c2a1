"""Coordinate intake (docs/formats.md §3): a petitioner's upload turned into a parcel, or refused.

Accepted uploads:

- text (.txt, .csv, or a string): one point a line, `Borne X Y` or `X Y`. Columns are separated
  by `;`, tabs, `,` or spaces, detected once per file: `;` if any line has one; tabs if every line
  has one; `,` when most lines with a comma cannot be read as whitespace-separated decimal commas
  (`366745.09,381141.99`); otherwise whitespace, and then a comma is a decimal mark
  (`B1 366745,09 381141,99`). Decimal point and comma are both read in any layout. Thousands
  separators: no-break spaces (what spreadsheets write) are always accepted; an ordinary space
  only inside a `;`, tab or `,` separated field, never where spaces separate columns (refused as
  `thousands_separator`). Title lines above the first row of coordinates (« Levé topographique
  … », the property's name, a date, blank lines, the header `Borne;X;Y`) are skipped, and named
  in a `titre_ignore` warning (the header is not); a row that looks like a mistyped coordinate
  (six digits, or three with decimals) is never a title. A header naming Y before X makes the
  columns read in that order. A blank line starts another part of the parcel; a part left with
  fewer than 3 points names the blank line to remove. A repeated closing point is dropped.
- .xlsx: the first sheet, the same columns, from the first used column; rows are Excel's rows.
- .geojson/.json: Polygon/MultiPolygon, bare, Feature or FeatureCollection; the legacy `crs`
  member is honoured, none means WGS 84 (RFC 7946) unless the numbers cannot be degrees (then the
  request's SRID, with a `crs_assumed` warning).
- .dxf: closed LWPOLYLINE/POLYLINE of the model space (optionally one layer); vertices are bornes.
- a list of [x, y] pairs (or a list of such rings), as the JSON API may send.

Rings (« parties de la parcelle » in messages): a ring inside an odd number of others is a hole,
otherwise a part (an island in a hole is a part again); partly overlapping rings are refused;
parts sharing a side are merged.

Typing slips (aberrant.py, shape.py, typos.py): a borne far from the others of its part is
refused first as `borne_aberrante`, with the value one slip away (separator misplaced, digits
swapped, a digit dropped or doubled, X and Y exchanged on its line) that brings it back; a
crossing a digit swap explains names that borne and value; an accepted outline with a spike,
out-of-scale sides or an implausibly thin shape is warned (`angle_aigu`,
`cote_disproportionne`, `forme_improbable`), naming the borne.

Location: when plan perimeters are given, the parcel must touch one of them; otherwise the
swapped reading and readings in the other Lambert zones are tried, to say which fits. Without a
fitting perimeter, the SRID's EPSG area of use (widened by 10 km) decides the same way.

Declared area: a warning when |declared - computed| > max(5 m², 2 % of computed).

Diagnostic codes are listed in `Code`; messages are in French, for the surveyor.
"""

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
