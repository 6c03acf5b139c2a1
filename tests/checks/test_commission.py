"""Members of the commission d'instruction (RGC art. 20-27, 46)."""

from __future__ import annotations

from checks.avis import AvisRequis
from checks.commission import Commission, commission_members
from checks.project import Project


def codes(commission: Commission) -> list[str]:
    """Member codes, in order."""
    return [member.code for member in commission.members]


def test_art22_al1_petits_projets_membres_permanents() -> None:
    """Art. 22 al. 1: préfecture or province, commune, agence urbaine."""
    commission = commission_members(Project(kind="construction"), "petits_projets")
    assert codes(commission) == ["prefecture_province", "commune", "agence_urbaine"]


def test_art22_al2_grands_projets_reseaux() -> None:
    """Art. 22 al. 2: telecommunications and network operators join for grands projets."""
    commission = commission_members(Project(kind="construction"), "grands_projets")
    assert codes(commission) == [
        "prefecture_province",
        "commune",
        "agence_urbaine",
        "reseaux_telecommunications",
        "reseaux_divers",
    ]


def test_art23_morcellement_conservation_fonciere() -> None:
    """Art. 23: the land registry agency (ANCFCC) sits for morcellements, instead of art. 22."""
    commission = commission_members(Project(kind="morcellement"), "grands_projets")
    assert codes(commission) == ["prefecture_province", "commune", "agence_urbaine", "ancfcc"]
    assert all(member.rule.startswith("RGC art. 23") for member in commission.members)


def test_art24_demolition_prefecture_et_commune() -> None:
    """Art. 24: only the préfecture or province and the commune, even for a grand projet."""
    project = Project(kind="demolition", parent_procedure="grands_projets")
    commission = commission_members(project, "grands_projets")
    assert codes(commission) == ["prefecture_province", "commune"]


def test_art25_lotissement_receptionne_sans_reseaux_divers() -> None:
    """Art. 25 al. 1: in a lotissement réceptionné the network operators are not called."""
    project = Project(kind="construction", in_lotissement_receptionne=True)
    commission = commission_members(project, "grands_projets")
    assert "reseaux_divers" not in codes(commission)
    assert any(reason.rule == "RGC art. 25 al. 1" for reason in commission.reasons)


def test_art25_al2_visa_des_vrd_pour_les_lotissements() -> None:
    """Art. 25 al. 2: the VRD documents of a lotissement carry the networks' visa."""
    commission = commission_members(Project(kind="lotissement"), "grands_projets")
    assert any(reason.rule == "RGC art. 25 al. 2" for reason in commission.reasons)


def test_art26_administrations_dont_l_avis_est_requis() -> None:
    """Art. 26: non-permanent members are the administrations whose opinion the law requires."""
    project = Project(kind="construction", patrimoine=True)
    commission = commission_members(project, "grands_projets", ["Ministère de la Culture"])
    member = commission.members[-1]
    assert (member.label, member.permanent, member.rule) == (
        "Ministère de la Culture",
        False,
        "RGC art. 26",
    )


def test_art20_art46_refection_sans_commission() -> None:
    """Art. 20 al. 2, art. 46: the communal urban service decides alone."""
    commission = commission_members(Project(kind="refection"), "refection")
    assert commission.members == []
    assert "art. 46" in commission.reasons[0].rule


def test_procedure_indeterminee_membres_permanents_et_avertissement() -> None:
    """Unknown procedure: the art. 22 members, and a note that networks join for grands projets."""
    commission = commission_members(Project(kind="construction"), None)
    assert codes(commission) == ["prefecture_province", "commune", "agence_urbaine"]
    assert any("art. 22 al. 2" in reason.rule for reason in commission.reasons)


def test_art25_al2_visa_des_vrd_meme_en_lotissement_receptionne() -> None:
    """Art. 25 al. 2: « Cependant, et avant la délivrance des autorisations, les documents
    techniques afférents à la réalisation de la voirie et des réseaux divers relatifs aux
    demandes d'autorisation concernant les projets de lotissements et de groupes d'habitations
    doivent porter le visa des … organismes chargés de la gestion des réseaux divers. »

    « Cependant » answers al. 1: inside a lotissement réceptionné the commission does not call
    the operators, but a groupe d'habitations' VRD documents still need their visa.
    """
    project = Project(kind="groupe_habitations", in_lotissement_receptionne=True)
    commission = commission_members(project, "grands_projets")
    rules = [reason.rule for reason in commission.reasons]
    assert "RGC art. 25 al. 1" in rules and "RGC art. 25 al. 2" in rules
    assert "reseaux_divers" not in codes(commission)


def test_art25_al2_pas_de_visa_vrd_pour_une_construction() -> None:
    """Art. 25 al. 2 names « les projets de lotissements et de groupes d'habitations » only."""
    project = Project(kind="construction", in_lotissement_receptionne=True)
    commission = commission_members(project, "grands_projets")
    assert all(reason.rule != "RGC art. 25 al. 2" for reason in commission.reasons)


def test_art26_membres_non_permanents_avec_leur_code_et_leur_motif() -> None:
    """Art. 26: « les membres non permanents … sont limités aux seuls représentants des
    administrations dont l'avis ou le visa est requis par la législation en vigueur »."""
    avis = AvisRequis(
        code="culture",
        label="Ministère chargé de la culture",
        base="Loi n° 22-80",
        reasons=["Parcelle grevée par la servitude « monument »."],
    )
    commission = commission_members(Project(kind="construction"), "petits_projets", [avis])
    member = commission.members[-1]
    assert (member.code, member.permanent, member.rule) == ("culture", False, "RGC art. 26")
    assert member.base == "Loi n° 22-80" and member.reasons == avis.reasons
