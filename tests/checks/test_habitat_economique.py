"""The 1964 economic-housing regulation (décret 2-64-445): lots, heights, patios, spacing."""

from __future__ import annotations

from typing import Any

import pytest

from checks.habitat_economique import (
    HabitatEconomique,
    LimiteSeparative,
    Patio,
    VisAVis,
    check_habitat_economique,
    distance_art48,
    rapport_art48,
)
from checks.results import Check


def checks(**fields: Any) -> dict[tuple[str, str], Check]:
    """The checks of a project, by (rule, article)."""
    result = check_habitat_economique(HabitatEconomique(**fields))
    return {(c.rule, c.source.rsplit(", ", 1)[-1]): c for c in result}


# --- Titre II chapitre I: one level ---------------------------------------------------------


@pytest.mark.parametrize(("hauteur", "ok"), [(3.50, True), (3.51, False)])
def test_art21_un_niveau_hauteur_3m50(hauteur: float, ok: bool) -> None:
    """Art. 21: at most 3.50 m, all superstructures included."""
    result = checks(type_habitat="un_niveau_patio", hauteur_m=hauteur)
    assert result[("hauteur_max_m", "art. 21")].ok is ok


@pytest.mark.parametrize(("surface", "ok"), [(60.0, True), (59.9, False)])
def test_art22_un_niveau_lot_60m2(surface: float, ok: bool) -> None:
    """Art. 22: lots of at least 60 m²."""
    result = checks(type_habitat="un_niveau_patio", surface_lot_m2=surface)
    assert result[("surface_lot_min_m2", "art. 22")].ok is ok


def test_art23_patio_16m2_vue_4m() -> None:
    """Art. 23: patio of at least 16 m² with a 4 m direct view."""
    result = checks(type_habitat="un_niveau_patio", patio=Patio(surface_m2=16, vue_directe_m=3.9))
    assert result[("patio_surface_min_m2", "art. 23")].ok is True
    assert result[("patio_vue_directe_min_m", "art. 23")].ok is False


def test_donnees_manquantes_a_verifier() -> None:
    """Figures not given are à vérifier, not failed."""
    result = checks(type_habitat="un_niveau_patio")
    assert all(check.ok is None for check in result.values())


# --- Titre II chapitre II: two levels -------------------------------------------------------


@pytest.mark.parametrize(("hauteur", "ok"), [(8.0, True), (8.01, False)])
def test_art25_deux_niveaux_hauteur_8m(hauteur: float, ok: bool) -> None:
    """Art. 25: at most 8 m at the middle of the façade."""
    result = checks(type_habitat="deux_niveaux_patio", hauteur_m=hauteur)
    assert result[("hauteur_max_m", "art. 25")].ok is ok


@pytest.mark.parametrize(
    ("disposition", "minimum"),
    [
        ("jointif_une_face", 60.0),
        ("jointif_deux_faces", 65.0),
        ("jointif_trois_faces", 90.0),
        ("non_jointif_trois_faces", 100.0),
        ("non_jointif_quatre_faces", 150.0),
    ],
)
def test_art26_surface_de_lot_selon_le_patio(disposition: str, minimum: float) -> None:
    """Art. 26: the minimum lot area depends on the patio's layout."""
    at = checks(
        type_habitat="deux_niveaux_patio", disposition_patio=disposition, surface_lot_m2=minimum
    )
    under = checks(
        type_habitat="deux_niveaux_patio", disposition_patio=disposition, surface_lot_m2=minimum - 1
    )
    assert at[("surface_lot_min_m2", "art. 26")].limit == minimum
    assert at[("surface_lot_min_m2", "art. 26")].ok is True
    assert under[("surface_lot_min_m2", "art. 26")].ok is False


def test_art27_patio_jointif() -> None:
    """Art. 27: patio joined to the public domain: 20 m², 4 m deep, 5 m on the alignement."""
    patio = Patio(jointif=True, surface_m2=20, vue_directe_m=4, vue_alignement_m=4.9)
    result = checks(type_habitat="deux_niveaux_patio", patio=patio)
    assert result[("patio_surface_min_m2", "art. 27")].ok is True
    assert result[("patio_vue_directe_min_m", "art. 27")].ok is True
    assert result[("patio_vue_alignement_min_m", "art. 27")].ok is False


def test_art27_patio_non_jointif() -> None:
    """Art. 27: other patios: 36 m² and a 6 m view."""
    patio = Patio(jointif=False, surface_m2=35, vue_directe_m=6)
    result = checks(type_habitat="deux_niveaux_patio", patio=patio)
    assert result[("patio_surface_min_m2", "art. 27")].limit == 36.0
    assert result[("patio_surface_min_m2", "art. 27")].ok is False
    assert result[("patio_vue_directe_min_m", "art. 27")].ok is True


# --- Titre III: houses in bands -------------------------------------------------------------


def test_art31_art32_profondeur_et_hauteur() -> None:
    """Art. 31: at most 12 m deep; art. 32: at most 8 m high."""
    result = checks(type_habitat="bande_deux_niveaux", profondeur_m=12.5, hauteur_m=8.0)
    assert result[("profondeur_max_m", "art. 31")].ok is False
    assert result[("hauteur_max_m", "art. 32")].ok is True


@pytest.mark.parametrize(
    ("implantation", "surface", "largeur", "ok"),
    [
        ("acces_lateral", 45.0, 4.50, True),
        ("acces_lateral", 44.9, 4.49, False),
        ("bande_continue", 50.0, 5.0, True),
        ("bande_continue", 49.0, 4.9, False),
    ],
)
def test_art34_art35_lots_en_bande(
    implantation: str, surface: float, largeur: float, ok: bool
) -> None:
    """Art. 34: 45 m² (lateral access) or 50 m² (bands); art. 35: 4.50 m or 5 m wide."""
    result = checks(
        type_habitat="bande_deux_niveaux",
        implantation=implantation,
        surface_lot_m2=surface,
        largeur_lot_m=largeur,
    )
    assert result[("surface_lot_min_m2", "art. 34")].ok is ok
    assert result[("largeur_lot_min_m", "art. 35")].ok is ok


def test_art35_lot_d_angle_6m_au_plus() -> None:
    """Art. 35: a corner lot is at most 6 m wide."""
    result = checks(
        type_habitat="bande_deux_niveaux",
        implantation="bande_continue",
        lot_en_angle=True,
        largeur_lot_m=6.5,
    )
    assert result[("largeur_lot_angle_max_m", "art. 35")].ok is False


@pytest.mark.parametrize(
    ("longueur", "face_reduite", "distance", "ok"),
    [
        (30.0, True, 12.0, True),  # 30 m and more: 12 m
        (30.0, True, 11.9, False),
        (20.0, True, 10.0, True),  # 12 - 0.20 x 10 = 10 m on the reduced face
        (20.0, False, 10.0, False),  # the other face keeps 12 m
        (5.0, True, 8.0, True),  # 12 - 0.20 x 25 = 7 m, never below 8 m
        (5.0, True, 7.5, False),
        (20.0, None, 11.0, None),  # between 10 and 12 m: depends on the face
        (20.0, None, 9.0, False),
    ],
)
def test_art36_espacement_entre_facades(
    longueur: float, face_reduite: bool | None, distance: float, ok: bool | None
) -> None:
    """Art. 36: 12 m; under 30 m of length, 0.20 m less a metre on one face, at least 8 m."""
    vis = VisAVis(
        disposition="parallele",
        distance_m=distance,
        longueur_vis_a_vis_m=longueur,
        face_reduite=face_reduite,
    )
    result = checks(type_habitat="bande_deux_niveaux", vis_a_vis=[vis])
    assert result[("espacement_facades_min_m", "art. 36")].ok is ok


# --- Titre IV: buildings of more than two levels in a lotissement ---------------------------


@pytest.mark.parametrize(("niveaux", "largeur_min"), [(3, 6.0), (4, 7.5), (6, 10.5)])
def test_art39_largeur_de_base(niveaux: int, largeur_min: float) -> None:
    """Art. 39: base width 6 m for three levels, plus 1.50 m per extra level."""
    result = checks(
        type_habitat="immeuble_lotissement",
        niveaux=niveaux,
        largeur_batiment_m=largeur_min,
        profondeur_m=12.0,
    )
    assert result[("largeur_batiment_min_m", "art. 39")].limit == largeur_min
    assert result[("largeur_batiment_min_m", "art. 39")].ok is True
    assert result[("profondeur_max_m", "art. 39")].ok is True


@pytest.mark.parametrize(
    ("niveaux", "ascenseur", "ok"), [(5, False, True), (6, False, False), (6, True, True)]
)
def test_art40_ascenseur_au_dessus_de_cinq_niveaux(niveaux: int, ascenseur: bool, ok: bool) -> None:
    """Art. 40: a lift is compulsory above five levels."""
    result = checks(type_habitat="immeuble_lotissement", niveaux=niveaux, ascenseur=ascenseur)
    assert result[("ascenseur", "art. 40")].ok is ok


@pytest.mark.parametrize(("longueur", "limit", "ok"), [(40.0, 22.5, False), (25.0, 15.0, True)])
def test_art42_facades_paralleles(longueur: float, limit: float, ok: bool) -> None:
    """Art. 42: 1.5 x the higher building (15 m); up to 25 m of length, its height (≥ 12 m)."""
    vis = VisAVis(
        disposition="parallele",
        distance_m=15.0,
        hauteur_voisin_m=9.0,
        longueur_vis_a_vis_m=longueur,
    )
    result = checks(type_habitat="immeuble_lotissement", hauteur_m=15.0, vis_a_vis=[vis])
    check = result[("espacement_facades_min_m", "art. 42")]
    assert (check.limit, check.ok) == (limit, limit <= 15.0)


@pytest.mark.parametrize(("pignon", "ok"), [(False, True), (True, False), (None, None)])
def test_art43_immeubles_perpendiculaires(pignon: bool | None, ok: bool | None) -> None:
    """Art. 43: the lower building's height (9 m); 12 m if it shows a gable."""
    vis = VisAVis(
        disposition="perpendiculaire", distance_m=10.0, hauteur_voisin_m=9.0, pignon=pignon
    )
    result = checks(type_habitat="immeuble_lotissement", hauteur_m=15.0, vis_a_vis=[vis])
    assert result[("espacement_facades_min_m", "art. 43")].ok is ok


# --- Titre V: collective buildings, art. 48 azimuth table ------------------------------------


@pytest.mark.parametrize(
    ("azimuts", "rapport"),
    [
        ((90.0, 270.0), 1.50),
        ((100.0, 260.0), 1.60),
        ((110.0, 250.0), 1.65),
        ((120.0, 240.0), 1.70),
        ((130.0, 230.0), 1.75),
        ((140.0, 220.0), 1.80),
        ((150.0, 210.0), 1.85),
        ((160.0, 200.0), 1.90),
        ((170.0, 190.0), 1.95),
        ((0.0, 180.0), 2.00),
    ],
)
def test_art48_tableau_des_azimuts(azimuts: tuple[float, float], rapport: float) -> None:
    """Art. 48: each row of the table, both azimuths of the row."""
    for azimut in azimuts:
        assert rapport_art48(azimut) == pytest.approx(rapport)


def test_art48_facade_opposee_meme_rapport() -> None:
    """Art. 48: the façade facing 10° (north) reads the 190° row."""
    assert rapport_art48(10.0) == pytest.approx(1.95)
    assert rapport_art48(280.0) == pytest.approx(1.60)


def test_art48_entre_deux_lignes_interpolation() -> None:
    """Art. 48: between rows (185°) the ratio is interpolated (a reading, see module)."""
    assert rapport_art48(185.0) == pytest.approx(1.975)


def test_art48_de_140_a_220_le_plus_haut_impose() -> None:
    """Art. 48: from 140° to 220° the higher building imposes: 2.00 x 15 m = 30 m."""
    assert distance_art48(180.0, 12.0, 15.0, None) == pytest.approx(30.0)
    assert distance_art48(0.0, 15.0, 12.0, None) == pytest.approx(30.0)


def test_art48_ailleurs_l_immeuble_ecran_impose() -> None:
    """Art. 48: otherwise the building screening the sun (the southern one) imposes."""
    # Façade facing 100° (south of east): the neighbour stands to the south, 1.60 x 10 m.
    assert distance_art48(100.0, 20.0, 10.0, None) == pytest.approx(16.0)
    # Façade facing 280° (north of west): the project stands to the south, 1.60 x 20 m.
    assert distance_art48(280.0, 20.0, 10.0, None) == pytest.approx(32.0)


@pytest.mark.parametrize(
    ("longueur", "distance"),
    [(60.0, 30.0), (40.0, 24.0), (10.5, 15.3), (10.0, 15.0), (5.0, 15.0)],
)
def test_art48_reduction_sous_60m(longueur: float, distance: float) -> None:
    """Art. 48: 1/100 of the base (30 m) a metre under 60 m, never below the higher (15 m)."""
    assert distance_art48(180.0, 12.0, 15.0, longueur) == pytest.approx(distance)


def test_art48_controle_d_espacement() -> None:
    """Art. 48 as a check: 28 m between façades facing 180° with heights 12 and 15 m fails."""
    vis = VisAVis(
        disposition="parallele", distance_m=28.0, hauteur_voisin_m=15.0, azimut_facade_deg=180.0
    )
    result = checks(type_habitat="immeuble_collectif", hauteur_m=12.0, niveaux=4, vis_a_vis=[vis])
    check = result[("espacement_immeubles_min_m", "art. 48")]
    assert (check.limit, check.ok) == (30.0, False)


def test_art49_non_paralleles_au_dessus_de_30_degres() -> None:
    """Art. 49: above 30°, the higher building's height, at least 12 m."""
    vis = VisAVis(
        disposition="non_parallele", distance_m=14.0, hauteur_voisin_m=15.0, angle_deg=45.0
    )
    result = checks(type_habitat="immeuble_collectif", hauteur_m=12.0, vis_a_vis=[vis])
    check = result[("espacement_immeubles_min_m", "art. 49")]
    assert (check.limit, check.ok) == (15.0, False)


def test_art50_immeubles_perpendiculaires() -> None:
    """Art. 50: main against lateral façade: the lower façade's height, at least 12 m."""
    vis = VisAVis(disposition="perpendiculaire", distance_m=12.0, hauteur_voisin_m=9.0)
    result = checks(type_habitat="immeuble_collectif", hauteur_m=15.0, vis_a_vis=[vis])
    check = result[("espacement_immeubles_min_m", "art. 50")]
    assert (check.limit, check.ok) == (12.0, True)


@pytest.mark.parametrize(("principale", "limit", "ok"), [(True, 30.0, False), (False, 18.0, True)])
def test_art51_distance_aux_villas(principale: bool, limit: float, ok: bool) -> None:
    """Art. 51: 2.5 x the building's height on its main face, 1.5 x on a lateral face."""
    vis = VisAVis(disposition="villas", distance_m=20.0, face_principale=principale)
    result = checks(type_habitat="immeuble_collectif", hauteur_m=12.0, vis_a_vis=[vis])
    check = result[("distance_villas_min_m", "art. 51")]
    assert (check.limit, check.ok) == (limit, limit <= 20.0)


def test_art44_ascenseur_groupe_d_habitations() -> None:
    """Art. 44: above five levels, a lift, in groupes d'habitations too."""
    result = checks(type_habitat="immeuble_collectif", niveaux=7, ascenseur=False)
    assert result[("ascenseur", "art. 44")].ok is False


# --- Art. 52 and art. 55 (issue #11 §14) ---------------------------------------------------


@pytest.mark.parametrize(("distance", "ok"), [(15.0, True), (14.99, False)])
def test_art52_limite_separative_a_la_demi_distance(distance: float, ok: bool) -> None:
    """Art. 52: « l'implantation devra être prévue de façon à ce que cette limite de propriété
    coïncide avec la demie-distance déterminée par l'application du rapport distance-hauteur ».

    A 15 m building whose façade faces 180° (ratio 2.00, art. 48): 2.00 x 15 / 2 = 15 m from
    the boundary at least.
    """
    limite = LimiteSeparative(
        distance_m=distance, azimut_facade_deg=180.0, terrain_equipement=False
    )
    result = checks(type_habitat="immeuble_collectif", hauteur_m=15.0, limites_separatives=[limite])
    check = result[("limite_separative_min_m", "art. 52")]
    assert (check.limit, check.ok) == (15.0, ok)


def test_art52_facade_est_ouest() -> None:
    """Art. 48 row 90°/270° (ratio 1.50): a 12 m building stands 9 m from the boundary."""
    limite = LimiteSeparative(distance_m=9.0, azimut_facade_deg=90.0, terrain_equipement=False)
    result = checks(type_habitat="immeuble_collectif", hauteur_m=12.0, limites_separatives=[limite])
    assert result[("limite_separative_min_m", "art. 52")].limit == 9.0


def test_art52_al2_terrain_d_equipement_regle_facultative() -> None:
    """Art. 52 al. 2: « S'agissant d'un terrain destiné à l'équipement social administratif ou
    scolaire, la même règle pourra être observée à moins que chaque administration ne fasse
    connaître l'utilisation de sa propriété »: too close to such land is à vérifier."""
    limite = LimiteSeparative(distance_m=5.0, azimut_facade_deg=180.0, terrain_equipement=True)
    result = checks(type_habitat="immeuble_collectif", hauteur_m=15.0, limites_separatives=[limite])
    check = result[("limite_separative_min_m", "art. 52")]
    assert check.ok is None and check.note and "art. 52 al. 2" in check.note


def test_art52_azimut_inconnu_a_verifier() -> None:
    """Without the façade's azimuth the art. 48 ratio, hence the half-distance, is unknown."""
    limite = LimiteSeparative(distance_m=5.0)
    result = checks(type_habitat="immeuble_collectif", hauteur_m=15.0, limites_separatives=[limite])
    assert result[("limite_separative_min_m", "art. 52")].ok is None


@pytest.mark.parametrize(("surface", "ok"), [(40.0, True), (39.9, False)])
def test_art55_lots_de_recasement_40m2(surface: float, ok: bool) -> None:
    """Art. 53: « Certaines réalisations d'habitat exclusivement locatif effectuées par l'Etat ou
    les collectivités publiques auront pour but précis d'assurer le recasement des habitants des
    bidonvilles »; art. 55: « Un logement à rez-de-chaussée … Les lots pourront avoir une surface
    minimum de 40 mètres carrés »: a 40 m² lot passes, where art. 22 asks 60 m²."""
    result = checks(type_habitat="un_niveau_patio", surface_lot_m2=surface, recasement=True)
    check = result[("surface_lot_min_m2", "art. 55")]
    assert (check.limit, check.ok) == (40.0, ok)
    assert ("surface_lot_min_m2", "art. 22") not in result


def test_art22_hors_recasement_toujours_60m2() -> None:
    """Art. 22: « La superficie minimum des lots sera de 60 mètres carrés » outside art. 53."""
    result = checks(type_habitat="un_niveau_patio", surface_lot_m2=40.0)
    assert result[("surface_lot_min_m2", "art. 22")].ok is False


def test_articles_non_implementes_listes() -> None:
    """The module says which articles of the regulation it does not check."""
    import checks.habitat_economique as module

    assert "Not implemented" in (module.__doc__ or "")
    for article in ("art. 3-16", "art. 24 and 28", "art. 47", "art. 54"):
        assert article in (module.__doc__ or "")
