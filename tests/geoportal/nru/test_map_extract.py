"""The map extract's SVG: window, clipping, scale bar, bornes, frame coordinates, raster."""

from __future__ import annotations

import base64
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from geoportal.nru.map_extract import (
    EDGE_UNITS,
    NICE_LENGTHS,
    RESERVATION_BLUE,
    MapExtract,
    encode_png,
    nice_length,
    read_raster_window,
    render_map_svg,
    scale_label,
    tick_interval,
    window_around,
)
from tests.geoportal.nru.sample import BORNES, DEMO_RASTER, PARCEL, SRID, sample_extract

SVG_NS = "{http://www.w3.org/2000/svg}"
NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")


def _parse(svg: str) -> ET.Element:
    """The SVG's root element."""
    return ET.fromstring(svg)


def _texts(root: ET.Element, css_class: str) -> list[ET.Element]:
    """The <text> elements of a class."""
    return [t for t in root.iter(f"{SVG_NS}text") if t.get("class") == css_class]


def _map_group(root: ET.Element) -> ET.Element:
    """The group clipped to the frame: everything drawn from the data."""
    group = root.find(f"{SVG_NS}g[@clip-path='url(#frame-clip)']")
    assert group is not None
    return group


def _png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_window_around_a_small_parcel_is_square_at_1_1000() -> None:
    minx, miny, maxx, maxy = window_around(PARCEL)
    assert maxx - minx == pytest.approx(150.0)  # 150 mm frame at 1/1000
    assert maxy - miny == pytest.approx(maxx - minx)
    assert box(minx, miny, maxx, maxy).contains(PARCEL.buffer(0.35 * 58 - 1))
    assert (minx + maxx) / 2 == pytest.approx(PARCEL.bounds[0] / 2 + PARCEL.bounds[2] / 2, abs=1)


def test_window_around_a_large_parcel_snaps_to_the_next_round_scale() -> None:
    large = box(358000, 366000, 358400, 366250)  # 400 m wide: 680 m with the margins
    minx, miny, maxx, maxy = window_around(large)
    assert maxx - minx == pytest.approx(750.0)  # 1/5000
    assert box(minx, miny, maxx, maxy).contains(large)
    extract = MapExtract(bbox=(minx, miny, maxx, maxy), srid=SRID, parcel=large)
    assert scale_label(extract) == "1/5000"


def test_window_around_honours_min_size_and_margin() -> None:
    tiny = box(358000, 366000, 358002, 366002)
    minx, _, maxx, _ = window_around(tiny, margin_ratio=0.35, min_size_m=300)
    assert maxx - minx == pytest.approx(300.0)  # 1/2000


def test_scale_of_a_window_that_is_not_round_is_approximate() -> None:
    extract = MapExtract(bbox=(358000, 366000, 358123, 366123), srid=SRID, parcel=PARCEL)
    assert scale_label(extract) == "≈ 1/820"


def test_nice_lengths_and_tick_intervals() -> None:
    assert nice_length(60) == 50
    assert nice_length(0.4 * 750) == 250
    assert nice_length(0.1) == 1
    assert tick_interval(150) == 25
    assert tick_interval(750) == 200


def test_scale_bar_has_a_round_length_drawn_to_scale() -> None:
    root = _parse(render_map_svg(sample_extract()))
    bar = root.find(f".//{SVG_NS}g[@id='scale-bar']")
    assert bar is not None
    length_m = float(bar.get("data-length-m", "nan"))
    assert length_m == 50.0 and length_m in NICE_LENGTHS
    units_per_m = float(root.get("data-units-per-m", "nan"))
    assert units_per_m == pytest.approx(4.0)  # 600 units over 150 m
    segments = [r for r in bar.iter(f"{SVG_NS}rect") if r.get("height") == "5"]
    assert len(segments) == 4
    drawn = sum(float(r.get("width", "nan")) for r in segments)
    assert drawn == pytest.approx(length_m * units_per_m, abs=0.3)
    assert "50 m" in [t.text for t in bar.iter(f"{SVG_NS}text")]


def test_bornes_are_drawn_with_their_ids_where_they_lie() -> None:
    extract = sample_extract()
    root = _parse(render_map_svg(extract))
    ids = [t.text or "" for t in _texts(root, "borne-id")]
    assert sorted(ids) == sorted([b[0] for b in BORNES] * 2)  # each id and its halo
    units_per_m = float(root.get("data-units-per-m", "nan"))
    minx, _, _, maxy = extract.bbox
    dots = {
        (float(c.get("cx", "nan")), float(c.get("cy", "nan")))
        for c in _map_group(root).iter(f"{SVG_NS}circle")
        if c.get("r") == "3.2"
    }
    for _, x, y in BORNES:  # the y axis is flipped: north is up
        expected = (EDGE_UNITS + (x - minx) * units_per_m, EDGE_UNITS + (maxy - y) * units_per_m)
        assert any(
            abs(d[0] - expected[0]) <= 0.05 and abs(d[1] - expected[1]) <= 0.05 for d in dots
        )


def test_frame_carries_lambert_coordinates_on_round_ticks() -> None:
    extract = sample_extract()
    root = _parse(render_map_svg(extract))
    labels = [t.text or "" for t in _texts(root, "frame-coordinate")]
    minx, miny, maxx, maxy = extract.bbox
    xs = [int(v.removeprefix("X = ").replace(" ", "")) for v in labels if v.startswith("X = ")]
    ys = [int(v.removeprefix("Y = ").replace(" ", "")) for v in labels if v.startswith("Y = ")]
    assert "X = 358 000" in labels and "Y = 366 000" in labels
    assert labels.count("X = 358 000") == 2  # top and bottom edges
    assert labels.count("Y = 366 000") == 2  # left and right edges
    assert xs and all(v % 25 == 0 and minx < v < maxx for v in xs)
    assert ys and all(v % 25 == 0 and miny < v < maxy for v in ys)


def test_raster_is_a_windowed_png_only_when_given() -> None:
    without = render_map_svg(sample_extract())
    assert "<image" not in without
    root = _parse(render_map_svg(sample_extract(raster=DEMO_RASTER)))
    images = list(root.iter(f"{SVG_NS}image"))
    assert len(images) == 1
    href = images[0].get("href", "")
    assert href.startswith("data:image/png;base64,")
    width, height = _png_size(base64.b64decode(href.removeprefix("data:image/png;base64,")))
    assert (width, height) in {(75, 75), (75, 76), (76, 75), (76, 76)}  # 150 m at 2 m pixels


def test_zones_are_filled_from_vectors_only_without_raster() -> None:
    def zone_fills(svg: str) -> int:
        group = _map_group(_parse(svg))
        return sum(1 for p in group.iter(f"{SVG_NS}path") if p.get("fill") == "#ffd34d")

    assert zone_fills(render_map_svg(sample_extract())) == 1
    assert zone_fills(render_map_svg(sample_extract(raster=DEMO_RASTER))) == 0


def test_layers_are_styled_and_labelled() -> None:
    svg = render_map_svg(sample_extract())
    root = _parse(svg)
    group = _map_group(root)
    paths = list(group.iter(f"{SVG_NS}path"))
    assert root.find(f".//{SVG_NS}pattern[@id='servitude-hatch']") is not None
    assert any(p.get("fill") == "url(#servitude-hatch)" for p in paths)
    assert any(p.get("stroke") == RESERVATION_BLUE for p in paths)
    assert any(p.get("fill") == "#ffffff" and p.get("stroke") == "#6b6b6b" for p in paths)
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "V12 — 20 m" in texts
    assert "EP" in texts
    assert root.find(f".//{SVG_NS}g[@id='north-arrow']") is not None


def test_legend_lists_the_zones_present_and_the_hatch() -> None:
    far_zone = ("ZT", "Zone touristique", "#e67fb2", box(359000, 367000, 359100, 367100))
    base = sample_extract()
    extract = MapExtract(
        bbox=base.bbox,
        srid=SRID,
        parcel=base.parcel,
        zones=[*base.zones, far_zone],
        servitudes=base.servitudes,
    )
    legend = _parse(render_map_svg(extract)).find(f".//{SVG_NS}g[@id='legend']")
    assert legend is not None
    texts = [t.text or "" for t in legend.iter(f"{SVG_NS}text")]
    assert any(t.startswith("C — ") for t in texts)
    assert any(t.startswith("D1 — ") for t in texts)
    assert not any(t.startswith("ZT") for t in texts)  # outside the window
    assert any("servitude" in t for t in texts)


def test_geometry_is_clipped_to_the_frame_and_rounded() -> None:
    extract = sample_extract()
    root = _parse(render_map_svg(extract))
    frame = root.find(f"{SVG_NS}defs/{SVG_NS}clipPath/{SVG_NS}rect")
    assert frame is not None
    left, top = float(frame.get("x", "nan")), float(frame.get("y", "nan"))
    right, bottom = left + float(frame.get("width", "nan")), top + float(frame.get("height", "nan"))
    data = " ".join(
        p.get("d", "") for p in _map_group(root).iter(f"{SVG_NS}path") if p.get("fill-rule")
    )
    numbers = NUMBER_RE.findall(data)
    assert numbers  # zones, road, servitude, reservation and parcel were drawn
    assert all(len(n.partition(".")[2]) <= 1 for n in numbers)  # 0.1 unit
    values = [float(n) for n in numbers]
    xs, ys = values[0::2], values[1::2]
    assert min(xs) >= left - 0.05 and max(xs) <= right + 0.05
    assert min(ys) >= top - 0.05 and max(ys) <= bottom + 0.05


def test_read_raster_window_reads_only_the_window() -> None:
    bbox = (357950.0, 365950.0, 358050.0, 366050.0)
    found = read_raster_window(DEMO_RASTER, bbox, SRID)
    assert found is not None
    pixels, bounds = found
    assert pixels.shape == (50, 50, 3)
    assert bounds == pytest.approx(bbox, abs=2.0)


def test_read_raster_window_outside_or_in_another_srid() -> None:
    assert read_raster_window(DEMO_RASTER, (100.0, 100.0, 200.0, 200.0), SRID) is None
    with pytest.raises(ValueError, match="EPSG:26192"):
        read_raster_window(DEMO_RASTER, (357950.0, 365950.0, 358050.0, 366050.0), 26192)


def test_encode_png_round_trips(tmp_path: Path) -> None:
    pixels = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    data = encode_png(pixels)
    assert _png_size(data) == (5, 4)
    idat_length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT"
    raw = zlib.decompress(data[41 : 41 + idat_length])
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(4, 1 + 5 * 3)
    assert (rows[:, 0] == 0).all()
    assert (rows[:, 1:].reshape(4, 5, 3) == pixels).all()
    crc = struct.unpack(">I", data[41 + idat_length : 45 + idat_length])[0]
    assert crc == zlib.crc32(data[37 : 41 + idat_length]) & 0xFFFFFFFF
