"""A borne far from the others: named as the likely typo, with the value it probably had, before
any crossing it causes (borne_aberrante); and the crossings a digit swap makes, explained."""

from __future__ import annotations

import pytest

from tests.zoning.intake.samples import DEMO_LOT, codes, only, refusal
from zoning.intake import Code, ParcelInputError, read_coordinates
from zoning.intake.aberrant import aberrant_bornes
from zoning.intake.model import Borne
from zoning.intake.numbers import french_distance, french_number
from zoning.intake.typos import single_edits, typed_text

NNBSP = "\u202f"


def refused(text: str) -> list[Code]:
    """The codes of a refused list, in order (fails if the list is accepted)."""
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    return codes(refusal(caught.value))


def aberrant(text: str) -> str:
    """The message of the only borne_aberrante of a refused list."""
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    return only(refusal(caught.value), Code.ABERRANT_BORNE).message


def test_the_demo_lot_is_accepted_as_typed() -> None:
    parcel = read_coordinates(DEMO_LOT, srid=26191)
    assert parcel.area_m2 == pytest.approx(2945, abs=1)
    assert parcel.warnings == ()


def test_the_issue_typo_names_b2_its_distance_and_its_probable_value() -> None:
    # B2 X typed 35870,31 instead of 358703,1: it was reported as crossing sides
    text = DEMO_LOT.replace("358703,10", "35870,31")
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(text, srid=26191)
    diagnostics = refusal(caught.value)
    found = only(diagnostics, Code.ABERRANT_BORNE)
    assert (found.line, found.point, found.bornes) == (3, "B2", ("B2",))
    assert found.probable == pytest.approx((358703.1, 366605.0))
    assert found.message == (
        "La borne B2 (ligne 3) est à 322,8 km des autres bornes de la parcelle : c'est sans "
        f"doute une faute de frappe. X = 35{NNBSP}870,31 devrait probablement être "
        f"358{NNBSP}703,10 (virgule décimale mal placée) ; corrigez la ligne 3."
    )
    # named first, and the crossing it causes is not reported as the fault
    assert codes(diagnostics) == [Code.ABERRANT_BORNE]
    assert str(caught.value).startswith("La borne B2 (ligne 3)")


@pytest.mark.parametrize(
    ("typed", "probable", "slip"),
    [
        ("35803,10", "358\u202f703,10", "un chiffre oublié"),
        ("385703,10", "358\u202f703,10", "deux chiffres voisins inversés"),
        ("3588703,10", "358\u202f703,10", "un chiffre tapé deux fois"),
        ("3587031,0", "358\u202f703,10", "virgule décimale mal placée"),
    ],
)
def test_every_kind_of_slip_finds_the_value_back(typed: str, probable: str, slip: str) -> None:
    message = aberrant(DEMO_LOT.replace("358703,10", typed))
    assert "La borne B2 (ligne 3)" in message
    assert f"devrait probablement être {probable} ({slip})" in message


def test_a_slip_in_y_is_found_too() -> None:
    message = aberrant(DEMO_LOT.replace("366660,20", "36666,02"))
    assert "La borne B3 (ligne 4)" in message
    assert f"Y = 36{NNBSP}666,02 devrait probablement être 366{NNBSP}660,20" in message


def test_x_and_y_exchanged_on_one_line_only() -> None:
    message = aberrant(DEMO_LOT.replace("B4;358645,70;366655,30", "B4;366655,30;358645,70"))
    assert "La borne B4 (ligne 5)" in message
    assert "semblent inversés sur cette ligne" in message
    assert f"X = 358{NNBSP}645,70 ; Y = 366{NNBSP}655,30 probablement" in message


def test_a_far_borne_no_slip_explains_is_still_named() -> None:
    message = aberrant(DEMO_LOT.replace("B2;358703,10;366605,00", "B2;123456,78;234567,89"))
    assert message.startswith("La borne B2 (ligne 3) est à ")
    assert "Vérifiez ses coordonnées" in message


def test_points_without_names_are_named_by_rank() -> None:
    pairs = [[358650.0, 366600.0], [35870.31, 366605.0], [358698.4, 366660.2], [358645.7, 366655.3]]
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(pairs, srid=26191)
    found = only(refusal(caught.value), Code.ABERRANT_BORNE)
    assert found.point == "n° 2"
    assert found.message.startswith("Le point n° 2 est à 322,8 km des autres bornes")


def test_each_part_is_judged_on_its_own() -> None:
    # a property of two parts 3 km apart: neither part's bornes are strays
    far = "\n".join(
        f"C{n};{x:.2f};{y:.2f}".replace(".", ",")
        for n, (x, y) in enumerate(
            [(361650, 366600), (361700, 366600), (361700, 366650), (361650, 366650)], start=1
        )
    )
    parcel = read_coordinates(DEMO_LOT + "\n" + far + "\n", srid=26191)
    assert parcel.geometry.geom_type == "MultiPolygon"


def test_the_long_arm_of_an_l_is_not_a_stray() -> None:
    # two bornes at the end of a 1 km arm, 10 m apart: not one borne thrown away
    arm = [(0, 0), (1000, 0), (1000, 10), (10, 10), (10, 30), (0, 30)]
    bornes = [
        Borne(id=f"B{n}", x=358000 + x, y=366500 + y, rank=n)
        for n, (x, y) in enumerate(arm, start=1)
    ]
    assert aberrant_bornes(bornes) == []


def test_a_large_farm_is_not_a_stray() -> None:
    farm = [(0, 0), (2000, 0), (2000, 900), (0, 1100)]
    bornes = [
        Borne(id=f"B{n}", x=358000 + x, y=366000 + y, rank=n)
        for n, (x, y) in enumerate(farm, start=1)
    ]
    assert aberrant_bornes(bornes) == []


def test_a_crossing_made_by_a_digit_swap_names_the_borne_and_the_value() -> None:
    # 358617 for 358671 on a 15 m lot: the outline crosses itself; say which borne to fix
    lot = (
        "B1;358656,00;366600,00\nB2;358617,00;366600,00\n"
        "B3;358671,00;366630,00\nB4;358656,00;366630,00\n"
    )
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(lot, srid=26191)
    found = only(refusal(caught.value), Code.SELF_INTERSECTION)
    assert (found.point, found.line) == ("B2", 2)
    assert found.probable == pytest.approx((358671.0, 366600.0))
    assert "les côtés B2–B3 (lignes 2–3) et B4–B1 (lignes 4–1) se croisent" in found.message
    assert (
        "faute de frappe à la borne B2 (ligne 2) : X = 358\u202f617,00 devrait probablement "
        "être 358\u202f671,00 (deux chiffres voisins inversés)"
    ) in found.message


def test_a_plain_bow_tie_is_not_blamed_on_a_typo() -> None:
    bow_tie = (
        "B1;358700,00;366600,00\nB2;358760,00;366660,00\n"
        "B3;358760,00;366600,00\nB4;358700,00;366660,00\n"
    )
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(bow_tie, srid=26191)
    found = only(refusal(caught.value), Code.SELF_INTERSECTION)
    assert found.probable is None and "faute de frappe" not in found.message


def test_coordinates_moved_from_another_crs_get_no_digit_suggestion() -> None:
    # a GeoJSON in degrees: its numbers are not the ones a surveyor typed in metres
    feature = (
        '{"type": "Polygon", "coordinates": [[[-6.93, 33.89], [-6.92, 33.89], '
        "[-6.92, 33.90], [-2.1, 33.90], [-6.93, 33.89]]]}"
    )
    with pytest.raises(ParcelInputError) as caught:
        read_coordinates(feature, filename="p.geojson", srid=26191)
    found = only(refusal(caught.value), Code.ABERRANT_BORNE)
    assert found.probable is None and "Vérifiez ses coordonnées" in found.message


def test_single_edits_of_the_issue_value() -> None:
    edits = dict(single_edits(35870.31))
    assert edits[358703.1] == "separator"
    assert edits[358700.31] == "dropped"
    assert edits[53870.31] == "transposed"
    assert edits[3870.31] == "extra"
    assert all(value >= 0 for value in edits)
    assert dict(single_edits(358617, ["transposed"])) == {
        538617.0: "transposed",
        385617.0: "transposed",
        356817.0: "transposed",
        358167.0: "transposed",
        358671.0: "transposed",
    }


def test_typed_text_keeps_the_digits_as_typed() -> None:
    assert typed_text(358703.10) == "358703.1"
    assert typed_text(358617.0) == "358617"
    assert typed_text(-6.926416) == "-6.926"


def test_french_numbers_and_distances() -> None:
    assert french_number(358703.1) == "358\u202f703,10"
    assert french_number(1200, 0) == "1\u202f200"
    assert french_number(-0.001) == "0,00"
    assert french_number(-6.5, 1) == "-6,5"
    assert french_distance(322780.4) == "322,8 km"
    assert french_distance(54.2) == "54 m"
    assert french_distance(0.35) == "0,35 m"
    assert refused(DEMO_LOT.replace("358703,10", "35870,31")) == [Code.ABERRANT_BORNE]
