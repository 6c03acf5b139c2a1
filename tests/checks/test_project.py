"""The Project model: unknown facts stay None, typos and impossible values are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from checks.project import Project


def test_champs_optionnels_inconnus_par_defaut() -> None:
    """Nothing is guessed: every optional fact defaults to None."""
    project = Project(kind="construction")
    optional = set(Project.model_fields) - {"kind"}
    assert all(getattr(project, name) is None for name in optional)


def test_champ_inconnu_refuse() -> None:
    """A misspelt field is an error, not silently dropped."""
    with pytest.raises(ValidationError, match="extra"):
        Project.model_validate({"kind": "construction", "hauteur": 12})


@pytest.mark.parametrize("field", ["height_m", "storeys", "floor_area_m2"])
def test_valeurs_negatives_refusees(field: str) -> None:
    """Heights, storeys and areas cannot be negative."""
    with pytest.raises(ValidationError):
        Project.model_validate({"kind": "construction", field: -1})


def test_nature_inconnue_refusee() -> None:
    """Only the kinds of docs/http.md are accepted."""
    with pytest.raises(ValidationError):
        Project.model_validate({"kind": "piscine"})


@pytest.mark.parametrize(
    ("receptionne", "restructure", "expected"),
    [
        (True, None, True),
        (None, True, True),
        (False, False, False),
        (False, None, None),
        (None, None, None),
    ],
)
def test_in_lotissement_equipe(
    receptionne: bool | None, restructure: bool | None, expected: bool | None
) -> None:
    """Réceptionné or restructuré (Annexes 2, 3), three-valued."""
    project = Project(
        kind="construction",
        in_lotissement_receptionne=receptionne,
        in_lotissement_restructure=restructure,
    )
    assert project.in_lotissement_equipe() is expected
