"""The NRU's map extract as an SVG string (RGC Annexe 1: « un extrait du document d'urbanisme »).

Pure: shapely geometries and, optionally, a windowed read of the plan's GeoTIFF; no database.
Coordinates are Lambert metres of the plan's SRID; one SVG user unit prints as ``UNIT_MM``, so
a window from ``window_around`` prints at a round scale (1/500, 1/1000, 1/2000...).
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import rasterio
import shapely
from rasterio.windows import Window, from_bounds

BBox = tuple[float, float, float, float]
#: shapely ships no type information: geometries are typed as Any.
Geometry = Any

#: Printed width (and maximum height) of the map frame.
FRAME_MM = 150.0
#: Printed size of one SVG user unit; the frame is FRAME_MM / UNIT_MM = 600 units wide.
UNIT_MM = 0.25
FRAME_UNITS = FRAME_MM / UNIT_MM
#: Room around the frame for the Lambert coordinates written on its edges.
EDGE_UNITS = 26.0
#: Printed scales a window from window_around snaps to (denominators).
ROUND_SCALES = (500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000)
#: Lengths (metres) for the scale bar and the coordinate ticks: the 1-2-5 series.
NICE_LENGTHS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000)

FONT = "DejaVu Sans, sans-serif"
PARCEL_RED = "#d40000"
SERVITUDE_RED = "#d62728"
RESERVATION_BLUE = "#1f5fa8"
ROAD_EDGE_GREY = "#6b6b6b"
SETBACK_VIOLET = "#6a3d9a"
BUILDABLE_GREEN = "#1a7f37"
LEGEND_ROW = 14.0
#: Smallest visible area (square SVG units) and inscribed radius (units) worth a label, and the
#: labels' distance to the parcel.
LABEL_MIN_AREA = 900.0
LABEL_MIN_RADIUS = 8.0
LABEL_KEEP_OUT = 16.0
LEGEND_LABEL_CHARS = 52

#: Names of the Moroccan Lambert zones (Merchich datum), for captions.
LAMBERT_NAMES = {
    26191: "Lambert Nord Maroc (Merchich)",
    26192: "Lambert Sud Maroc (Merchich)",
    26194: "Lambert Sahara Nord (Merchich)",
    26195: "Lambert Sahara Sud (Merchich)",
}


@dataclass(frozen=True)
class MapExtract:
    """What the map extract shows: a window, the parcel and the plan's layers around it."""

    bbox: BBox  # minx, miny, maxx, maxy in Lambert metres: the window drawn
    srid: int
    parcel: Geometry  # shapely Polygon or MultiPolygon
    bornes: Sequence[tuple[str, float, float]] = ()  # (id, x, y)
    zones: Sequence[tuple[str, str, str, Geometry]] = ()  # (code, label, "#rrggbb", geometry)
    servitudes: Sequence[tuple[str, str | None, Geometry]] = ()  # (kind, label, geometry)
    roads: Sequence[tuple[str, float | None, Geometry]] = ()  # (ref, width_m, right-of-way)
    reservations: Sequence[tuple[str, str | None, Geometry]] = ()  # (code, label, geometry)
    raster: Path | str | None = None  # GeoTIFF of the plan, same SRID
    #: the parcel's setback bands (zone, kind, land inside the band) and buildable envelopes
    #: (zone, geometry), from checks.envelope.zone_buildable (issue #11 item 15)
    setback_bands: Sequence[tuple[str, str, Geometry]] = ()
    buildable: Sequence[tuple[str, Geometry]] = ()

    @property
    def scale_denominator(self) -> float:
        """N of the printed scale 1/N when the SVG is printed at its own size."""
        return 1000.0 / (_Frame.of(self.bbox).units_per_m * UNIT_MM)


def window_around(parcel: Geometry, margin_ratio: float = 0.35, min_size_m: float = 120) -> BBox:
    """A square window centred on the parcel, with margins, snapped to a round printed scale."""
    minx, miny, maxx, maxy = (float(v) for v in parcel.bounds)
    side = max(maxx - minx, maxy - miny) * (1 + 2 * margin_ratio)
    side = _round_scale_side(max(side, min_size_m))
    cx, cy = round((minx + maxx) / 2), round((miny + maxy) / 2)
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def _round_scale_side(side_m: float) -> float:
    """The ground width of the frame at the smallest round scale showing side_m metres."""
    for denominator in ROUND_SCALES:
        ground_m = FRAME_MM / 1000 * denominator
        if ground_m >= side_m:
            return ground_m
    return math.ceil(side_m / 100) * 100


def scale_label(extract: MapExtract) -> str:
    """'1/1000' when the printed scale is round, else '≈ 1/1234'."""
    denominator = extract.scale_denominator
    if any(abs(denominator - scale) < 0.5 for scale in ROUND_SCALES):
        return f"1/{round(denominator)}"
    return f"≈ 1/{round(denominator)}"


def crs_label(srid: int) -> str:
    """'Lambert Nord Maroc (Merchich) — EPSG:26191', or 'EPSG:n' for other systems."""
    name = LAMBERT_NAMES.get(srid)
    return f"{name} — EPSG:{srid}" if name else f"EPSG:{srid}"


@dataclass(frozen=True)
class _Frame:
    """The map frame in SVG units and the Lambert → SVG transform (y axis flipped)."""

    bbox: BBox
    units_per_m: float
    width: float
    height: float
    left: float = EDGE_UNITS
    top: float = EDGE_UNITS

    @classmethod
    def of(cls, bbox: BBox) -> _Frame:
        """Fit the window into a FRAME_UNITS square, keeping its proportions."""
        minx, miny, maxx, maxy = bbox
        if maxx <= minx or maxy <= miny:
            raise ValueError(f"empty map window {bbox}")
        units_per_m = min(FRAME_UNITS / (maxx - minx), FRAME_UNITS / (maxy - miny))
        return cls(bbox, units_per_m, (maxx - minx) * units_per_m, (maxy - miny) * units_per_m)

    def point(self, x: float, y: float) -> tuple[float, float]:
        """SVG position of a Lambert point."""
        minx, _, _, maxy = self.bbox
        return (self.left + (x - minx) * self.units_per_m, self.top + (maxy - y) * self.units_per_m)

    def lambert_box(self, x0: float, y0: float, x1: float, y1: float) -> Geometry:
        """The Lambert rectangle under an SVG rectangle of the frame (for label keep-outs)."""
        minx, _, _, maxy = self.bbox
        u = self.units_per_m
        return shapely.box(
            minx + (x0 - self.left) / u,
            maxy - (y1 - self.top) / u,
            minx + (x1 - self.left) / u,
            maxy - (y0 - self.top) / u,
        )

    @property
    def right(self) -> float:
        """x of the frame's right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """y of the frame's bottom edge."""
        return self.top + self.height


def _n(value: float) -> str:
    """An SVG coordinate rounded to 0.1 unit (keeps the SVG small and stable)."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _clip(geometry: Geometry, bbox: BBox) -> Geometry:
    """The geometry cut to the window (shapely's fast rectangle clip)."""
    return shapely.clip_by_rect(geometry, *bbox)


def _polygons(geometry: Geometry) -> Iterator[Geometry]:
    """The polygons of any geometry (clipping can leave lines, points or collections)."""
    if geometry is None or geometry.is_empty:
        return
    if geometry.geom_type == "Polygon":
        yield geometry
    elif hasattr(geometry, "geoms"):
        for part in geometry.geoms:
            yield from _polygons(part)


def _ring_path(coords: Iterable[tuple[float, ...]], frame: _Frame) -> str:
    """An SVG subpath for one ring."""
    points = [frame.point(c[0], c[1]) for c in coords]
    return "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points) + " Z"


def _path_data(geometry: Geometry, frame: _Frame) -> str:
    """SVG path data of the polygons of a geometry, holes included (evenodd fill)."""
    rings: list[str] = []
    for polygon in _polygons(geometry):
        rings.append(_ring_path(polygon.exterior.coords, frame))
        rings.extend(_ring_path(hole.coords, frame) for hole in polygon.interiors)
    return " ".join(rings)


def _path(geometry: Geometry, frame: _Frame, style: str) -> str:
    """An SVG <path> of the clipped geometry, or '' when nothing is left inside the window."""
    data = _path_data(_clip(geometry, frame.bbox), frame)
    return f'<path d="{data}" fill-rule="evenodd" {style}/>' if data else ""


def _text(x: float, y: float, label: str, style: str, fill: str, *, halo: bool = True) -> str:
    """A text with a white halo drawn underneath, to stay readable on any background."""
    position = f'x="{_n(x)}" y="{_n(y)}"'
    body = escape(label)
    under = (
        f'<text {position} {style} fill="#fff" stroke="#fff" stroke-width="3" '
        f'stroke-linejoin="round">{body}</text>'
        if halo
        else ""
    )
    return f'{under}<text {position} {style} fill="{fill}">{body}</text>'


def _label_anchor(
    geometry: Geometry, frame: _Frame, keep_outs: Sequence[Geometry]
) -> tuple[float, float] | None:
    """Where to write a feature's label: the centre of its widest visible part off a keep-out.

    The keep-outs are tried in order, strictest first; None when the label fits nowhere.
    """
    visible = _clip(geometry, frame.bbox)
    if visible.is_empty or visible.area <= 0:
        return None
    for keep_out in keep_outs:
        free = visible.difference(keep_out)
        if free.area * frame.units_per_m**2 < LABEL_MIN_AREA:
            continue
        circle = shapely.maximum_inscribed_circle(free, 1 / frame.units_per_m)
        if circle.length * frame.units_per_m >= LABEL_MIN_RADIUS:  # room for the text's height
            centre = shapely.get_point(circle, 0)
            return frame.point(float(centre.x), float(centre.y))
    return None


def _label_keep_outs(
    extract: MapExtract, frame: _Frame, *, reservations: bool = False
) -> list[Geometry]:
    """Keep-outs for labels: the decorations, plus the parcel's outline and bornes if possible."""
    decorations = shapely.union(
        frame.lambert_box(*_scale_bar_box(frame)), frame.lambert_box(*_north_arrow_box(frame))
    )
    areas = [decorations, extract.parcel.buffer(LABEL_KEEP_OUT / frame.units_per_m)]
    if reservations:  # zone labels would collide with the reservations' codes
        areas.extend(geometry for _, _, geometry in extract.reservations)
    return [shapely.union_all(areas), decorations]


def _orientation_deg(geometry: Geometry) -> float:
    """Direction of the longest side of the minimum rotated rectangle, as an SVG angle."""
    rectangle = shapely.minimum_rotated_rectangle(geometry)
    coords = list(rectangle.exterior.coords) if rectangle.geom_type == "Polygon" else []
    if len(coords) < 3:
        return 0.0
    sides = [(coords[i], coords[i + 1]) for i in range(2)]
    (x0, y0), (x1, y1) = max(sides, key=lambda s: math.dist(s[0], s[1]))
    angle = -math.degrees(math.atan2(y1 - y0, x1 - x0))  # SVG's y axis points down
    if angle <= -90:
        angle += 180
    elif angle > 90:
        angle -= 180
    return angle


def encode_png(pixels: npt.NDArray[np.uint8]) -> bytes:
    """PNG bytes of a (rows, cols) grey or (rows, cols, 3|4) RGB(A) uint8 array (zlib only)."""
    if pixels.ndim == 2:
        pixels = pixels[:, :, np.newaxis]
    rows, cols, channels = pixels.shape
    colour_type = {1: 0, 3: 2, 4: 6}[channels]
    filter_bytes = np.zeros((rows, 1), dtype=np.uint8)  # filter type 0 (None) on every row
    raw = np.hstack([filter_bytes, pixels.reshape(rows, cols * channels)]).tobytes()
    header = struct.pack(">IIBBBBB", cols, rows, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(raw, 6))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data, CRC of type and data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def read_raster_window(
    path: Path | str, bbox: BBox, srid: int
) -> tuple[npt.NDArray[np.uint8], BBox] | None:
    """The plan raster's pixels covering the window (windowed read) and their exact bounds."""
    with rasterio.open(path) as source:
        if source.crs is None or source.crs.to_epsg() != srid:
            raise ValueError(f"raster {path} is in {source.crs}, the extract in EPSG:{srid}")
        window = _pixel_window(from_bounds(*bbox, transform=source.transform), source)
        if window is None:
            return None
        bands = [1] if source.count < 3 else list(range(1, min(source.count, 4) + 1))
        data = source.read(bands, window=window)
        pixels = np.ascontiguousarray(np.moveaxis(data, 0, -1).astype(np.uint8))
        return pixels, _pixel_bounds(window, source.transform)


def _pixel_window(window: Window, source: Any) -> Window | None:
    """The window rounded outward to whole pixels and cut to the raster; None when outside."""
    col0 = max(0, math.floor(window.col_off))
    row0 = max(0, math.floor(window.row_off))
    col1 = min(source.width, math.ceil(window.col_off + window.width))
    row1 = min(source.height, math.ceil(window.row_off + window.height))
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def _pixel_bounds(window: Window, transform: Any) -> BBox:
    """Lambert bounds of whole-pixel window of a north-up raster."""
    left, top = transform @ (window.col_off, window.row_off)
    right, bottom = transform @ (window.col_off + window.width, window.row_off + window.height)
    return (
        float(min(left, right)),
        float(min(top, bottom)),
        float(max(left, right)),
        float(max(top, bottom)),
    )


def _raster_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """The plan's image under everything else, as a PNG data URI."""
    if extract.raster is None:
        return []
    found = read_raster_window(extract.raster, extract.bbox, extract.srid)
    if found is None:
        return []
    pixels, (minx, miny, maxx, maxy) = found
    x0, y0 = frame.point(minx, maxy)
    x1, y1 = frame.point(maxx, miny)
    uri = "data:image/png;base64," + base64.b64encode(encode_png(pixels)).decode("ascii")
    return [
        f'<image x="{_n(x0)}" y="{_n(y0)}" width="{_n(x1 - x0)}" height="{_n(y1 - y0)}" '
        f'preserveAspectRatio="none" href="{uri}"/>'
    ]


def _zone_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """Zones filled with the legend's colours, drawn when there is no raster."""
    if extract.raster is not None:
        return []
    # zone boundaries dark enough to read as limits, not as the fill's edge (issue #14)
    style = 'stroke="#555" stroke-width="1"'
    return [
        _path(geometry, frame, f'fill="{escape(colour)}" {style}')
        for _, _, colour, geometry in extract.zones
    ]


def _zone_labels(extract: MapExtract, frame: _Frame) -> list[str]:
    """The zone code once per zone polygon in the window."""
    style = f'font-family="{FONT}" font-size="13" font-weight="bold" text-anchor="middle"'
    keep_outs = _label_keep_outs(extract, frame, reservations=True)
    labels: list[str] = []
    for code, _, _, geometry in extract.zones:
        for polygon in _polygons(_clip(geometry, frame.bbox)):
            anchor = _label_anchor(polygon, frame, keep_outs)
            if anchor is not None:
                labels.append(_text(anchor[0], anchor[1] + 4, code, style, "#333"))
    return labels


def _servitude_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """Servitudes hatched red over a dashed red outline."""
    style = (
        f'fill="url(#servitude-hatch)" stroke="{SERVITUDE_RED}" stroke-width="1.2" '
        'stroke-dasharray="6 3"'
    )
    return [_path(geometry, frame, style) for _, _, geometry in extract.servitudes]


def _road_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """Roads' right-of-way white with grey edges."""
    style = f'fill="#ffffff" stroke="{ROAD_EDGE_GREY}" stroke-width="1"'
    return [_path(geometry, frame, style) for _, _, geometry in extract.roads]


def _setback_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """The setback bands shaded orange, the buildable envelope outlined green (dashed)."""
    band_style = (
        f'fill="url(#setback-hatch)" stroke="{SETBACK_VIOLET}" stroke-width="0.6" '
        'class="setback-band"'
    )
    envelope_style = (
        f'fill="{BUILDABLE_GREEN}" fill-opacity="0.18" stroke="{BUILDABLE_GREEN}" '
        'stroke-width="1.6" stroke-dasharray="5 2" class="buildable"'
    )
    return [
        *(_path(geometry, frame, band_style) for _, _, geometry in extract.setback_bands),
        *(_path(geometry, frame, envelope_style) for _, geometry in extract.buildable),
    ]


def road_label(ref: str, width_m: float | None) -> str:
    """'V12 — 20 m': the road's reference and right-of-way width."""
    if width_m is None:
        return ref
    width = f"{width_m:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{ref} — {width} m"


def _road_labels(extract: MapExtract, frame: _Frame) -> list[str]:
    """Each road's label along its direction, at a point inside its visible part."""
    style = f'font-family="{FONT}" font-size="11" text-anchor="middle"'
    keep_outs = _label_keep_outs(extract, frame)
    labels: list[str] = []
    for ref, width_m, geometry in extract.roads:
        anchor = _label_anchor(geometry, frame, keep_outs)
        if anchor is None:
            continue
        angle = _orientation_deg(_clip(geometry, frame.bbox))
        x, y = anchor
        text = _text(0, 4, road_label(ref, width_m), style, "#222")
        labels.append(f'<g transform="translate({_n(x)} {_n(y)}) rotate({angle:.1f})">{text}</g>')
    return labels


def _reservation_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """Reservations outlined blue, with their code."""
    style = (
        f'fill="{RESERVATION_BLUE}" fill-opacity="0.12" stroke="{RESERVATION_BLUE}" '
        'stroke-width="2"'
    )
    label_style = f'font-family="{FONT}" font-size="12" font-weight="bold" text-anchor="middle"'
    keep_outs = _label_keep_outs(extract, frame)
    items: list[str] = []
    for code, _, geometry in extract.reservations:
        items.append(_path(geometry, frame, style))
        anchor = _label_anchor(geometry, frame, keep_outs)
        if anchor is not None:
            items.append(_text(anchor[0], anchor[1] + 4, code, label_style, RESERVATION_BLUE))
    return items


def _parcel_layer(extract: MapExtract, frame: _Frame) -> list[str]:
    """The parcel outlined thick red, its bornes as dots with their ids."""
    items = [_path(extract.parcel, frame, f'fill="none" stroke="{PARCEL_RED}" stroke-width="3"')]
    centroid = extract.parcel.centroid
    centre = frame.point(float(centroid.x), float(centroid.y))
    for borne_id, x, y in extract.bornes:
        if not _inside(frame.bbox, x, y):
            continue
        items.append(_borne(frame.point(x, y), centre, borne_id))
    return items


def _inside(bbox: BBox, x: float, y: float) -> bool:
    """Whether a Lambert point lies in the window."""
    minx, miny, maxx, maxy = bbox
    return minx <= x <= maxx and miny <= y <= maxy


def _borne(position: tuple[float, float], centre: tuple[float, float], borne_id: str) -> str:
    """A borne's dot and its id, written outward from the parcel so it does not hide the lines."""
    x, y = position
    dx, dy = x - centre[0], y - centre[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    anchor = "start" if ux > 0.35 else "end" if ux < -0.35 else "middle"
    tx, ty = x + ux * 8, y + uy * 8 + (4 + 5 * uy)  # baseline shifted by the side it lies on
    style = (
        f'font-family="{FONT}" font-size="11" font-weight="bold" text-anchor="{anchor}" '
        'class="borne-id"'
    )
    dot = (
        f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.2" fill="{PARCEL_RED}" '
        'stroke="#fff" stroke-width="1"/>'
    )
    return dot + _text(tx, ty, borne_id, style, PARCEL_RED)


def nice_length(limit: float) -> float:
    """The largest length of the 1-2-5 series not above limit (at least the smallest one)."""
    fitting = [length for length in NICE_LENGTHS if length <= limit]
    return float(fitting[-1] if fitting else NICE_LENGTHS[0])


def tick_interval(extent_m: float) -> float:
    """A round interval giving three to six coordinate ticks along an edge of extent_m."""
    for length in NICE_LENGTHS:
        if extent_m / length <= 6:
            return float(length)
    return float(NICE_LENGTHS[-1])


def _ticks(low: float, high: float, step: float) -> list[float]:
    """Multiples of step strictly inside (low, high)."""
    first = math.floor(low / step) + 1
    values = [k * step for k in range(first, math.ceil(high / step))]
    return [v for v in values if low < v < high]


def format_coordinate(value: float) -> str:
    """A Lambert coordinate in whole metres with a space between thousands: '358 050'."""
    return f"{round(value):,}".replace(",", " ")


def _frame_and_grid(frame: _Frame) -> list[str]:
    """The frame, ticks with Lambert X and Y on its edges, and crosses where they meet."""
    minx, miny, maxx, maxy = frame.bbox
    step = tick_interval(max(maxx - minx, maxy - miny))
    xs, ys = _ticks(minx, maxx, step), _ticks(miny, maxy, step)
    items = [
        f'<rect x="{_n(frame.left)}" y="{_n(frame.top)}" width="{_n(frame.width)}" '
        f'height="{_n(frame.height)}" fill="none" stroke="#000" stroke-width="1.2"/>'
    ]
    items.extend(_x_tick(frame, x) for x in xs)
    items.extend(_y_tick(frame, y) for y in ys)
    items.extend(_cross(frame.point(x, y)) for x in xs for y in ys)
    return items


def _coordinate_style(anchor: str = "middle") -> str:
    """Style of the coordinates written on the frame."""
    return (
        f'font-family="{FONT}" font-size="9" fill="#000" text-anchor="{anchor}" '
        'class="frame-coordinate"'
    )


def _x_tick(frame: _Frame, x: float) -> str:
    """A tick on the top and bottom edges with the X coordinate above and below the frame."""
    sx, _ = frame.point(x, frame.bbox[1])
    label = escape(f"X = {format_coordinate(x)}")
    style = _coordinate_style()
    return (
        f'<path d="M{_n(sx)},{_n(frame.top - 5)} V{_n(frame.top)} '
        f'M{_n(sx)},{_n(frame.bottom)} V{_n(frame.bottom + 5)}" stroke="#000" stroke-width="0.8"/>'
        f'<text x="{_n(sx)}" y="{_n(frame.top - 8)}" {style}>{label}</text>'
        f'<text x="{_n(sx)}" y="{_n(frame.bottom + 15)}" {style}>{label}</text>'
    )


def _y_tick(frame: _Frame, y: float) -> str:
    """A tick on the left and right edges with the Y coordinate written along them."""
    _, sy = frame.point(frame.bbox[0], y)
    label = escape(f"Y = {format_coordinate(y)}")
    style = _coordinate_style()
    left_x, right_x = frame.left - 8, frame.right + 8
    return (
        f'<path d="M{_n(frame.left - 5)},{_n(sy)} H{_n(frame.left)} '
        f'M{_n(frame.right)},{_n(sy)} H{_n(frame.right + 5)}" stroke="#000" stroke-width="0.8"/>'
        f'<text x="{_n(left_x)}" y="{_n(sy)}" transform="rotate(-90 {_n(left_x)} {_n(sy)})" '
        f"{style}>{label}</text>"
        f'<text x="{_n(right_x)}" y="{_n(sy)}" transform="rotate(90 {_n(right_x)} {_n(sy)})" '
        f"{style}>{label}</text>"
    )


def _cross(position: tuple[float, float]) -> str:
    """A small grid cross inside the frame."""
    x, y = position
    return (
        f'<path d="M{_n(x - 5)},{_n(y)} H{_n(x + 5)} M{_n(x)},{_n(y - 5)} V{_n(y + 5)}" '
        'stroke="#000" stroke-width="0.7" stroke-opacity="0.7"/>'
    )


def _scale_bar_layout(frame: _Frame) -> tuple[float, float, float, float]:
    """(length in m, length in SVG units, x, y of the bar's start), bottom left of the frame."""
    minx, _, maxx, _ = frame.bbox
    length_m = nice_length(0.4 * (maxx - minx))
    return length_m, length_m * frame.units_per_m, frame.left + 12, frame.bottom - 20


def _scale_bar_box(frame: _Frame) -> tuple[float, float, float, float]:
    """The SVG rectangle of the scale bar's white backing."""
    _, length_units, x0, y0 = _scale_bar_layout(frame)
    return x0 - 8, y0 - 14, x0 + length_units + 18, y0 + 10


def _scale_bar(frame: _Frame) -> str:
    """A scale bar of a round length, four black and white segments, bottom left of the frame."""
    length_m, length_units, x0, y0 = _scale_bar_layout(frame)
    segment = length_units / 4
    rects = "".join(
        f'<rect x="{_n(x0 + i * segment)}" y="{_n(y0)}" width="{_n(segment)}" height="5" '
        f'fill="{"#000" if i % 2 == 0 else "#fff"}" stroke="#000" stroke-width="0.6"/>'
        for i in range(4)
    )
    style = f'font-family="{FONT}" font-size="9" text-anchor="middle" fill="#000"'
    labels = (
        f'<text x="{_n(x0)}" y="{_n(y0 - 3)}" {style}>0</text>'
        f'<text x="{_n(x0 + length_units)}" y="{_n(y0 - 3)}" {style}>'
        f"{format_coordinate(length_m)} m</text>"
    )
    bx0, by0, bx1, by1 = _scale_bar_box(frame)
    backing = (
        f'<rect x="{_n(bx0)}" y="{_n(by0)}" width="{_n(bx1 - bx0)}" height="{_n(by1 - by0)}" '
        'fill="#fff" fill-opacity="0.85"/>'
    )
    return (
        f'<g id="scale-bar" data-length-m="{length_m:g}" data-length-units="{_n(length_units)}">'
        f"{backing}{rects}{labels}</g>"
    )


def _north_arrow_box(frame: _Frame) -> tuple[float, float, float, float]:
    """The SVG rectangle the north arrow and its N take."""
    x, y = frame.right - 22, frame.top + 14
    return x - 16, y, x + 16, y + 48


def _north_arrow(frame: _Frame) -> str:
    """North arrow, top right of the frame.

    It points to the Lambert grid north (up the Y axis), not true north: the two differ by the
    meridian convergence, under one degree over the Nord Maroc zone's populated part.
    """
    x0, y, x1, _ = _north_arrow_box(frame)
    x = (x0 + x1) / 2
    style = f'font-family="{FONT}" font-size="12" font-weight="bold" text-anchor="middle"'
    return (
        '<g id="north-arrow">'
        f'<circle cx="{_n(x)}" cy="{_n(y + 16)}" r="15" fill="#fff" fill-opacity="0.85"/>'
        f'<path d="M{_n(x)},{_n(y + 2)} L{_n(x + 7)},{_n(y + 28)} L{_n(x)},{_n(y + 22)} Z" '
        'fill="#000"/>'
        f'<path d="M{_n(x)},{_n(y + 2)} L{_n(x - 7)},{_n(y + 28)} L{_n(x)},{_n(y + 22)} Z" '
        'fill="#fff" stroke="#000" stroke-width="0.8"/>'
        f'<text x="{_n(x)}" y="{_n(y + 43)}" {style}>N</text></g>'
    )


def _visible_zone_codes(extract: MapExtract) -> list[tuple[str, str, str]]:
    """(code, label, colour) of the zones present in the window, once per code, in order."""
    seen: dict[str, tuple[str, str, str]] = {}
    for code, label, colour, geometry in extract.zones:
        if code not in seen and not _clip(geometry, extract.bbox).is_empty:
            seen[code] = (code, label, colour)
    return list(seen.values())


def _legend_entries(extract: MapExtract) -> list[tuple[str, str]]:
    """(swatch SVG at 0,0, text) of the legend: zones present, then the other layers."""
    entries = [
        (
            _swatch(f'fill="{escape(colour)}" stroke="#8a8a8a" stroke-width="0.6"'),
            f"{code} — {label}",
        )
        for code, label, colour in _visible_zone_codes(extract)
    ]
    if any(not _clip(g, extract.bbox).is_empty for _, _, g in extract.servitudes):
        entries.append(
            (
                _swatch(f'fill="url(#servitude-hatch)" stroke="{SERVITUDE_RED}" stroke-width="1"'),
                "Hachures rouges : servitude (terrain grevé)",
            )
        )
    if extract.roads:
        entries.append(
            (
                _swatch(f'fill="#fff" stroke="{ROAD_EDGE_GREY}" stroke-width="1"'),
                "Emprise de voie d'aménagement (réf. — largeur)",
            )
        )
    if extract.reservations:
        entries.append(
            (
                _swatch(
                    f'fill="{RESERVATION_BLUE}" fill-opacity="0.12" stroke="{RESERVATION_BLUE}" '
                    'stroke-width="2"'
                ),
                "Réservation pour équipement public (code)",
            )
        )
    entries += _setback_legend(extract)
    entries.append(
        (
            _swatch(f'fill="none" stroke="{PARCEL_RED}" stroke-width="3"'),
            "Terrain objet de la note et ses bornes",
        )
    )
    return entries


def _setback_legend(extract: MapExtract) -> list[tuple[str, str]]:
    """Legend entries for the setback bands and the buildable envelope, when drawn."""
    entries = []
    if any(not g.is_empty for _, _, g in extract.setback_bands):
        swatch = _swatch(f'fill="url(#setback-hatch)" stroke="{SETBACK_VIOLET}" stroke-width="0.6"')
        entries.append((swatch, "Bande de recul (voie, limites latérales, fond)"))
    if any(not g.is_empty for _, g in extract.buildable):
        swatch = _swatch(
            f'fill="{BUILDABLE_GREEN}" fill-opacity="0.18" stroke="{BUILDABLE_GREEN}" '
            'stroke-width="1.6" stroke-dasharray="5 2"'
        )
        entries.append((swatch, "Enveloppe constructible (avant plafond du CES)"))
    return entries


def _swatch(style: str) -> str:
    """A legend swatch at the origin."""
    return f'<rect x="0" y="0" width="22" height="11" {style}/>'


def _short(text: str) -> str:
    """A legend text cut to fit its column."""
    if len(text) <= LEGEND_LABEL_CHARS:
        return text
    return text[: LEGEND_LABEL_CHARS - 1].rstrip() + "…"


def _legend(extract: MapExtract, frame: _Frame) -> tuple[str, float]:
    """The legend below the frame in two columns, and its height."""
    entries = _legend_entries(extract)
    top = frame.bottom + 24
    column_width = frame.width / 2
    style = f'font-family="{FONT}" font-size="10" fill="#000"'
    items = [
        f'<text x="{_n(frame.left)}" y="{_n(top + 10)}" font-family="{FONT}" font-size="11" '
        'font-weight="bold">Légende</text>'
    ]
    rows = math.ceil(len(entries) / 2)
    for index, (swatch, text) in enumerate(entries):
        column, row = divmod(index, rows)
        x = frame.left + column * column_width
        y = top + 18 + row * LEGEND_ROW
        items.append(
            f'<g transform="translate({_n(x)} {_n(y)})">{swatch}'
            f'<text x="28" y="9.5" {style}>{escape(_short(text))}</text></g>'
        )
    return '<g id="legend">' + "".join(items) + "</g>", 24 + 18 + rows * LEGEND_ROW


def _defs(frame: _Frame) -> str:
    """The servitudes' hatch pattern and the frame's clip path."""
    return (
        "<defs>"
        '<pattern id="servitude-hatch" patternUnits="userSpaceOnUse" width="7" height="7" '
        'patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="7" stroke="{SERVITUDE_RED}" stroke-width="1.4"/>'
        "</pattern>"
        '<pattern id="setback-hatch" patternUnits="userSpaceOnUse" width="5" height="5" '
        'patternTransform="rotate(-45)">'
        f'<rect width="5" height="5" fill="{SETBACK_VIOLET}" fill-opacity="0.15"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" stroke="{SETBACK_VIOLET}" stroke-width="1"/>'
        "</pattern>"
        f'<clipPath id="frame-clip"><rect x="{_n(frame.left)}" y="{_n(frame.top)}" '
        f'width="{_n(frame.width)}" height="{_n(frame.height)}"/></clipPath>'
        "</defs>"
    )


def _map_content(extract: MapExtract, frame: _Frame) -> list[str]:
    """Everything drawn inside the frame, bottom layer first."""
    return [
        f'<rect x="{_n(frame.left)}" y="{_n(frame.top)}" width="{_n(frame.width)}" '
        f'height="{_n(frame.height)}" fill="#fff"/>',
        *_raster_layer(extract, frame),
        *_zone_layer(extract, frame),
        # the roads' white right-of-way under the hatching: a servitude over a road (a parcel
        # 77 % burdened along an avenue) stays visible (issue #14)
        *_road_layer(extract, frame),
        *_servitude_layer(extract, frame),
        *_reservation_layer(extract, frame),
        *_setback_layer(extract, frame),
        *_zone_labels(extract, frame),
        *_road_labels(extract, frame),
        *_parcel_layer(extract, frame),
        _scale_bar(frame),
        _north_arrow(frame),
    ]


def render_map_svg(extract: MapExtract) -> str:
    """The map extract as a standalone SVG document printing at its own size (mm)."""
    frame = _Frame.of(extract.bbox)
    legend, legend_height = _legend(extract, frame)
    width = frame.right + EDGE_UNITS
    height = frame.bottom + legend_height
    content = "".join(item for item in _map_content(extract, frame) if item)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * UNIT_MM:.2f}mm" '
        f'height="{height * UNIT_MM:.2f}mm" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'class="map-extract" data-srid="{extract.srid}" '
        f'data-units-per-m="{frame.units_per_m:.6f}">'
        f"{_defs(frame)}"
        f'<g clip-path="url(#frame-clip)">{content}</g>'
        f"{''.join(_frame_and_grid(frame))}{legend}</svg>"
    )
