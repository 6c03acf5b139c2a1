"""Shared sample parcels near Rabat (EPSG:26191) and writers for the binary formats."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import shapely
from ezdxf.filemanagement import new as new_drawing
from shapely.geometry import Polygon

from zoning.intake import Code, Diagnostic, ParcelInputError, PlanPerimeter

# Rabat, as given in the brief: X 366745.09, Y 381141.99 in EPSG:26191.
RABAT_X = 366745.09
RABAT_Y = 381141.99

# A 40 m × 30 m lot with its south-west corner on that point: 1 200 m².
SQUARE = [
    ("B1", RABAT_X, RABAT_Y),
    ("B2", RABAT_X + 40, RABAT_Y),
    ("B3", RABAT_X + 40, RABAT_Y + 30),
    ("B4", RABAT_X, RABAT_Y + 30),
]
SQUARE_AREA = 1200.0
SQUARE_POLYGON = Polygon([(x, y) for _, x, y in SQUARE])

# A perimeter around Rabat for plan checks (15 km × 15 km).
RABAT_PLAN = PlanPerimeter("PA Rabat", 26191, shapely.box(360_000, 375_000, 375_000, 390_000))


# A lot of the demo commune (PA Ain Demo, EPSG:26191) as a surveyor lists it: 2 945 m².
DEMO_LOT = (
    "Borne;X;Y\n"
    "B1;358650,00;366600,00\n"
    "B2;358703,10;366605,00\n"
    "B3;358698,40;366660,20\n"
    "B4;358645,70;366655,30\n"
)

# A 30 m × 20 m lot of the demo commune whose west side runs along X = 358 671.
LOT = (
    "Borne;X;Y\n"
    "B1;358671,00;366600,00\n"
    "B2;358701,00;366600,00\n"
    "B3;358701,00;366620,00\n"
    "B4;358671,00;366620,00\n"
)
# The same lot with a fifth borne half-way along its west side.
FIVE_BORNES = LOT.replace(
    "B4;358671,00;366620,00\n", "B4;358671,00;366620,00\nB5;358671,00;366610,00\n"
)


def comma(value: float) -> str:
    """A number written with a French decimal comma, to the centimetre."""
    return f"{value:.2f}".replace(".", ",")


def lines(points: Sequence[tuple[str, float, float]], template: str) -> str:
    """One line per point from a template using {id}, {x} and {y}."""
    return "\n".join(template.format(id=i, x=x, y=y) for i, x, y in points) + "\n"


def box_points(
    x0: float, y0: float, width: float, height: float, prefix: str = "P"
) -> list[tuple[str, float, float]]:
    """Corners of an axis-aligned rectangle, counter-clockwise, named prefix1..prefix4."""
    corners = [(x0, y0), (x0 + width, y0), (x0 + width, y0 + height), (x0, y0 + height)]
    return [(f"{prefix}{n}", x, y) for n, (x, y) in enumerate(corners, start=1)]


def semicolon_text(*rings: Sequence[tuple[str, float, float]]) -> str:
    """`Borne;X;Y` lines with decimal commas, rings separated by a blank line."""
    blocks = ["".join(f"{i};{comma(x)};{comma(y)}\n" for i, x, y in ring) for ring in rings]
    return "\n".join(blocks)


def same_shape(geometry: Any, expected: Any, tolerance: float = 0.005) -> bool:
    """True when two geometries cover each other up to a small symmetric difference."""
    return bool(geometry.symmetric_difference(expected).area <= tolerance * expected.length)


def refusal(excinfo_value: BaseException) -> list[Diagnostic]:
    """The diagnostics carried by a ParcelInputError."""
    assert isinstance(excinfo_value, ParcelInputError)
    return list(excinfo_value.diagnostics)


def only(diagnostics: Sequence[Diagnostic], code: Code) -> Diagnostic:
    """The single diagnostic with this code (fails when there are none or several)."""
    found = [d for d in diagnostics if d.code is code]
    assert len(found) == 1, diagnostics
    return found[0]


def codes(diagnostics: Sequence[Diagnostic]) -> list[Code]:
    """The codes, in order."""
    return [d.code for d in diagnostics]


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    """Write rows to the first sheet of a new workbook (None leaves a cell empty)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
    workbook.save(path)
    return path


def new_dxf() -> Any:
    """An empty drawing."""
    return new_drawing()


def save_dxf(document: Any, path: Path) -> Path:
    """Write a drawing as ASCII DXF."""
    stream = io.StringIO()
    document.write(stream)
    path.write_text(stream.getvalue(), encoding="utf-8")
    return path
