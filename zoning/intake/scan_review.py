"""Which readings of a scanned table are not sure: every signal that a cell may be misread.

A misread point must never come back as sure, so a point is uncertain when any of these holds:
- a character of its cells was read with a confidence under CHAR_CONFIDENCE, or was a letter
  taken for a digit;
- its number has another count of whole digits or of decimals than most of its column;
- its value lies far from the others (a misread leading digit puts a borne kilometres away);
- the outline spikes at it (both its sides much longer than the parcel's other sides, or its
  two sides nearly folded back on each other): a misread ten- or hundred-metre digit;
- its borne's name breaks the table's sequence (B1, B2, …), is missing or repeated;
- the intake's own diagnostics name it (self-intersection, duplicate point, closure).
Digits misread without any of these (a centimetre digit read with full confidence) cannot be
caught; the confidence threshold is set from the benchmark so that none was seen.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from zoning.intake.scan_table import Cell, Row

#: Below this, a character's reading is not sure (bench/bench_scan.py: misread characters of
#: the generated scans scored under it, and about 1 correct point in 20 does).
CHAR_CONFIDENCE = 0.8
#: A value further than this from its column's median is not the same parcel's (metres).
FAR_M = 2_000.0
#: A side this many times the parcel's median side, on both sides of a borne, is a spike.
SPIKE_RATIO = 3.0
#: A turn sharper than this (degrees between the two sides) is a fold-back.
FOLD_DEG = 12.0

_LABEL_PARTS = re.compile(r"^([A-Za-z]*)[-.]?(\d+)([A-Za-z]?'?)$")


@dataclass
class Review:
    """A row's reading and why it is not sure (per cell: « borne », « x », « y »)."""

    row: Row
    borne: str
    reasons: dict[str, list[str]] = field(default_factory=dict)

    def flag(self, cell: str, reason: str) -> None:
        """Record that `cell` is not sure, and why."""
        self.reasons.setdefault(cell, [])
        if reason not in self.reasons[cell]:
            self.reasons[cell].append(reason)

    @property
    def uncertain(self) -> bool:
        """True when any cell of the point is not sure."""
        return bool(self.reasons)


#: A page where this share of the points is in doubt, or this many lines went unread, is
#: read badly as a whole: its other points are not trusted either.
BAD_PAGE_SHARE = 0.25
BAD_PAGE_UNREAD = 2


def review_rows(rows: Sequence[Row], *, exact: bool = False, unread: int = 0) -> list[Review]:
    """Every row with its borne name settled and its doubts listed (text of a PDF: `exact`)."""
    reviews = [Review(row, row.label.text if row.label else "") for row in rows]
    if not exact:
        for review in reviews:
            _characters(review)
        _formats(reviews)
    _far_values(reviews)
    _labels(reviews)
    _outline(reviews)
    if not exact:
        _bad_page(reviews, unread)
    return reviews


def _bad_page(reviews: Sequence[Review], unread: int) -> None:
    """Every point in doubt when the reading of the page as a whole is poor (the benchmark's
    misreads that no other signal caught were all on such pages)."""
    doubtful = sum(r.uncertain for r in reviews)
    if reviews and (doubtful > BAD_PAGE_SHARE * len(reviews) or unread >= BAD_PAGE_UNREAD):
        for review in reviews:
            _flag_xy(review, "lecture d'ensemble du tableau peu fiable")


def _characters(review: Review) -> None:
    """Weak characters and letters read as digits."""
    for name, cell in (("x", review.row.x), ("y", review.row.y)):
        if cell.lookalikes:
            review.flag(name, "une lettre lue comme un chiffre")
        if cell.confidence < CHAR_CONFIDENCE:
            review.flag(name, f"lecture peu sûre ({cell.confidence:.0%})")


def _formats(reviews: Sequence[Review]) -> None:
    """Counts of digits unlike the rest of the column (a digit dropped or doubled)."""
    for name in ("x", "y"):
        cells: list[Cell] = [getattr(r.row, name) for r in reviews]
        if len(cells) < 3:
            continue
        whole = Counter(c.whole_digits for c in cells).most_common(1)[0][0]
        decimals = Counter(c.decimals for c in cells).most_common(1)[0][0]
        for review, cell in zip(reviews, cells, strict=True):
            if cell.whole_digits != whole:
                review.flag(
                    name, f"{cell.whole_digits} chiffres avant la virgule, {whole} ailleurs"
                )
            if cell.decimals != decimals:
                review.flag(name, f"{cell.decimals} décimales, {decimals} ailleurs")


def _far_values(reviews: Sequence[Review]) -> None:
    """Values kilometres away from the column's median."""
    for name in ("x", "y"):
        values = [getattr(r.row, name).value for r in reviews]
        if len(values) < 3:
            continue
        middle = statistics.median(values)
        for review, value in zip(reviews, values, strict=True):
            if abs(value - middle) > FAR_M:
                review.flag(name, "valeur très éloignée des autres bornes")


#: Digits OCR writes for a borne's letter (« B1 » read « 81 ») and letters for its digits.
DIGIT_LETTERS = {"8": "B", "5": "S", "6": "G", "0": "O", "1": "I", "2": "Z", "9": "P"}
TAIL_DIGITS = {
    "O": "0",
    "o": "0",
    "I": "1",
    "l": "1",
    "i": "1",
    "|": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "g": "9",
    "q": "9",
    "f": "1",
    "t": "1",
}


def _labels(reviews: list[Review]) -> None:
    """Borne names checked against the table's sequence (B1, B2, …). A name that breaks it is
    replaced by the one its neighbours imply, when they agree, and flagged either way."""
    prefix, numbers = _label_numbers([r.borne for r in reviews])
    if prefix is None:
        _unnamed(reviews)
        return
    expected = _expected_numbers(numbers)
    finals = [f"{prefix}{n}" if n is not None else None for n in expected]
    seen = Counter(f for f in finals if f)
    for index, review in enumerate(reviews):
        read, final = review.borne, finals[index]
        fits = numbers[index] is not None and numbers[index] == expected[index]
        if fits and final is not None and seen[final] == 1:
            review.borne = final
            continue
        if final is not None and seen[final] == 1:
            reason = f"« {read} » rompt la suite des bornes" if read else "nom de borne non lu"
            review.flag("borne", reason)
            review.borne = final
        elif not read or (final is not None and seen[final] > 1):
            review.flag("borne", "nom de borne non lu" if not read else "nom de borne répété")
            review.borne = read or f"n° {index + 1}"
        else:
            review.flag("borne", "nom de borne hors de la suite")
    _unique_names(reviews)


def _label_numbers(labels: Sequence[str]) -> tuple[str | None, list[int | None]]:
    """The table's prefix (« B », « P », « ») and each name's number under it, read the way
    that makes the longest sequence (« 81, 82 » may be « B1, B2 » in some fonts)."""
    strict = [_LABEL_PARTS.match(label) for label in labels]
    prefixes = Counter(m[1].upper() for m in strict if m)
    if not prefixes:
        return None, [None] * len(labels)
    prefix = prefixes.most_common(1)[0][0]
    options = [(prefix, [_number_under(label, prefix) for label in labels])]
    if prefix == "":
        firsts = Counter(label[0] for label in labels if len(label) >= 2 and label[0].isdigit())
        if firsts:
            digit = firsts.most_common(1)[0][0]
            letter = DIGIT_LETTERS.get(digit)
            if letter:
                options.append((letter, [_number_under(label, letter, digit) for label in labels]))
    return max(options, key=lambda option: _sequence_fit(option[1]))


def _number_under(label: str, prefix: str, digit: str | None = None) -> int | None:
    """The number of a name under the table's prefix, its letters read back as digits."""
    if digit is not None and label.startswith(digit) and len(label) >= 2:
        tail = label[1:]
    elif prefix and len(label) >= 2 and DIGIT_LETTERS.get(label[0]) == prefix:
        tail = label[1:]  # « 85 » in a table of « B… »
    elif label.upper().startswith(prefix) and len(label) > len(prefix):
        tail = label[len(prefix) :]
    else:
        return None
    tail = "".join(TAIL_DIGITS.get(c, c) for c in tail.lstrip("-.")).rstrip("'")
    return int(tail) if tail.isdigit() and len(tail) <= 4 else None


def _sequence_fit(numbers: Sequence[int | None]) -> tuple[int, int]:
    """How many names follow their predecessor (n, n + 1), then how little the others jump."""
    known = [n for n in numbers if n is not None]
    steps = list(pairwise(known))
    return (sum(1 for a, b in steps if b == a + 1), -sum(abs(b - a - 1) for a, b in steps))


def _unique_names(reviews: Sequence[Review]) -> None:
    """Two points never share a name (the intake keys its findings on names)."""
    seen: Counter[str] = Counter()
    for review in reviews:
        seen[review.borne] += 1
        if seen[review.borne] > 1:
            review.flag("borne", "nom de borne répété")
            review.borne = f"{review.borne} ({seen[review.borne]})"


def _expected_numbers(numbers: Sequence[int | None]) -> list[int | None]:
    """Each row's number as its neighbours imply it (previous + 1 or next - 1), when they do."""
    expected: list[int | None] = []
    for index, number in enumerate(numbers):
        before = numbers[index - 1] if index > 0 else None
        after = numbers[index + 1] if index + 1 < len(numbers) else None
        guesses = {g for g in (before + 1 if before else None, after - 1 if after else None) if g}
        if number is not None and number in guesses:
            expected.append(number)
        elif len(guesses) == 1:
            expected.append(guesses.pop())
        else:
            expected.append(number if not guesses else None)
    return expected


def _unnamed(reviews: Sequence[Review]) -> None:
    """A table without borne names: the points are named by their rank."""
    for index, review in enumerate(reviews, start=1):
        if review.borne:
            review.flag("borne", "nom de borne illisible")
        review.borne = f"n° {index}"
    _unique_names(reviews)


def _outline(reviews: Sequence[Review]) -> None:
    """Spikes and fold-backs of the outline, at the borne where they happen."""
    count = len(reviews)
    if count < 4:
        return
    points = [(r.row.x.value or 0.0, r.row.y.value or 0.0) for r in reviews]
    sides = [math.dist(points[i], points[(i + 1) % count]) for i in range(count)]
    typical = statistics.median(sides)
    for index, review in enumerate(reviews):
        before, after = sides[index - 1], sides[index]
        if typical > 0 and min(before, after) > SPIKE_RATIO * typical:
            _flag_xy(review, "pointe du contour à cette borne (côtés anormalement longs)")
        if _turn(points[index - 1], points[index], points[(index + 1) % count]) < FOLD_DEG:
            _flag_xy(review, "le contour revient sur lui-même à cette borne")


def _turn(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    """The angle at b between its sides to a and to c, in degrees (180 when straight)."""
    ab = (a[0] - b[0], a[1] - b[1])
    cb = (c[0] - b[0], c[1] - b[1])
    norms = math.hypot(*ab) * math.hypot(*cb)
    if norms == 0:
        return 0.0
    cosine = max(-1.0, min(1.0, (ab[0] * cb[0] + ab[1] * cb[1]) / norms))
    return math.degrees(math.acos(cosine))


def _flag_xy(review: Review, reason: str) -> None:
    """A doubt on the point's place, not on one of its coordinates."""
    review.flag("x", reason)
    review.flag("y", reason)


def flag_bornes(reviews: Sequence[Review], names: Sequence[str], reason: str) -> None:
    """Doubts from the intake's diagnostics, on the bornes they name."""
    wanted = set(names)
    for review in reviews:
        if review.borne in wanted:
            _flag_xy(review, reason)
