"""Checks of the 1964 economic-housing regulation that the project's figures allow.

Règlement général de construction d'habitat économique, annexed to décret n° 2-64-445 of
26 December 1964 (amended by décret royal n° 186-66): it applies only in the zones d'habitat
économique of a plan (art. 1), which ZoneRules.habitat_economique flags. "Niveaux" counts the
levels including the ground floor: R+1 has two levels.

Implemented: art. 21-23, 25-27, 31, 32, 34-36, 39, 40, 42-44, 48-52, and art. 55 (with art. 53)
for the lot area of a recasement dwelling.

Not implemented (the project's figures do not carry what they bear on, or they are no limit):
art. 1 (scope: the zone's flag), art. 2 (definition), art. 3-16 (inside the dwelling: ceiling
heights, room sizes and areas, stairs, windows, ventilation, covered passages, corbels,
acrotères, party walls, stair shelters), art. 17 (plans de masse), art. 18-20, 38 (definitions
and scope), art. 24 and 28 (lotissement roads), art. 30 (one dwelling a floor, double
orientation), art. 33, 41 and 46 (terraces and superstructures), art. 37 (set-back façades
allowed), art. 45 (completion of the surroundings), art. 47 (annex buildings within 10 % of the
floor area), art. 54 (the smaller rooms of recasement dwellings), and art. 55 beyond the lot
area (light materials, three or four party walls, a W.C. and an outside water point).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from checks.results import Check

SOURCE = "Règlement d'habitat économique (décret 2-64-445 du 26/12/1964)"

TypeHabitat = Literal[
    "un_niveau_patio",  # titre II chapitre I, art. 20-24
    "deux_niveaux_patio",  # titre II chapitre II, art. 25-28
    "bande_deux_niveaux",  # titre III, art. 30-37
    "immeuble_lotissement",  # titre IV, art. 38-43
    "immeuble_collectif",  # titre V, art. 44-52
]
# Art. 26: the dwelling is built on one to four faces of its patio, joined to the public
# domain (jointif) or not.
DispositionPatio = Literal[
    "jointif_une_face",
    "jointif_deux_faces",
    "jointif_trois_faces",
    "non_jointif_trois_faces",
    "non_jointif_quatre_faces",
]
SURFACE_LOT_MIN_ART26: dict[DispositionPatio, float] = {
    "jointif_une_face": 60.0,
    "jointif_deux_faces": 65.0,
    "jointif_trois_faces": 90.0,
    "non_jointif_trois_faces": 100.0,
    "non_jointif_quatre_faces": 150.0,
}
# Art. 34 and 35: lots with lateral access (staggered, or paired with set-backs) or in bands.
Implantation = Literal["acces_lateral", "bande_continue"]
Disposition = Literal["parallele", "perpendiculaire", "non_parallele", "villas"]

# Art. 48: distance/height ratio by the façades' azimuth; the key is the azimuth's deviation
# from 180° (0: façades facing north and south, 90: facing east and west).
RAPPORT_ART48: tuple[tuple[float, float], ...] = (
    (0.0, 2.00),
    (10.0, 1.95),
    (20.0, 1.90),
    (30.0, 1.85),
    (40.0, 1.80),
    (50.0, 1.75),
    (60.0, 1.70),
    (70.0, 1.65),
    (80.0, 1.60),
    (90.0, 1.50),
)


class Patio(BaseModel):
    """A patio's area and direct views, measured clear of projections (art. 23, 27)."""

    model_config = ConfigDict(extra="forbid")

    surface_m2: float | None = Field(None, ge=0)
    vue_directe_m: float | None = Field(None, ge=0, description="depth of the direct view")
    vue_alignement_m: float | None = Field(
        None, ge=0, description="width on the alignement (patio jointif, art. 27)"
    )
    jointif: bool | None = Field(None, description="joined to the public domain (art. 26-27)")


class VisAVis(BaseModel):
    """The project's façade facing a neighbouring building, and the distance between them."""

    model_config = ConfigDict(extra="forbid")

    disposition: Disposition
    distance_m: float = Field(ge=0)
    hauteur_voisin_m: float | None = Field(None, ge=0)
    longueur_vis_a_vis_m: float | None = Field(None, ge=0)
    azimut_facade_deg: float | None = Field(
        None,
        description="direction the project's façade faces, towards the neighbour (north 0°, "
        "clockwise), art. 48",
    )
    angle_deg: float | None = Field(
        None, ge=0, le=90, description="angle between non-parallel buildings (art. 49)"
    )
    pignon: bool | None = Field(None, description="the lower building shows a gable (art. 43)")
    face_principale: bool | None = Field(
        None, description="main (not lateral) face towards a group of villas (art. 51)"
    )
    face_reduite: bool | None = Field(
        None, description="the one face of the band where art. 36 allows the reduction"
    )


class LimiteSeparative(BaseModel):
    """A façade near the boundary with another property (art. 52)."""

    model_config = ConfigDict(extra="forbid")

    distance_m: float = Field(ge=0, description="from the façade to the property boundary")
    azimut_facade_deg: float | None = Field(
        None, description="direction the façade faces, towards the boundary (north 0°), art. 48"
    )
    terrain_equipement: bool | None = Field(
        None,
        description="the neighbouring land is for a social, administrative or school facility "
        "(art. 52 al. 2)",
    )


class HabitatEconomique(BaseModel):
    """What the economic-housing checks read; None where the petitioner did not say."""

    model_config = ConfigDict(extra="forbid")

    type_habitat: TypeHabitat
    hauteur_m: float | None = Field(None, ge=0)
    niveaux: int | None = Field(None, ge=1, description="levels including the ground floor")
    surface_lot_m2: float | None = Field(None, ge=0)
    largeur_lot_m: float | None = Field(None, ge=0)
    lot_en_angle: bool | None = None
    implantation: Implantation | None = None
    disposition_patio: DispositionPatio | None = None
    patio: Patio | None = None
    profondeur_m: float | None = Field(None, ge=0, description="building depth incl. corbels")
    largeur_batiment_m: float | None = Field(None, ge=0)
    ascenseur: bool | None = None
    vis_a_vis: list[VisAVis] = Field(default_factory=list)
    limites_separatives: list[LimiteSeparative] = Field(default_factory=list)
    recasement: bool | None = Field(
        None,
        description="rental housing by the State or a public body to rehouse slum dwellers "
        "(art. 53); with a ground-floor dwelling of limited validity, art. 55",
    )


def _check(
    rule: str, article: str, limit: float | None, value: float | None, ok: bool | None
) -> Check:
    """A Check citing the 1964 regulation."""
    return Check(rule=rule, limit=limit, value=value, ok=ok, source=f"{SOURCE}, {article}")


def _maximum(rule: str, article: str, limit: float, value: float | None) -> Check:
    """value must not exceed limit; unknown value → à vérifier."""
    return _check(rule, article, limit, value, None if value is None else value <= limit)


def _minimum(rule: str, article: str, limit: float | None, value: float | None) -> Check:
    """value must reach limit; unknown value or limit → à vérifier."""
    ok = None if value is None or limit is None else value >= limit
    return _check(rule, article, limit, value, ok)


def _minimum_between(
    rule: str, article: str, bounds: tuple[float, float], value: float, note: str
) -> Check:
    """The limit is one of two bounds, depending on a fact not given: decided when it can be."""
    low, high = sorted(bounds)
    ok = True if value >= high else False if value < low else None
    check = _check(rule, article, high, value, ok)
    return check if ok is not None else check.model_copy(update={"note": note})


def check_habitat_economique(projet: HabitatEconomique) -> list[Check]:
    """All the checks the 1964 regulation allows for this type of housing."""
    by_type = {
        "un_niveau_patio": _un_niveau,
        "deux_niveaux_patio": _deux_niveaux,
        "bande_deux_niveaux": _bande,
        "immeuble_lotissement": _immeuble_lotissement,
        "immeuble_collectif": _immeuble_collectif,
    }
    return by_type[projet.type_habitat](projet)


# --- Titre II: lots partly built, around a patio --------------------------------------------


def _un_niveau(projet: HabitatEconomique) -> list[Check]:
    """Titre II chapitre I: one level, 3.50 m, 60 m² lots, 16 m² patios with 4 m views."""
    patio = projet.patio or Patio()
    return [
        _maximum("hauteur_max_m", "art. 21", 3.50, projet.hauteur_m),
        _surface_lot_un_niveau(projet),
        _minimum("patio_surface_min_m2", "art. 23", 16.0, patio.surface_m2),
        _minimum("patio_vue_directe_min_m", "art. 23", 4.0, patio.vue_directe_m),
    ]


def _surface_lot_un_niveau(projet: HabitatEconomique) -> Check:
    """Art. 22: 60 m²; art. 55: 40 m² for a recasement dwelling on the ground floor (art. 53).

    Art. 53: « Certaines réalisations d'habitat exclusivement locatif effectuées par l'Etat ou
    les collectivités publiques auront pour but précis d'assurer le recasement des habitants des
    bidonvilles … pourront être soumises aux dispositions particulières indiquées ci-après ».
    Art. 55: « Un logement à rez-de-chaussée … Les lots pourront avoir une surface minimum de 40
    mètres carrés ». A one-level dwelling (titre II chapitre I) is such a ground-floor dwelling.
    Without `recasement: true` the lot is an ordinary one: art. 53 operations are the State's or
    a public body's, and say so.
    """
    if projet.recasement:
        return _minimum("surface_lot_min_m2", "art. 53, art. 55", 40.0, projet.surface_lot_m2)
    # Not declared a recasement operation (an exception the State's programme must claim).
    return _minimum("surface_lot_min_m2", "art. 22", 60.0, projet.surface_lot_m2)


def _deux_niveaux(projet: HabitatEconomique) -> list[Check]:
    """Titre II chapitre II: two levels, 8 m, lot area by patio layout, patio sizes."""
    disposition = projet.disposition_patio
    lot_min = None if disposition is None else SURFACE_LOT_MIN_ART26[disposition]
    return [
        _maximum("hauteur_max_m", "art. 25", 8.0, projet.hauteur_m),
        _minimum("surface_lot_min_m2", "art. 26", lot_min, projet.surface_lot_m2),
        *_patio_art27(projet.patio or Patio()),
    ]


def _patio_art27(patio: Patio) -> list[Check]:
    """Art. 27: joined patio 20 m², 4 m deep, 5 m on the alignement; otherwise 36 m², 6 m."""
    if patio.jointif is None:
        return [_check("patio_jointif", "art. 27", None, None, None)]
    if patio.jointif:
        return [
            _minimum("patio_surface_min_m2", "art. 27", 20.0, patio.surface_m2),
            _minimum("patio_vue_directe_min_m", "art. 27", 4.0, patio.vue_directe_m),
            _minimum("patio_vue_alignement_min_m", "art. 27", 5.0, patio.vue_alignement_m),
        ]
    return [
        _minimum("patio_surface_min_m2", "art. 27", 36.0, patio.surface_m2),
        _minimum("patio_vue_directe_min_m", "art. 27", 6.0, patio.vue_directe_m),
    ]


# --- Titre III: individual houses in bands, two levels ---------------------------------------


def _bande(projet: HabitatEconomique) -> list[Check]:
    """Titre III: 12 m deep, 8 m high, lots of 45 or 50 m², 4.50 or 5 m wide, façade spacing."""
    lot_min = {"acces_lateral": 45.0, "bande_continue": 50.0}
    largeur_min = {"acces_lateral": 4.50, "bande_continue": 5.0}
    implantation = projet.implantation
    checks = [
        _maximum("profondeur_max_m", "art. 31", 12.0, projet.profondeur_m),
        _maximum("hauteur_max_m", "art. 32", 8.0, projet.hauteur_m),
        _minimum(
            "surface_lot_min_m2",
            "art. 34",
            None if implantation is None else lot_min[implantation],
            projet.surface_lot_m2,
        ),
        _minimum(
            "largeur_lot_min_m",
            "art. 35",
            None if implantation is None else largeur_min[implantation],
            projet.largeur_lot_m,
        ),
    ]
    if projet.lot_en_angle:
        checks.append(_maximum("largeur_lot_angle_max_m", "art. 35", 6.0, projet.largeur_lot_m))
    return checks + [_espacement_art36(v) for v in projet.vis_a_vis]


def _espacement_art36(vis_a_vis: VisAVis) -> Check:
    """Art. 36: 12 m between façades; under 30 m of length, 0.20 m less a metre, at least 8 m."""
    rule, article = "espacement_facades_min_m", "art. 36"
    longueur = vis_a_vis.longueur_vis_a_vis_m
    if longueur is None:
        return _minimum_between(
            rule, article, (8.0, 12.0), vis_a_vis.distance_m, "longueur de vis-à-vis inconnue"
        )
    reduit = max(8.0, 12.0 - 0.20 * (30.0 - longueur)) if longueur < 30.0 else 12.0
    if vis_a_vis.face_reduite is None:
        note = "réduction admise sur une seule face de chaque bande: face non précisée"
        return _minimum_between(rule, article, (reduit, 12.0), vis_a_vis.distance_m, note)
    limit = reduit if vis_a_vis.face_reduite else 12.0
    return _minimum(rule, article, limit, vis_a_vis.distance_m)


# --- Titre IV: buildings of more than two levels in a lotissement ---------------------------


def _immeuble_lotissement(projet: HabitatEconomique) -> list[Check]:
    """Titre IV: 12 m deep, base width 6 m for three levels + 1.50 m a level, lift, spacing."""
    niveaux = projet.niveaux
    largeur_min = None if niveaux is None else 6.0 + 1.50 * max(0, niveaux - 3)
    checks = [
        _maximum("profondeur_max_m", "art. 39", 12.0, projet.profondeur_m),
        _minimum("largeur_batiment_min_m", "art. 39", largeur_min, projet.largeur_batiment_m),
        _ascenseur(projet, "art. 40"),
    ]
    return checks + [_espacement_titre4(projet, v) for v in projet.vis_a_vis]


def _ascenseur(projet: HabitatEconomique, article: str) -> Check:
    """Art. 40, 44: a lift is compulsory above five levels."""
    if projet.niveaux is None:
        return _check("ascenseur", article, 5, None, None)
    required = projet.niveaux > 5
    ok = True if not required else projet.ascenseur
    return _check("ascenseur", article, 5, projet.niveaux, ok)


def _hauteurs(projet: HabitatEconomique, vis_a_vis: VisAVis) -> tuple[float, float] | None:
    """Heights of the lower and the higher of the two buildings, if both are known."""
    if projet.hauteur_m is None or vis_a_vis.hauteur_voisin_m is None:
        return None
    bas, haut = sorted((projet.hauteur_m, vis_a_vis.hauteur_voisin_m))
    return bas, haut


def _espacement_titre4(projet: HabitatEconomique, vis_a_vis: VisAVis) -> Check:
    """Art. 42 (parallel façades) and 43 (perpendicular buildings)."""
    hauteurs = _hauteurs(projet, vis_a_vis)
    if vis_a_vis.disposition == "perpendiculaire":
        return _perpendiculaire_art43(vis_a_vis, hauteurs)
    return _parallele_art42(vis_a_vis, hauteurs)


def _perpendiculaire_art43(vis_a_vis: VisAVis, hauteurs: tuple[float, float] | None) -> Check:
    """Art. 43: the lower building's height; at least 12 m when it shows a gable."""
    rule, article, distance = "espacement_facades_min_m", "art. 43", vis_a_vis.distance_m
    if hauteurs is None:
        return _check(rule, article, None, distance, None)
    bas = hauteurs[0]
    if vis_a_vis.pignon is None:
        note = "pignon de l'immeuble le plus bas non précisé"
        return _minimum_between(rule, article, (bas, max(bas, 12.0)), distance, note)
    return _minimum(rule, article, max(bas, 12.0) if vis_a_vis.pignon else bas, distance)


def _parallele_art42(vis_a_vis: VisAVis, hauteurs: tuple[float, float] | None) -> Check:
    """Art. 42: 1.5 times the higher building; up to 25 m of length, its height and 12 m."""
    rule, article, longueur = "espacement_facades_min_m", "art. 42", vis_a_vis.longueur_vis_a_vis_m
    if hauteurs is None or longueur is None:
        return _check(rule, article, None, vis_a_vis.distance_m, None)
    haut = hauteurs[1]
    limit = max(haut, 12.0) if longueur <= 25.0 else 1.5 * haut
    return _minimum(rule, article, limit, vis_a_vis.distance_m)


# --- Titre V: collective buildings of a groupe d'habitations -------------------------------


def rapport_art48(azimut_deg: float) -> float:
    """Art. 48 distance/height ratio for a façade azimuth, interpolated between table rows."""
    azimut = azimut_deg % 360.0
    # The façades of two parallel buildings face opposite ways: the table reads either.
    ecart = min(abs(azimut - 180.0), azimut, 360.0 - azimut)
    for (low, ratio_low), (high, ratio_high) in pairwise(RAPPORT_ART48):
        if low <= ecart <= high:
            return ratio_low + (ratio_high - ratio_low) * (ecart - low) / (high - low)
    raise AssertionError("unreachable: the deviation lies within 0..90°")


def _hauteur_imposee_art48(
    azimut_deg: float, hauteur_projet: float, hauteur_voisin: float
) -> float:
    """Art. 48: from 140° to 220° the higher building imposes, else the one screening the sun."""
    azimut = azimut_deg % 360.0
    if 140.0 <= azimut <= 220.0 or azimut <= 40.0 or azimut >= 320.0:
        return max(hauteur_projet, hauteur_voisin)
    if 90.0 < azimut < 270.0:
        return hauteur_voisin  # the façade faces south: the neighbour stands between it and sun
    if azimut < 90.0 or azimut > 270.0:
        return hauteur_projet  # the project stands south of its neighbour
    return max(hauteur_projet, hauteur_voisin)  # due east or west: neither screens the sun


def distance_art48(
    azimut_deg: float, hauteur_projet: float, hauteur_voisin: float, longueur_m: float | None
) -> float:
    """Art. 48 distance between two parallel buildings, with the reduction under 60 m."""
    base = rapport_art48(azimut_deg) * _hauteur_imposee_art48(
        azimut_deg, hauteur_projet, hauteur_voisin
    )
    if longueur_m is None or longueur_m >= 60.0:
        return base
    # 1/100 of the base for each whole metre under 60, never below the higher building.
    reduite = base * (1.0 - math.floor(60.0 - longueur_m) / 100.0)
    plancher = min(base, max(hauteur_projet, hauteur_voisin))
    return max(reduite, plancher)


def _immeuble_collectif(projet: HabitatEconomique) -> list[Check]:
    """Titre V: lift (art. 44), distances between buildings (48-51) and to the boundary (52)."""
    return [
        _ascenseur(projet, "art. 44"),
        *[_espacement_titre5(projet, v) for v in projet.vis_a_vis],
        *[_limite_art52(projet, limite) for limite in projet.limites_separatives],
    ]


def _limite_art52(projet: HabitatEconomique, limite: LimiteSeparative) -> Check:
    """Art. 52: the property boundary lies at half the art. 48 distance from the building.

    « Lorsque des immeubles sont implantés à proximité de la limite séparative de deux
    propriétés, l'implantation devra être prévue de façon à ce que cette limite de propriété
    coïncide avec la demie-distance déterminée par l'application du rapport distance-hauteur. »
    We read « coïncide » as the least distance: a building set further back leaves its
    neighbour more than its half. The distance is the art. 48 ratio for the façade's azimuth
    times this building's height (the neighbour's is not known yet), without the reduction for
    short vis-à-vis, which presupposes the facing building. Al. 2: beside land for a social,
    administrative or school facility « la même règle pourra être observée à moins que chaque
    administration ne fasse connaître l'utilisation de sa propriété »: then à vérifier.
    """
    rule, article = "limite_separative_min_m", "art. 48, art. 52"
    if projet.hauteur_m is None or limite.azimut_facade_deg is None:
        return _check(rule, article, None, limite.distance_m, None)
    limit = round(rapport_art48(limite.azimut_facade_deg) * projet.hauteur_m / 2.0, 2)
    check = _minimum(rule, article, limit, limite.distance_m)
    if limite.terrain_equipement is not False and check.ok is False:
        note = "terrain d'équipement voisin : règle facultative (art. 52 al. 2)"
        if limite.terrain_equipement is None:
            note = "voisin non précisé : règle facultative s'il s'agit d'un terrain d'équipement"
        return check.model_copy(update={"ok": None, "note": note})
    return check


def _espacement_titre5(projet: HabitatEconomique, vis_a_vis: VisAVis) -> Check:
    """Art. 48 parallel, 49 non-parallel, 50 perpendicular, 51 facing villas."""
    rule = "espacement_immeubles_min_m"
    if vis_a_vis.disposition == "villas":
        return _distance_villas(projet, vis_a_vis)
    hauteurs = _hauteurs(projet, vis_a_vis)
    if hauteurs is None:
        return _check(rule, "art. 48-50", None, vis_a_vis.distance_m, None)
    if vis_a_vis.disposition == "perpendiculaire":
        return _minimum(rule, "art. 50", max(hauteurs[0], 12.0), vis_a_vis.distance_m)
    if vis_a_vis.disposition == "non_parallele" and (vis_a_vis.angle_deg or 0.0) > 30.0:
        return _minimum(rule, "art. 49", max(hauteurs[1], 12.0), vis_a_vis.distance_m)
    return _parallele_art48(projet, vis_a_vis)


def _parallele_art48(projet: HabitatEconomique, vis_a_vis: VisAVis) -> Check:
    """Art. 48 (and art. 49 under 30°): the azimuth table."""
    article = "art. 48" if vis_a_vis.disposition == "parallele" else "art. 49, art. 48"
    rule = "espacement_immeubles_min_m"
    if vis_a_vis.disposition == "non_parallele" and vis_a_vis.angle_deg is None:
        return _check(rule, article, None, vis_a_vis.distance_m, None)
    if vis_a_vis.azimut_facade_deg is None or vis_a_vis.hauteur_voisin_m is None:
        return _check(rule, article, None, vis_a_vis.distance_m, None)
    assert projet.hauteur_m is not None  # checked by the caller through _hauteurs
    limit = distance_art48(
        vis_a_vis.azimut_facade_deg,
        projet.hauteur_m,
        vis_a_vis.hauteur_voisin_m,
        vis_a_vis.longueur_vis_a_vis_m,
    )
    return _minimum(rule, article, round(limit, 2), vis_a_vis.distance_m)


def _distance_villas(projet: HabitatEconomique, vis_a_vis: VisAVis) -> Check:
    """Art. 51: 2.5 times the building's height on its main face, 1.5 times on a lateral one."""
    rule = "distance_villas_min_m"
    if projet.hauteur_m is None:
        return _check(rule, "art. 51", None, vis_a_vis.distance_m, None)
    principale, laterale = 2.5 * projet.hauteur_m, 1.5 * projet.hauteur_m
    if vis_a_vis.face_principale is None:
        note = "face principale ou latérale non précisée"
        return _minimum_between(rule, "art. 51", (laterale, principale), vis_a_vis.distance_m, note)
    limit = principale if vis_a_vis.face_principale else laterale
    return _minimum(rule, "art. 51", limit, vis_a_vis.distance_m)
