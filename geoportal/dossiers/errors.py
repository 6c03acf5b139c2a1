"""The dossier workflow's refusals: a stable code and a French sentence (zoning.refusal)."""

from __future__ import annotations

from zoning.refusal import Conflict, Forbidden, Invalid, NotFound


class DossierNotFound(NotFound):
    """No dossier (or none the caller may see) has that id or number (404)."""

    def __init__(self, what: object) -> None:
        super().__init__("dossier_introuvable", f"Aucun dossier {what} accessible à ce compte.")


class CommissionNotFound(NotFound):
    """No commission session has that id (404)."""

    def __init__(self, what: object) -> None:
        super().__init__("commission_introuvable", f"Aucune séance de commission n° {what}.")


class ParcelNotFound(NotFound):
    """No stored parcel has that id (404)."""

    def __init__(self, what: object) -> None:
        super().__init__("parcelle_introuvable", f"Aucune parcelle n° {what}.")


class WrongState(Conflict):
    """The act does not fit the dossier's state (409): wrong order."""

    def __init__(self, act: str, state: str, expected: str) -> None:
        super().__init__(
            "etat_incompatible",
            f"{act} impossible : le dossier est à l'état « {state} » ; il doit être {expected}.",
            state=state,
        )


class DossierForbidden(Forbidden):
    """The caller's role or scope does not allow this act on this dossier (403)."""

    def __init__(self, detail: str, code: str = "hors_perimetre") -> None:
        super().__init__(code, detail)


class DossierConflict(Conflict):
    """The act contradicts what is stored (409)."""


class DossierInvalid(Invalid):
    """The act's input cannot be used (422, or the code's own status)."""
