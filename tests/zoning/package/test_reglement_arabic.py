"""The règlement's Arabic twins (issue 16, docs/formats.md §2): accepted, optional, checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoning.package.reglement import ReglementError, load_reglement, parse_reglement

HEAD = """plan: {name: PA Test, commune: Test, agency: Agence Urbaine de Test, srid: 26191,
       status: homologue}
"""


def test_demo_reglement_has_twins_and_one_zone_without() -> None:
    reglement = load_reglement(Path("data/demo/reglement.yaml"))
    assert reglement.zones["C"].label_ar == "منطقة السكن المسترسل (R+2)"
    assert reglement.zones["B4"].interdictions_ar[0].startswith("المؤسسات الصناعية")
    assert reglement.zones["RA"].label_ar is None  # printed in French alone
    assert set(reglement.servitudes_ar) == set(reglement.servitudes)


def test_twins_are_optional_and_an_unknown_language_is_refused() -> None:
    plain = parse_reglement(HEAD + "zones: {A: {label: Zone A}}\n")
    assert plain.zones["A"].label_ar is None and plain.zones["A"].interdictions_ar == []
    with pytest.raises(ReglementError) as refused:
        parse_reglement(HEAD + "zones: {A: {label: Zone A, label_en: Zone A}}\n")
    assert refused.value.problems[0].path == "zones.A.label_en"
    with pytest.raises(ReglementError) as empty:
        parse_reglement(HEAD + "zones: {A: {label: Zone A, label_ar: ''}}\n")
    assert empty.value.problems[0].path == "zones.A.label_ar"
