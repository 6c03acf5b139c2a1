"""Realistic parcel outlines (urban lots, agricultural strips, L shapes, …) for the shape checks.

Each outline is in metres around (0, 0); `placed` turns, moves it into the demo plan (around
X 358 000-360 000, Y 366 000-368 000) and rounds it to the centimetre, as a surveyor's list.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

Outline = list[tuple[float, float]]


def rectangle(width: float, height: float) -> Outline:
    """A plain lot, or a strip when one side is much longer."""
    return [(0, 0), (width, 0), (width, height), (0, height)]


def parallelogram(width: float, length: float, cut_deg: float) -> Outline:
    """A strip whose ends are cut obliquely (an agricultural lanière along a slanted road)."""
    shift = width / math.tan(math.radians(cut_deg))
    return [(0, 0), (length, 0), (length + shift, width), (shift, width)]


def trapezoid(bottom: float, top: float, height: float, offset: float) -> Outline:
    """A lot with one or two oblique sides."""
    return [(0, 0), (bottom, 0), (offset + top, height), (offset, height)]


def triangle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> Outline:
    """A triangular lot (at a junction)."""
    return [a, b, c]


def wedge(length: float, apex_deg: float) -> Outline:
    """A lot between two roads meeting at `apex_deg`, closed by a rear side."""
    half = length * math.tan(math.radians(apex_deg / 2))
    return [(0, 0), (length, -half), (length, half)]


def l_shape(long_arm: float, short_arm: float, width: float) -> Outline:
    """An L of two arms of the same width."""
    return [
        (0, 0),
        (long_arm, 0),
        (long_arm, width),
        (width, width),
        (width, short_arm),
        (0, short_arm),
    ]


def t_shape(bar: float, stem: float, width: float) -> Outline:
    """A T: a bar and a stem from its middle."""
    left, right = (bar - width) / 2, (bar + width) / 2
    return [
        (0, stem),
        (left, stem),
        (left, 0),
        (right, 0),
        (right, stem),
        (bar, stem),
        (bar, stem + width),
        (0, stem + width),
    ]


def u_shape(width: float, depth: float, arm: float) -> Outline:
    """A U around a courtyard (or a neighbour's lot)."""
    return [
        (0, 0),
        (width, 0),
        (width, depth),
        (width - arm, depth),
        (width - arm, arm),
        (arm, arm),
        (arm, depth),
        (0, depth),
    ]


def flag_lot(corridor: float, corridor_length: float, size: float) -> Outline:
    """A rear lot reached by a narrow access strip (lot en drapeau)."""
    return [
        (0, 0),
        (corridor, 0),
        (corridor, corridor_length),
        (size, corridor_length),
        (size, corridor_length + size),
        (0, corridor_length + size),
    ]


def cut_corner(width: float, height: float, cut: float) -> Outline:
    """A corner lot with its corner cut at 45° (pan coupé)."""
    return [(0, 0), (width - cut, 0), (width, cut), (width, height), (0, height)]


def curved_front(radius: float, depth: float, step: float) -> Outline:
    """A lot on a bend: a quarter circle digitised every `step` metres, then straight sides."""
    count = max(2, round(radius * math.pi / 2 / step))
    arc = [
        (radius * math.cos(t), radius * math.sin(t))
        for t in (math.pi / 2 * i / count for i in range(count + 1))
    ]
    return [*arc, (0, radius + depth), (-depth, radius + depth), (-depth, 0)][::-1]


def surveyed_sides(width: float, height: float, wobble: float) -> Outline:
    """A lot with intermediate bornes along its sides, a few decimetres off the straight line."""
    return [
        (0, 0),
        (width / 2, -wobble),
        (width, 0),
        (width + wobble, height / 3),
        (width, height),
        (width / 2, height + wobble),
        (0, height),
        (-wobble, height / 2),
    ]


def stepped(width: float, height: float, step: float) -> Outline:
    """A lot with a small jog (décrochement) in its rear side."""
    return [
        (0, 0),
        (width, 0),
        (width, height),
        (width / 2, height),
        (width / 2, height - step),
        (0, height - step),
    ]


def irregular(seed: int, sides: int, radius: float) -> Outline:
    """A convex field of `sides` bornes, its corners between 60° and 150° or so."""
    rng = random.Random(seed)
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(sides))
    spaced = [2 * math.pi * i / sides + (a - math.pi) / sides for i, a in enumerate(angles)]
    return [
        (radius * rng.uniform(0.8, 1.2) * math.cos(t), radius * rng.uniform(0.8, 1.2) * math.sin(t))
        for t in spaced
    ]


REALISTIC: dict[str, Outline] = {
    "lot 10 × 10 m": rectangle(10, 10),
    "lot 12 × 25 m": rectangle(12, 25),
    "lot 15 × 30 m": rectangle(15, 30),
    "lot 20 × 40 m": rectangle(20, 40),
    "villa 30 × 60 m": rectangle(30, 60),
    "ferme 250 × 400 m": rectangle(250, 400),
    "lanière 8 × 500 m": rectangle(8, 500),
    "lanière 5 × 800 m": rectangle(5, 800),
    "bande 10 × 200 m": rectangle(10, 200),
    "lanière biaise à 30°": parallelogram(8, 300, 30),
    "lanière biaise à 60°": parallelogram(12, 150, 60),
    "trapèze": trapezoid(30, 20, 25, 4),
    "trapèze à 35°": trapezoid(40, 10, 20, 1),
    "trapèze rectangle à 30°": trapezoid(60, 25, 20, 0),
    "trapèze rectangle à 20°, 15 m": trapezoid(60, 19, 15, 0),
    "triangle": triangle((0, 0), (40, 0), (20, 30)),
    "triangle rectangle 30 × 60": triangle((0, 0), (60, 0), (0, 30)),
    "pointe à 20°": wedge(60, 20),
    "pointe à 25°, 150 m": wedge(150, 25),
    "L 60 × 40, bras de 10": l_shape(60, 40, 10),
    "L agricole 200 × 50, bras de 10": l_shape(200, 50, 10),
    "T": t_shape(40, 30, 12),
    "U": u_shape(40, 30, 10),
    "lot en drapeau": flag_lot(3, 40, 20),
    "pan coupé": cut_corner(30, 30, 4),
    "façade courbe (pas de 2 m)": curved_front(30, 20, 2),
    "bornes intermédiaires": surveyed_sides(25, 40, 0.3),
    "décrochement": stepped(20, 30, 1.5),
    "champ à 7 bornes": irregular(7, 7, 80),
    "champ à 12 bornes": irregular(12, 12, 150),
}


def placed(outline: Sequence[tuple[float, float]], seed: int) -> Outline:
    """The outline turned and moved into the demo plan at random, to the centimetre; one seed in
    four keeps it square with the Lambert axes (a subdivision's lots often are), turned by a
    multiple of 90°."""
    rng = random.Random(seed)
    turn = rng.uniform(0, 2 * math.pi) if seed % 4 else math.pi / 2 * (seed // 4 % 4)
    x0, y0 = rng.uniform(358_200, 359_600), rng.uniform(366_200, 367_400)
    cos, sin = math.cos(turn), math.sin(turn)
    return [
        (round(x0 + x * cos - y * sin, 2), round(y0 + x * sin + y * cos, 2)) for x, y in outline
    ]


def coordinate_list(points: Sequence[tuple[float, float]]) -> str:
    """`B1;358700,00;366600,00` lines, as a surveyor's list."""
    return "".join(
        f"B{n};{x:.2f};{y:.2f}\n".replace(".", ",") for n, (x, y) in enumerate(points, start=1)
    )
