"""OCR engines for scanned coordinate tables: words, their boxes, each character's confidence.

The engine of record is RapidOCR (PP-OCR models in ONNX, shipped inside the `rapidocr` wheel:
nothing is downloaded at run time). Its models are loaded once per process, at first use, and one
reading runs at a time (the two ONNX sessions use the machine's cores; a second reading in
parallel would only share them and double the memory). Tesseract (Debian's `tesseract-ocr`) is
kept for the benchmark: bench/bench_scan.py measures both.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

#: Recognition crops are batched; sorting them by width keeps the padding small. Batches of 4
#: are as fast as 16 here and keep the activations small (bench/bench_scan.py: peak RSS 484 MB
#: against 688 MB with 16, on the same nine scans).
REC_BATCH = 4
REC_HEIGHT = 48
#: The recogniser was trained on lines padded to 320 × 48; a shorter box (a borne's name) is
#: padded as in training, since it misreads « S6 » as « 56 » otherwise.
MIN_RATIO = 320 / 48
#: Detection runs on the table at most this long on its longest side (the text stays over
#: 20 pixels high on an A4 table, which the detector needs; larger only costs time).
DET_MAX_SIDE = 1280
#: A token whose every character is at least this sure is not read a second time.
SURE = 0.999
#: The confidence left to the characters of a token whose two readings differ.
DISAGREEMENT = 0.3


@dataclass(frozen=True)
class Token:
    """A piece of text the detector found: its characters, their confidences, its box."""

    text: str
    confidences: tuple[float, ...]  # one per character of `text`
    box: tuple[tuple[float, float], ...]  # four corners, clockwise from the top left

    @property
    def centre(self) -> tuple[float, float]:
        """The box's centre."""
        xs, ys = zip(*self.box, strict=True)
        return (sum(xs) / 4, sum(ys) / 4)

    @property
    def height(self) -> float:
        """The box's height (mean of its two sides)."""
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.box
        return float((np.hypot(x3 - x0, y3 - y0) + np.hypot(x2 - x1, y2 - y1)) / 2)

    @property
    def left(self) -> float:
        """The box's leftmost x."""
        return min(x for x, _ in self.box)

    @property
    def right(self) -> float:
        """The box's rightmost x."""
        return max(x for x, _ in self.box)

    @property
    def angle(self) -> float:
        """The slope of the box's top side (dy/dx)."""
        (x0, y0), (x1, y1) = self.box[0], self.box[1]
        return float((y1 - y0) / (x1 - x0)) if x1 != x0 else 0.0


class Engine(Protocol):
    """What the table reader needs from an OCR engine."""

    name: str

    def read(self, image: np.ndarray) -> list[Token]:
        """The tokens of a greyscale image (uint8, H × W)."""
        ...


class RapidEngine:
    """PP-OCR detection and recognition through RapidOCR's ONNX sessions."""

    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR  # heavy (onnxruntime, cv2): only when a scan comes

        _allocate_large_buffers_apart()
        self._ocr = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_cls": False,
                "EngineConfig.onnxruntime.intra_op_num_threads": 2,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                "Det.limit_type": "max",
                "Det.limit_side_len": DET_MAX_SIDE,
            }
        )
        # RapidOCR's own loaders (pinned major version): the sessions, not its whole pipeline,
        # because its recogniser averages the characters' confidences and we need each one.
        self._det = self._ocr._load_det_model()  # type: ignore[no-untyped-call]
        self._rec = self._ocr._load_rec_model()  # type: ignore[no-untyped-call]
        self._characters: list[str] = list(self._rec.postprocess_op.character)

    def read(self, image: np.ndarray) -> list[Token]:
        """Detect the text boxes, then recognise them in batches."""
        import cv2
        from rapidocr.utils.process_img import get_rotate_crop_image

        colour = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        found = self._det(colour)
        if found.boxes is None or len(found.boxes) == 0:
            return []
        boxes = [np.asarray(b, dtype=np.float32) for b in found.boxes]
        crops = [get_rotate_crop_image(colour, b) for b in boxes]
        texts = self.recognise(crops)
        texts = self._second_reading(colour, boxes, texts)
        return [
            Token(text, confidences, tuple((float(x), float(y)) for x, y in box))
            for box, (text, confidences) in zip(boxes, texts, strict=True)
            if text.strip()
        ]

    def recognise(self, crops: Sequence[np.ndarray]) -> list[tuple[str, tuple[float, ...]]]:
        """Each crop's text with one confidence per character (greedy CTC decoding)."""
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / crops[i].shape[0])
        results: list[tuple[str, tuple[float, ...]]] = [("", ())] * len(crops)
        for start in range(0, len(order), REC_BATCH):
            batch = order[start : start + REC_BATCH]
            ratio = max(crops[i].shape[1] / crops[i].shape[0] for i in batch)
            ratio = max(ratio, MIN_RATIO)
            tensor = np.stack([self._rec.resize_norm_img(crops[i], ratio) for i in batch])
            preds = self._rec.session(tensor.astype(np.float32))
            for index, probabilities in zip(batch, preds, strict=True):
                results[index] = self._decode(probabilities)
        return results

    def _second_reading(
        self,
        colour: np.ndarray,
        boxes: Sequence[np.ndarray],
        texts: list[tuple[str, tuple[float, ...]]],
    ) -> list[tuple[str, tuple[float, ...]]]:
        """Tokens with digits read again from a wider, contrast-stretched crop; where the two
        readings differ, every character keeps at most DISAGREEMENT as its confidence (the
        network's own confidence is often high on a misread blurred digit; an unstable reading
        is the surer sign)."""
        from rapidocr.utils.process_img import get_rotate_crop_image

        doubtful = [
            i
            for i, (text, confidences) in enumerate(texts)
            if any(c.isdigit() for c in text) and min(confidences, default=0.0) < SURE
        ]
        if not doubtful:
            return texts
        crops = [_stretched(get_rotate_crop_image(colour, _grown(boxes[i]))) for i in doubtful]
        again = self.recognise(crops)
        checked = list(texts)
        for index, (text, _) in zip(doubtful, again, strict=True):
            first, confidences = texts[index]
            if _digits(text) != _digits(first):
                checked[index] = (first, tuple(min(c, DISAGREEMENT) for c in confidences))
        return checked

    def _decode(self, probabilities: np.ndarray) -> tuple[str, tuple[float, ...]]:
        """Greedy CTC: the best class per step, repeats and blanks dropped; a character's
        confidence is its best step's probability."""
        best = probabilities.argmax(axis=1)
        chars: list[str] = []
        confidences: list[float] = []
        previous = -1
        for step, cls in enumerate(best):
            if cls != 0 and cls != previous:
                chars.append(self._characters[cls])
                confidences.append(float(probabilities[step, cls]))
            elif cls != 0 and cls == previous:
                confidences[-1] = max(confidences[-1], float(probabilities[step, cls]))
            previous = int(cls)
        return "".join(chars), tuple(confidences)


#: glibc's mallopt parameter M_MMAP_THRESHOLD (malloc.h).
M_MMAP_THRESHOLD = -3
#: Buffers from this size on get their own mapping, given back to the system when freed.
MMAP_THRESHOLD = 1024 * 1024


def _allocate_large_buffers_apart() -> None:
    """Fix glibc's mmap threshold at 1 MB for the process (once, before the models load).

    The networks' activations change size with every image; glibc's default threshold rises
    with them and keeps the freed ones in its heap, so a process that read thirty scans held
    627 MB. With large buffers mapped apart it holds 382 MB, for 0.4 s more per scan
    (bench/bench_scan.py, issue 17's 500 MB per process). Elsewhere than glibc: nothing done.
    """
    if not sys.platform.startswith("linux"):
        return
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):
        return  # musl and others: their own allocator, no mallopt


def _digits(text: str) -> str:
    """The digits of a text, in order (what two readings of a number must share)."""
    return "".join(c for c in text if c.isdigit())


def _grown(box: np.ndarray) -> np.ndarray:
    """A text box grown by a fifth of its height on every side."""
    centre = box.mean(axis=0)
    height = float(np.linalg.norm(box[3] - box[0]))
    width = float(np.linalg.norm(box[1] - box[0]))
    scale = np.array([1 + 0.4 * height / max(width, 1.0), 1.4])
    return np.asarray(centre + (box - centre) * scale, dtype=np.float32)


def _stretched(crop: np.ndarray) -> np.ndarray:
    """A crop's contrast stretched between its darkest and lightest percent."""
    low, high = np.percentile(crop, (1, 99))
    scaled = (crop.astype(np.float32) - low) * 255 / max(float(high - low), 1.0)
    return np.asarray(np.clip(scaled, 0, 255), dtype=np.uint8)


class TesseractEngine:
    """Debian's tesseract (French model), one call per image with word boxes (TSV)."""

    name = "tesseract"

    def __init__(self) -> None:
        if shutil.which("tesseract") is None:
            raise RuntimeError("tesseract is not installed (apt-get install tesseract-ocr-fra)")

    def read(self, image: np.ndarray) -> list[Token]:
        """Words with tesseract's confidence given to each of their characters."""
        import cv2

        ok, png = cv2.imencode(".png", image)
        if not ok:
            return []
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "fra", "--psm", "6", "tsv"],
            input=png.tobytes(),
            capture_output=True,
            check=False,
            timeout=60,
        )
        return _tesseract_tokens(done.stdout.decode("utf-8", "replace"))


def _tesseract_tokens(tsv: str) -> list[Token]:
    """Tesseract's TSV words as tokens (words of a line closer than a space are one token)."""
    tokens = []
    for line in tsv.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 12 or not fields[11].strip() or fields[0] != "5":
            continue
        left, top, width, height = (float(v) for v in fields[6:10])
        confidence = max(float(fields[10]), 0.0) / 100
        text = fields[11].strip()
        box = ((left, top), (left + width, top), (left + width, top + height), (left, top + height))
        tokens.append(Token(text, (confidence,) * len(text), box))
    return tokens


_engines: dict[str, Engine] = {}
_engine_lock = threading.Lock()
#: One reading at a time per process (see the module's docstring).
reading_lock = threading.Lock()


def engine(name: str = "rapidocr") -> Engine:
    """The process's engine of that name, loaded at first use."""
    with _engine_lock:
        if name not in _engines:
            _engines[name] = RapidEngine() if name == "rapidocr" else TesseractEngine()
        return _engines[name]


def loaded(name: str = "rapidocr") -> Any:
    """The engine if already loaded, else None (for tests of the loading)."""
    return _engines.get(name)
