"""Coordinates given as JSON pairs: [[x, y], ...] for one ring, or a list of such rings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from zoning.intake.diagnostics import Code, Diagnostic, error, raise_if_errors
from zoning.intake.model import Borne, SourceParcel
from zoning.intake.numbers import position


def read_pairs(pairs: Sequence[Any]) -> SourceParcel:
    """Read [[x, y], ...] or [[[x, y], ...], ...]; points are named by their rank."""
    rings_data = pairs if _is_ring_list(pairs) else [pairs]
    rings: list[tuple[Borne, ...]] = []
    diagnostics: list[Diagnostic] = []
    rank = 0
    for number, ring in enumerate(rings_data, start=1):
        bornes = []
        for value in ring if isinstance(ring, list | tuple) else [ring]:
            rank += 1
            xy = position(value)
            if xy is None:
                message = f"point n° {rank} : position illisible « {json.dumps(value)} »."
                diagnostics.append(
                    error(Code.UNREADABLE_VALUE, message, point=f"n° {rank}", ring=number)
                )
            else:
                bornes.append(Borne(id=None, x=xy[0], y=xy[1], ring=number, rank=rank))
        rings.append(tuple(bornes))
    raise_if_errors(diagnostics)
    return SourceParcel(rings=tuple(rings), format="pairs")


def _is_ring_list(pairs: Sequence[Any]) -> bool:
    """True when the first element is itself a list of positions."""
    first = pairs[0] if pairs else None
    return isinstance(first, list | tuple) and bool(first) and isinstance(first[0], list | tuple)
