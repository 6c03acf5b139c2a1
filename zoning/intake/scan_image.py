"""Straightening a photographed table: its ruled border found and warped to a rectangle.

A surveyor's table is usually ruled. Its outer border, found with OpenCV's morphology (long
horizontal and vertical strokes), gives the four corners of the table as photographed; warping
them to a rectangle corrects rotation and perspective at once and crops the page to the table
(less to detect, so faster). A table without rules is read as it is: the row grouping follows
each text box's own slope (zoning.intake.scan_table).
"""

from __future__ import annotations

import numpy as np

#: The grid is looked for on a copy this long on its longest side (enough for the rules).
GRID_SIDE = 1000
#: A border enclosing less than this share of the page is not the table's.
MIN_TABLE_SHARE = 0.04
#: The detector reads text best about this many pixels high.
TEXT_HEIGHT = 26
#: Margin kept around the border once warped, as a share of its size (text touching it).
MARGIN = 0.02


def straighten(gray: np.ndarray) -> np.ndarray:
    """The table warped to a rectangle when its ruled border is found, else the page cropped
    to its ink and enlarged when its text is small: without rules between the rows, the
    detector joins the lines of a small blurred text (with them, enlarging only blurs it)."""
    corners = table_corners(gray)
    return enlarged(ink_crop(gray)) if corners is None else warp(gray, corners)


def enlarged(image: np.ndarray) -> np.ndarray:
    """The image enlarged so that its text lines are about TEXT_HEIGHT pixels high."""
    import cv2

    height = text_height(image)
    if height is None or height >= TEXT_HEIGHT or max(image.shape) > 2500:
        return image
    scale = min(TEXT_HEIGHT / height, 2.0, 2500 / max(image.shape))
    return np.asarray(
        cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), dtype=np.uint8
    )


def text_height(image: np.ndarray) -> float | None:
    """The median height of the text's characters (connected blobs of ink), or None."""
    import cv2

    ink = _ink(image)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    heights = [
        h for _, _, w, h, area in stats[1:count] if 6 <= h <= 200 and w < 3 * h and area > 12
    ]
    if len(heights) < 20:
        return None
    return float(np.median(heights))


def ink_crop(gray: np.ndarray) -> np.ndarray:
    """The page cut to the box of its text (margins and specks dropped)."""
    import cv2

    ink = _ink(gray)
    lines = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 25), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    blocks = [s for s in stats[1:count] if s[2] > 40 and s[3] > 6 and s[4] > 200]
    if not blocks:
        return gray
    left = min(s[0] for s in blocks)
    top = min(s[1] for s in blocks)
    right = max(s[0] + s[2] for s in blocks)
    bottom = max(s[1] + s[3] for s in blocks)
    pad = 20
    return gray[max(top - pad, 0) : bottom + pad, max(left - pad, 0) : right + pad]


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark strokes as white on black, single-pixel specks removed."""
    import cv2

    ink = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15
    )
    return np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)))


def warp(gray: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The quadrilateral `corners` (plus a margin) warped to an upright rectangle."""
    import cv2

    corners = _widen(corners, MARGIN)
    top = np.linalg.norm(corners[1] - corners[0])
    bottom = np.linalg.norm(corners[2] - corners[3])
    left = np.linalg.norm(corners[3] - corners[0])
    right = np.linalg.norm(corners[2] - corners[1])
    width, height = int(max(top, bottom)), int(max(left, right))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    warped = cv2.warpPerspective(
        gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(warped, dtype=np.uint8)


def table_corners(gray: np.ndarray) -> np.ndarray | None:
    """The four corners of the largest ruled quadrilateral (clockwise from top left), or None."""
    import cv2

    scale = GRID_SIDE / max(gray.shape)
    small = cv2.resize(
        gray, None, fx=min(scale, 1.0), fy=min(scale, 1.0), interpolation=cv2.INTER_AREA
    )
    factor = gray.shape[1] / small.shape[1]
    ink = cv2.adaptiveThreshold(
        small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 12
    )
    ink = cv2.dilate(ink, np.ones((3, 3), np.uint8))  # a slanted thin rule stays continuous
    length = max(small.shape) // 25
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    grid = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(grid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(largest) < MIN_TABLE_SHARE * small.shape[0] * small.shape[1]:
        return None
    hull = cv2.convexHull(largest)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        return None
    return _clockwise(quad.reshape(4, 2).astype(np.float64) * factor)


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Corners ordered top-left, top-right, bottom-right, bottom-left."""
    total = points.sum(axis=1)
    difference = points[:, 1] - points[:, 0]
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(difference)],
            points[np.argmax(total)],
            points[np.argmax(difference)],
        ]
    )


def _widen(corners: np.ndarray, share: float) -> np.ndarray:
    """The quadrilateral grown around its centre by `share` of its size."""
    centre = corners.mean(axis=0)
    return np.asarray(centre + (corners - centre) * (1 + 2 * share))
