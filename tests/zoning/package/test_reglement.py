"""The règlement YAML: valid files load, every bad field is named by its path and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning.package.reglement import ReglementError, load_reglement, parse_reglement
from zoning.synthetic import reglement, write_reglement

GOOD = """plan:
  name: PA Test
  commune: Test
  agency: Agence urbaine
  srid: 26191
  status: homologue
zones:
  C:
    label: Zone d'immeubles
    max_height_m: 17.5
    setbacks:
      rear: {distance_m: 4, height_ratio: 0.5}
"""


def test_demo_reglement_loads() -> None:
    rules = load_reglement(Path("data/demo/reglement.yaml"))
    assert rules.plan.srid == 26191
    assert len(rules.zones) >= 12


def test_valid_reglement_with_setbacks() -> None:
    rules = parse_reglement(GOOD)
    rear = rules.zones["C"].setbacks.rear
    assert rear is not None
    assert rear.required_m(12.0) == 6.0  # max(4, 0.5 × 12)
    assert rear.required_m(None) is None  # needs the height: never guessed


def problems_of(text: str) -> dict[str, int | None]:
    with pytest.raises(ReglementError) as caught:
        parse_reglement(text, source="r.yaml")
    return {p.path: p.line for p in caught.value.problems}


def test_misspelt_field_named_with_its_line() -> None:
    problems = problems_of(GOOD.replace("max_height_m", "max_heigth_m"))
    assert problems == {"zones.C.max_heigth_m": 10}


def test_out_of_range_value_named() -> None:
    problems = problems_of(GOOD + "    ces_max: 1.4\n")
    assert problems == {"zones.C.ces_max": 13}


def test_srid_must_be_moroccan_lambert() -> None:
    assert problems_of(GOOD.replace("26191", "4326")) == {"plan.srid": 5}


def test_missing_required_field_points_at_its_parent() -> None:
    problems = problems_of(GOOD.replace("  agency: Agence urbaine\n", ""))
    assert problems == {"plan.agency": 1}


def test_bad_status_and_date() -> None:
    text = GOOD.replace("homologue", "approuve") + "servitudes: {x: 1}\n"
    text = text.replace("  srid: 26191\n", "  srid: 26191\n  valid_until: 2031-13-01\n")
    problems = problems_of(text)
    assert set(problems) == {"plan.status", "plan.valid_until", "servitudes.x"}


def test_not_yaml_gives_the_line() -> None:
    with pytest.raises(ReglementError) as caught:
        parse_reglement("plan:\n  name: [unclosed\n")
    assert caught.value.problems[0].line is not None


def test_synthetic_reglement_round_trip(tmp_path: Path) -> None:
    text = write_reglement(reglement("PA X"), tmp_path / "r.yaml")
    assert parse_reglement(text).plan.name == "PA X"


def test_legend_colours_are_checked() -> None:
    assert parse_reglement(GOOD + "legend: {C: '#f4a259'}\n").legend == {"C": "#f4a259"}
    assert problems_of(GOOD + "legend: {C: orange}\n") == {"legend.C": 13}
