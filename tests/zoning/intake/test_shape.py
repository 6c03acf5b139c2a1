"""Spikes and implausible shapes a typing slip makes inside the plan: warned, naming the borne
(with the value a digit swap explains), never refused; real parcel shapes are not warned."""

from __future__ import annotations

import pytest

from tests.zoning.intake.samples import FIVE_BORNES, LOT, only
from tests.zoning.intake.shapes import REALISTIC, coordinate_list, placed
from zoning.intake import Code, Severity, read_coordinates
from zoning.intake.shape import ACUTE_ANGLE_DEG, SIDE_RATIO
from zoning.intake.typos import RIGHT_ANGLE_TOLERANCE_DEG

NNBSP = "\u202f"
SHAPE_CODES = {Code.ACUTE_ANGLE, Code.DISPROPORTIONATE_SIDE, Code.IMPLAUSIBLE_SHAPE}


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("name", REALISTIC)
def test_real_parcel_shapes_are_not_warned(name: str, seed: int) -> None:
    parcel = read_coordinates(coordinate_list(placed(REALISTIC[name], seed)), srid=26191)
    assert not [w for w in parcel.warnings if w.code in SHAPE_CODES], parcel.warnings


def test_the_lot_as_surveyed_is_not_warned() -> None:
    assert read_coordinates(LOT, srid=26191).warnings == ()
    assert read_coordinates(FIVE_BORNES, srid=26191).warnings == ()


def test_the_issue_typo_358617_for_358671_is_warned_naming_the_borne() -> None:
    parcel = read_coordinates(LOT.replace("B1;358671,00", "B1;358617,00"), srid=26191)
    # accepted: a warning, not a refusal
    assert parcel.area_m2 == pytest.approx(1140)
    found = only(parcel.warnings, Code.ACUTE_ANGLE)
    assert found.severity is Severity.WARNING
    assert (found.point, found.line, found.bornes) == ("B1", 2, ("B1",))
    assert found.probable == pytest.approx((358671.0, 366600.0))
    assert found.message == (
        "Angle aigu (20°) à la borne B1 (ligne 2), entre les côtés B4–B1 et B1–B2 : la parcelle "
        "forme une pointe ou une entaille, ce qui trahit souvent une faute de frappe. "
        f"X = 358{NNBSP}617,00 devrait probablement être 358{NNBSP}671,00 (deux chiffres voisins "
        "inversés) : vérifiez la ligne 2. La demande est acceptée telle quelle."
    )


def test_a_spike_from_a_borne_along_a_side() -> None:
    parcel = read_coordinates(FIVE_BORNES.replace("B5;358671,00", "B5;358617,00"), srid=26191)
    found = only(parcel.warnings, Code.ACUTE_ANGLE)
    assert (found.point, found.line) == ("B5", 6)
    assert "358\u202f671,00" in found.message


def test_a_notch_into_the_lot() -> None:
    # the west side's middle borne typed 358761 for 358671: a 90 m notch into a 130 m lot
    wide = FIVE_BORNES.replace("358701,00", "358801,00")
    parcel = read_coordinates(wide.replace("B5;358671,00", "B5;358761,00"), srid=26191)
    found = only(parcel.warnings, Code.ACUTE_ANGLE)
    assert (found.point, found.line) == ("B5", 6)
    assert found.message.startswith("Angle très aigu (13°) à la borne B5 (ligne 6)")
    assert found.probable == pytest.approx((358671.0, 366610.0))


def test_a_very_acute_angle_is_warned_even_without_an_explanation() -> None:
    wedge = "B1;358600,00;366600,00\nB2;358700,00;366600,00\nB3;358700,00;366610,00\n"
    parcel = read_coordinates(wedge, srid=26191)
    found = only(parcel.warnings, Code.ACUTE_ANGLE)
    assert (found.point, found.probable) == ("B1", None)
    assert found.message.startswith("Angle très aigu (6°) à la borne B1 (ligne 1)")
    assert "devrait probablement" not in found.message


def test_both_sides_at_a_borne_out_of_scale_with_the_others() -> None:
    # B3 thrown 245 m out of a 30 m lot: a 16° wedge, but sides five times the longest other
    bornes = (
        "B1;358690,00;366610,00\nB2;358720,00;366600,00\nB3;358965,00;366635,00\n"
        "B4;358720,00;366670,00\nB5;358690,00;366660,00\n"
    )
    parcel = read_coordinates(bornes, srid=26191)
    found = only(parcel.warnings, Code.DISPROPORTIONATE_SIDE)
    assert (found.point, found.line) == ("B3", 3)
    assert [w.code for w in parcel.warnings] == [Code.DISPROPORTIONATE_SIDE]
    assert found.message == (
        "Les côtés B2–B3 (247 m) et B3–B4 (247 m), de part et d'autre de la borne B3 (ligne 3), "
        "sont plus de 4 fois plus longs que tous les autres côtés (au plus 50 m) : vérifiez "
        "cette borne. La demande est acceptée telle quelle."
    )


def test_one_warning_per_borne() -> None:
    # B3 thrown 300 m out: both an acute angle and sides out of scale; the angle is said once
    bornes = (
        "B1;358700,00;366600,00\nB2;358720,00;366600,00\nB3;359020,00;366615,00\n"
        "B4;358720,00;366630,00\nB5;358700,00;366630,00\n"
    )
    warned = read_coordinates(bornes, srid=26191).warnings
    assert [(w.code, w.point) for w in warned] == [(Code.ACUTE_ANGLE, "B3")]


def test_a_part_narrower_than_a_metre_is_improbable() -> None:
    sliver = (
        "B1;358700,00;366600,00\nB2;358900,00;366600,00\nB3;358900,00;366600,80\n"
        "B4;358800,00;366600,70\nB5;358700,00;366600,80\n"
    )
    parcel = read_coordinates(sliver, srid=26191)
    found = only(parcel.warnings, Code.IMPLAUSIBLE_SHAPE)
    assert found.point == "B4"
    assert found.message.startswith(
        "Forme improbable pour la parcelle : 150,00 m² sur un contour de 402 m, soit 0,75 m de "
        "large en moyenne. Vérifiez la borne B4 (ligne 4)"
    )


def test_the_thresholds_are_stated_in_the_docstring() -> None:
    import zoning.intake.shape as shape

    assert (ACUTE_ANGLE_DEG, shape.SUSPECT_ANGLE_DEG, SIDE_RATIO) == (15.0, 35.0, 4.0)
    assert (shape.MIN_MEAN_WIDTH_M, shape.MIN_COMPACTNESS, shape.COMPACTNESS_GAIN) == (
        1.0,
        0.01,
        1.25,
    )
    assert RIGHT_ANGLE_TOLERANCE_DEG == 1.5
    doc = shape.__doc__ or ""
    for stated in (
        "(15°)",
        "(35°)",
        "(1,5°)",
        "175°",
        "(45°)",
        "(4)",
        "(1 m)",
        "(0,01",
        "(1,25)",
    ):
        assert stated in doc, stated
