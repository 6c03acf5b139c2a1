"""From OCR tokens (or a PDF's text lines) to the rows of a coordinate table: borne, X, Y.

Rows: tokens are chained left to right, each one joining the row whose last token, prolonged
along its own slope, passes through it (so a rotated or photographed table keeps its rows).
Cells: inside a row, words are numbers or a borne's name. A number may be written with
thousands separated by spaces (`366 745,09`), dots or nothing, and a decimal comma or point;
the OCR may have split it in two boxes or joined it to its neighbour. Every way of cutting the
row's words into a name and two numbers is tried and the most plausible kept: two numbers of
five to seven whole digits (Lambert metres), as few joins across boxes as possible.
Columns: the header (Borne / X / Y, N° / E / N, …) says which number is X; without one, the
first is X.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from zoning.intake.scan_ocr import Token

#: What OCR writes for a digit in a number (letters the shapes share); such a character keeps
#: at most this confidence, so that the reading is checked.
LOOKALIKES = {
    "O": "0",
    "o": "0",
    "D": "0",
    "Q": "0",
    "l": "1",
    "I": "1",
    "i": "1",
    "|": "1",
    "!": "1",
    "Z": "2",
    "z": "2",
    "S": "5",
    "s": "5",
    "B": "8",
    "G": "6",
    "b": "6",
    "g": "9",
    "q": "9",
    "T": "7",
}
LOOKALIKE_CONFIDENCE = 0.5
SEPARATORS = {" ", "\u00a0", "\u202f", ".", ",", "'"}
_LABEL = re.compile(r"^(?:[A-Za-z]{1,3}[-.]?)?\d{1,4}[A-Za-z]?'?$")
_DIGITS = re.compile(r"\d")
#: Header words naming the columns (lower case, accents kept and dropped).
X_LETTERS = {"x", "x(m)", "easting", "coordonnéex", "coordonneex", "x=", "xm"}
Y_LETTERS = {"y", "y(m)", "northing", "coordonnéey", "coordonneey", "y=", "ym"}
#: « E » and « N » name the columns only in a header without X and Y (« N° E N ») ...
X_WORDS = X_LETTERS | {"e", "est"}
Y_WORDS = Y_LETTERS | {"n", "nord"}
#: Header words naming the borne's column; a first « N » is « N° » whose « ° » the OCR dropped
#: (« N X Y »), not the northing.
LABEL_WORDS = {
    "borne",
    "bornes",
    "n°",
    "nº",
    "n",
    "no",
    "point",
    "points",
    "pt",
    "sommet",
    "b",
    "num",
}


@dataclass(frozen=True)
class Word:
    """A whitespace-separated piece of a token, with its characters' confidences."""

    text: str
    confidences: tuple[float, ...]
    box: int  # index of the token it came from
    left: float
    right: float


@dataclass(frozen=True)
class Cell:
    """A cell as read: its text, its value when a number, its characters' confidences."""

    text: str
    confidences: tuple[float, ...]
    value: float | None = None
    whole_digits: int = 0
    decimals: int = 0
    joined_boxes: int = 0  # OCR boxes glued together to make it
    lookalikes: int = 0  # letters read as digits
    left: float = 0.0
    right: float = 0.0

    @property
    def confidence(self) -> float:
        """The weakest character's confidence (0 for an empty cell)."""
        return min(self.confidences, default=0.0)


@dataclass(frozen=True)
class Row:
    """One line of the table that holds two coordinates."""

    number: int  # 1-based, in reading order among the table's lines
    page: int
    label: Cell | None
    x: Cell
    y: Cell
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Table:
    """The rows of coordinates found, and the lines that looked like rows but were not read."""

    rows: tuple[Row, ...]
    unread: tuple[str, ...] = ()
    header: bool = False


def group_rows(tokens: Sequence[Token]) -> list[list[Token]]:
    """Tokens chained into lines, each sorted left to right."""
    if not tokens:
        return []
    heights = sorted(t.height for t in tokens)
    height = heights[len(heights) // 2]
    slopes = sorted(t.angle for t in tokens if t.right - t.left > 2 * t.height)
    slope = slopes[len(slopes) // 2] if slopes else 0.0
    rows: list[list[Token]] = []
    for token in sorted(tokens, key=lambda t: t.left):
        cx, cy = token.centre
        best, best_gap = None, 0.5 * height
        for row in rows:
            last = row[-1]
            lx, ly = last.centre
            lean = last.angle if last.right - last.left > 2 * last.height else slope
            gap = abs(ly + lean * (cx - lx) - cy)
            if gap < best_gap and cx > lx:
                best, best_gap = row, gap
        if best is None:
            rows.append([token])
        else:
            best.append(token)
    rows.sort(key=lambda r: r[0].centre[1] - slope * r[0].centre[0])
    return rows


def words_of(tokens: Sequence[Token]) -> list[Word]:
    """A line's tokens cut at their spaces; a word's place is interpolated along its box."""
    words = []
    for index, token in enumerate(tokens):
        text = token.text
        width = (token.right - token.left) / max(len(text), 1)
        for match in re.finditer(r"\S+", text):
            start, end = match.span()
            words.append(
                Word(
                    match.group(),
                    token.confidences[start:end] or (0.0,) * (end - start),
                    index,
                    token.left + start * width,
                    token.left + end * width,
                )
            )
    return words


def text_words(line: str) -> list[Word]:
    """A text line (a PDF's) as words, each its own box, all fully confident."""
    words = []
    for index, match in enumerate(re.finditer(r"\S+", line)):
        start, end = match.span()
        words.append(Word(match.group(), (1.0,) * (end - start), index, start, end))
    return words


def read_table(lines: Iterable[tuple[int, Sequence[Word]]]) -> Table:
    """The coordinate rows among a page's lines (each given with its page number)."""
    rows: list[Row] = []
    unread: list[str] = []
    order: tuple[int, int] | None = None  # (x index, y index) from a header
    for number, (page, words) in enumerate(lines, start=1):
        header = header_order(words)
        if header is not None:
            order = header
            continue
        row = parse_row(words, number=number, page=page, swap=order == (1, 0))
        if row is not None:
            rows.append(row)
        elif sum(len(_DIGITS.findall(w.text)) for w in words) >= 8:
            unread.append(" ".join(w.text for w in words))
    return Table(tuple(rows), tuple(unread), header=order is not None)


def header_order(words: Sequence[Word]) -> tuple[int, int] | None:
    """(0, 1) when a header names X before Y, (1, 0) for Y before X, None if not a header."""
    names = [re.sub(r"[\s:]", "", w.text.lower()) for w in words]
    if any(_DIGITS.search(n) for n in names if n not in X_WORDS | Y_WORDS):
        return None
    if len(names) >= 3 and names[0] in LABEL_WORDS:
        names = names[1:]
    for x_words, y_words in ((X_LETTERS, Y_LETTERS), (X_WORDS, Y_WORDS)):
        x_at = _first_named(names, x_words, "x")
        y_at = _first_named(names, y_words, "y")
        if x_at is not None and y_at is not None:
            return (0, 1) if x_at < y_at else (1, 0)
    return None


def _first_named(names: Sequence[str], words: set[str], letter: str) -> int | None:
    """The first column named by one of `words` or ending in `letter` (« CoordonnéeX »)."""
    return next((i for i, n in enumerate(names) if n in words or n.endswith(letter)), None)


def parse_row(
    words: Sequence[Word], *, number: int, page: int = 1, swap: bool = False
) -> Row | None:
    """The row's borne and two coordinates, or None if it does not hold two."""
    candidates = [w for w in words if _DIGITS.search(w.text)]
    if len(candidates) < 2:
        return None
    best: tuple[float, Cell | None, Cell, Cell] | None = None
    for label_at in (None, 0):
        rest = candidates[1:] if label_at == 0 else candidates
        if label_at == 0 and not _LABEL.match(candidates[0].text):
            continue
        for first, second in _two_numbers(rest):
            score = _plausibility(first) + _plausibility(second)
            score -= 0.5 * (first.joined_boxes + second.joined_boxes)
            score += 0.5 if label_at == 0 else 0.0
            if best is None or score > best[0]:
                label = _label_cell(candidates[0]) if label_at == 0 else _name_before(words, rest)
                best = (score, label, first, second)
    if best is None or best[0] < 2:
        return None
    _, label, first, second = best
    x, y = (second, first) if swap else (first, second)
    return Row(number=number, page=page, label=label, x=x, y=y)


def _two_numbers(words: Sequence[Word]) -> Iterable[tuple[Cell, Cell]]:
    """Every way of reading the words as exactly two numbers, each of consecutive words."""
    count = len(words)
    if count > 8:  # a line of prose with digits: not a row of the table
        return
    for cut in range(1, count):
        for first_start, second_end in _spans(count, cut):
            first = number_cell(words[first_start:cut])
            second = number_cell(words[cut:second_end])
            if first is not None and second is not None:
                yield first, second


def _spans(count: int, cut: int) -> Iterable[tuple[int, int]]:
    """Start of the first number and end of the second around a cut (ignoring stray words at
    the ends, e.g. a unit or a margin note)."""
    for start in range(0, cut):
        for end in range(count, cut, -1):
            if start + (count - end) <= 1:
                yield start, end


def number_cell(words: Sequence[Word]) -> Cell | None:
    """Consecutive words read as one number (thousands groups, one decimal mark), or None."""
    text = " ".join(w.text for w in words)
    confidences = tuple(c for w in words for c in (*w.confidences, 1.0))[:-1]
    if len(confidences) != len(text):
        confidences = (min(confidences, default=0.0),) * len(text)
    digits, kept, lookalikes = [], [], 0
    for char, confidence in zip(text, confidences, strict=True):
        if char.isdigit():
            digits.append(char)
            kept.append(confidence)
        elif char in LOOKALIKES and digits:
            digits.append(LOOKALIKES[char])
            kept.append(min(confidence, LOOKALIKE_CONFIDENCE))
            lookalikes += 1
        elif char in SEPARATORS:
            digits.append(char)
            kept.append(confidence)
        else:
            return None
    return _as_number("".join(digits), tuple(kept), words, lookalikes)


_NUMBER = re.compile(
    r"^(?P<whole>\d{1,3}(?:(?P<sep>[ .'\u00a0\u202f])\d{3})(?:(?P=sep)\d{3})*|\d+)"
    r"(?:(?P<mark>[,.])(?P<decimals>\d{1,4}))?$"
)


def _as_number(
    text: str, confidences: tuple[float, ...], words: Sequence[Word], lookalikes: int
) -> Cell | None:
    """The number a normalised string writes, or None if it is not a well-formed number."""
    compact = re.sub(r"\s+", " ", text.strip())
    match = _NUMBER.match(compact)
    if match is None:
        return None
    whole = re.sub(r"\D", "", match["whole"])
    decimals = match["decimals"] or ""
    value = float(f"{whole}.{decimals}" if decimals else whole)
    boxes = len({w.box for w in words})
    return Cell(
        text=compact,
        confidences=tuple(c for ch, c in zip(text, confidences, strict=True) if ch.isdigit()),
        value=value,
        whole_digits=len(whole.lstrip("0") or "0"),
        decimals=len(decimals),
        joined_boxes=boxes - 1,
        lookalikes=lookalikes,
        left=min(w.left for w in words),
        right=max(w.right for w in words),
    )


def _plausibility(cell: Cell) -> float:
    """How much a number looks like a Lambert coordinate in metres (0 to 2)."""
    if cell.whole_digits == 6:
        return 2.0
    if cell.whole_digits in (5, 7):
        return 1.0
    return 0.0


def _label_cell(word: Word) -> Cell:
    """A borne's name as read (a space between its letters and its number dropped)."""
    return Cell(word.text, word.confidences, left=word.left, right=word.right)


def _name_before(words: Sequence[Word], numbers: Sequence[Word]) -> Cell | None:
    """A name written before the numbers without digits (rare: « A », « S »)."""
    first = numbers[0] if numbers else None
    before = [w for w in words if first is not None and w.right <= first.left]
    if before and re.fullmatch(r"[A-Za-z]{1,3}'?", before[-1].text):
        return _label_cell(before[-1])
    return None


def join_label(words: Sequence[Word]) -> list[Word]:
    """« B 12 » as one word « B12 » (a surveyor's space between letter and number)."""
    joined: list[Word] = []
    for word in words:
        if (
            joined
            and re.fullmatch(r"[A-Za-z]{1,3}", joined[-1].text)
            and re.fullmatch(r"\d{1,4}", word.text)
            and len(joined) == 1
        ):
            previous = joined.pop()
            word = Word(
                previous.text + word.text,
                previous.confidences + word.confidences,
                previous.box,
                previous.left,
                word.right,
            )
        joined.append(word)
    return joined
