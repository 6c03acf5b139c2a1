"""Synthetic scans of a surveyor's coordinate table, for tests, benchmarks and the demo.

A table of bornes (Borne / X / Y) rendered with a real TrueType font, then degraded as a phone
photo or a cheap scan degrades it: rotation, perspective, blur, uneven light, speckle, JPEG.
Everything is drawn from one seed, so a scan is the same bytes on every machine with the same
fonts and Pillow.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: Debian's fonts-dejavu-core and fonts-liberation (scripts/system-deps.sh installs both).
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/liberation"))
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSansMono.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "DejaVuSansCondensed.ttf",
    "LiberationSansNarrow-Regular.ttf",
)

#: Near the demo commune (PA Ain Demo, EPSG:26191).
DEMO_CENTRE = (358_760.0, 366_620.0)

Point = tuple[str, float, float]


@dataclass(frozen=True)
class Degradation:
    """How badly a scan is taken: each field is the upper bound of a random draw."""

    name: str
    rotation_deg: tuple[float, float]
    blur: tuple[float, float]
    jpeg_quality: tuple[int, int]
    speckle: float  # share of pixels flipped to black or white
    perspective: float  # corner displacement, share of the page's size
    shading: float  # darkening towards one corner (uneven light)
    dpi: tuple[int, int]  # resolution of the photo of the A4 sheet


LEVELS = {
    "leger": Degradation("leger", (1.0, 1.5), (0.5, 0.8), (55, 60), 0.001, 0.01, 0.05, (140, 160)),
    "moyen": Degradation("moyen", (1.5, 2.5), (0.9, 1.3), (45, 55), 0.004, 0.02, 0.12, (120, 140)),
    "fort": Degradation("fort", (2.5, 3.0), (1.3, 1.8), (35, 45), 0.008, 0.035, 0.2, (105, 120)),
}


def fonts() -> list[Path]:
    """The TrueType fonts this machine has among those the scans use."""
    found = []
    for name in FONT_FILES:
        for folder in FONT_DIRS:
            if (folder / name).exists():
                found.append(folder / name)
                break
    if not found:
        raise FileNotFoundError(
            "no TrueType font: install fonts-dejavu-core (scripts/system-deps.sh)"
        )
    return found


def random_parcel(
    rng: random.Random, count: int = 20, centre: tuple[float, float] | None = None
) -> list[Point]:
    """A simple polygon of `count` bornes (star-shaped around a centre), to the centimetre."""
    cx, cy = centre or (
        DEMO_CENTRE[0] + rng.uniform(-400, 400),
        DEMO_CENTRE[1] + rng.uniform(-400, 400),
    )
    # spread the angles so that no two bornes are too close (a surveyor's bornes are metres apart)
    angles = [(i + 0.6 * rng.random()) * 2 * math.pi / count for i in range(count)]
    radius = rng.uniform(25, 70)
    points = []
    for number, angle in enumerate(angles, start=1):
        r = radius * rng.uniform(0.7, 1.0)
        x = round(cx + r * math.cos(angle), 2)
        y = round(cy + r * math.sin(angle), 2)
        points.append((f"B{number}", x, y))
    return points


@dataclass(frozen=True)
class TableStyle:
    """How the surveyor wrote the table."""

    font: Path
    points: float  # font size in typographic points
    decimal: str  # "," or "."
    thousands: str  # "" or " "
    label: str  # "B{n}", "{n}", "P{n}", "B {n}"
    header: tuple[str, str, str]
    grid: bool
    title: bool


HEADERS = (
    ("Borne", "X", "Y"),
    ("Borne", "X (m)", "Y (m)"),
    ("N°", "X", "Y"),
    ("Point", "X", "Y"),
    ("Bornes", "Coordonnée X", "Coordonnée Y"),
)


def random_style(rng: random.Random) -> TableStyle:
    """A plausible way of writing the table."""
    return TableStyle(
        font=rng.choice(fonts()),
        points=rng.uniform(10, 13),
        decimal=rng.choice([",", ",", "."]),
        thousands=rng.choice(["", " "]),
        label=rng.choice(["B{n}", "B{n}", "{n}", "P{n}", "S{n}"]),
        header=rng.choice(HEADERS),
        grid=rng.random() < 0.7,
        title=rng.random() < 0.8,
    )


def number_text(value: float, style: TableStyle) -> str:
    """366745.09 as the style writes it: 366 745,09, 366745.09, …"""
    whole, cents = f"{value:.2f}".split(".")
    if style.thousands and len(whole) > 3:
        whole = f"{whole[:-3]}{style.thousands}{whole[-3:]}"
    return f"{whole}{style.decimal}{cents}"


def render_table(points: Sequence[Point], style: TableStyle, *, dpi: int = 150) -> Image.Image:
    """The clean page: an A4 sheet at `dpi` with the title and the table."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    size = round(style.points * dpi / 72)
    font = ImageFont.truetype(str(style.font), size)
    top = int(0.08 * height)
    if style.title:
        title = ImageFont.truetype(str(style.font), size + 4)
        draw.text((int(0.1 * width), top), "Tableau des coordonnées Lambert", font=title, fill=0)
        top += 2 * size
        draw.text((int(0.1 * width), top), "Système : Lambert Nord Maroc", font=font, fill=40)
        top += 2 * size
    rows = [style.header] + [
        (name, number_text(x, style), number_text(y, style)) for name, x, y in points
    ]
    row_h = int(size * 1.7)
    widths = [int(max(draw.textlength(r[i], font=font) for r in rows)) + 2 * size for i in range(3)]
    left = int(0.12 * width)
    edges = [left, left + widths[0], left + widths[0] + widths[1], left + sum(widths)]
    for index, row in enumerate(rows):
        y = top + index * row_h
        for column, cell in enumerate(row):
            cell_w = draw.textlength(cell, font=font)
            x = edges[column + 1] - size - cell_w if column else edges[column] + size
            draw.text((x, y + (row_h - size) // 2 - 2), cell, font=font, fill=0)
    bottom = top + len(rows) * row_h
    if style.grid:
        for index in range(len(rows) + 1):
            y = top + index * row_h
            draw.line([(edges[0], y), (edges[-1], y)], fill=0, width=2 if index in (0, 1) else 1)
        for x in edges:
            draw.line([(x, top), (x, bottom)], fill=0, width=2)
    return page


def degrade(page: Image.Image, level: Degradation, rng: random.Random) -> Image.Image:
    """The page as photographed: perspective, rotation, shading, blur, speckle (in grey)."""
    image = _perspective(page, level.perspective * rng.random(), rng)
    angle = rng.uniform(*level.rotation_deg) * rng.choice([-1, 1])
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * _shading(pixels.shape, level.shading * rng.random(), rng)
    pixels = pixels * 0.85 + 25  # paper is never white, ink never black
    noise = np.random.default_rng(rng.randrange(2**32))
    pixels += noise.normal(0, 6, pixels.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(*level.blur)))
    pixels = np.asarray(image).copy()
    flips = noise.random(pixels.shape)
    pixels[flips < level.speckle / 2] = 20
    pixels[flips > 1 - level.speckle / 2] = 250
    return Image.fromarray(pixels)


def _perspective(page: Image.Image, amount: float, rng: random.Random) -> Image.Image:
    """The sheet seen slightly from the side: each corner moved by up to `amount`."""
    width, height = page.size
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    moved = [
        (x + rng.uniform(-amount, amount) * width, y + rng.uniform(-amount, amount) * height)
        for x, y in corners
    ]
    coefficients = _perspective_coefficients(corners, moved)
    return page.transform(
        page.size,
        Image.Transform.PERSPECTIVE,
        coefficients,
        resample=Image.Resampling.BICUBIC,
        fillcolor=235,
    )


def _perspective_coefficients(
    target: Sequence[tuple[float, float]], source: Sequence[tuple[float, float]]
) -> tuple[float, ...]:
    """Pillow's eight coefficients mapping output pixels (`target`) to input pixels (`source`)."""
    matrix = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(matrix), np.array(source).reshape(8))
    return tuple(float(c) for c in solution)


def _shading(shape: tuple[int, ...], amount: float, rng: random.Random) -> np.ndarray:
    """A factor darkening the image towards a random corner (a lamp on one side)."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    fx, fy = rng.choice([(xs / width, ys / height), (1 - xs / width, ys / height)])
    return np.asarray(1 - amount * (fx + fy) / 2, dtype=np.float32)


def jpeg_bytes(image: Image.Image, quality: int) -> bytes:
    """The image as a JPEG file at this quality."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@dataclass(frozen=True)
class Scan:
    """A generated scan and the truth it was drawn from."""

    points: list[Point]
    style: TableStyle
    level: str
    data: bytes


def make_scan(
    seed: int, level: str = "moyen", *, count: int = 20, points: Sequence[Point] | None = None
) -> Scan:
    """One degraded JPEG scan of a random (or given) table, drawn from `seed`."""
    rng = random.Random(seed)
    style = random_style(rng)
    drawn = list(points) if points is not None else random_parcel(rng, count)
    truth = [(style.label.format(n=n), x, y) for n, (_, x, y) in enumerate(drawn, start=1)]
    degradation = LEVELS[level]
    image = degrade(render_table(truth, style, dpi=rng.randint(*degradation.dpi)), degradation, rng)
    data = jpeg_bytes(image, rng.randint(*degradation.jpeg_quality))
    return Scan(points=truth, style=style, level=level, data=data)
