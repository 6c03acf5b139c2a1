"""The dossier's acts, from filing to notification (RGC art. 18-20, 29-44): one transaction
each, its row locked, its audit line and timeline event written with it.

Who may act where (issue #13 « Roles »): a petitioner or architect files and follows their own
dossiers; the guichet (one commune, or a prefecture's comité) checks them and runs the
sessions; a membre speaks for its one service; the agency's agents give the `agence_urbaine`
avis; the president of the communal council decides. An admin may read everything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.geometry
from sqlalchemy import text

from checks.calendar import WorkingCalendar, working_days_between
from checks.fees import FeeFacts
from checks.project import Project
from geoportal.accounts import Principal
from geoportal.dossiers import store
from geoportal.dossiers.errors import (
    DossierConflict,
    DossierForbidden,
    DossierInvalid,
    DossierNotFound,
    WrongState,
)
from geoportal.dossiers.numbering import dossier_number, permit_number
from geoportal.dossiers.pieces import Upload, checked_upload, pieces_for, sha256
from geoportal.parcels import ParcelRequest, locate
from geoportal.projects.instruction import classify_project, quote_fee, site_facts
from geoportal.projects.register import ProjectRecord, record_project
from zoning.audit import record_act

AGENCY_SERVICE = "agence_urbaine"
FAVOURABLE = ("favorable", "favorable_sous_reserve")
FILERS = ("petitioner", "architecte")
BEFORE_PV = ("depose", "irrecevable", "recevable", "en_commission", "modifications_demandees")
DECIDED = ("autorise", "refuse")


@dataclass(frozen=True)
class Filing:
    """What a petitioner files (POST /api/v1/dossiers)."""

    project: Project
    coordinates: Any
    srid: int | None = None
    plan: str | None = None
    land_reference: str | None = None
    nru_id: str | None = None
    session_id: int | None = None
    pre_instruction_id: int | None = None


def today() -> dt.date:
    """The acts' date (the server's day)."""
    return dt.date.today()


def _act(conn: Any, row: dict[str, Any], event: str, by: Principal, **details: Any) -> None:
    """The timeline's event and the audit trail's line, in the act's transaction."""
    store.add_event(conn, row["id"], event, by.role, details)
    record_act(conn, f"dossier.{event}", row["number"], details, actor=by.actor)


# --- who may see and do what ---------------------------------------------------------------


def members_codes(row: dict[str, Any]) -> list[str]:
    """The services sitting on the dossier's commission."""
    return [m["code"] for m in row["commission_members"]]


def can_read(row: dict[str, Any], by: Principal) -> bool:
    """Scoped reading: the filer, the agents of its agency, its commune's guichet and
    president, a member whose service sits on it once it is on an agenda, the admin."""
    if by.role == "admin":
        return True
    if by.role in FILERS:
        return bool(row["filed_by"] == by.user_id)
    if by.role == "agent":
        return bool(by.agency == row["agency"])
    if by.role == "guichet":
        return _guichet_of(row, by)
    if by.role == "president":
        return bool(by.commune == row["commune"])
    if by.role == "membre":
        on_agenda = row["commission_id"] is not None or row["pv_on"] is not None
        in_commune = by.commune is None or by.commune == row["commune"]
        return on_agenda and in_commune and by.service in members_codes(row)
    return False


def _guichet_of(row: dict[str, Any], by: Principal) -> bool:
    """The commune's guichet, or the comité of its prefecture (art. 35)."""
    if by.commune is not None:
        return bool(by.commune == row["commune"])
    return by.prefecture is not None and bool(by.prefecture == row["prefecture"])


def readable(conn: Any, dossier_id: int, by: Principal, *, lock: bool = False) -> dict[str, Any]:
    """The dossier's row if the caller may read it: 404 for a petitioner (another's dossier is
    not even said to exist), 403 for an agent outside their scope."""
    row = store.load(conn, dossier_id, lock=lock)
    if not can_read(row, by):
        if by.role in FILERS or not by.signed_in:
            raise DossierNotFound(f"n° {dossier_id}")
        raise DossierForbidden(
            f"Le dossier {row['number']} n'est pas dans le périmètre de ce compte ({by.role})."
        )
    return row


def _require(by: Principal, *roles: str, what: str) -> None:
    """DossierForbidden unless the caller has one of the roles."""
    if by.role not in roles:
        raise DossierForbidden(
            f"{what} : réservé au rôle {' ou '.join(roles)} ; ce compte est « {by.role} ».",
            code="role_insuffisant",
        )


def _require_guichet(row: dict[str, Any], by: Principal, what: str) -> None:
    """The dossier's commune's guichet (or the admin)."""
    if by.role == "admin":
        return
    _require(by, "guichet", what=what)
    if not _guichet_of(row, by):
        raise DossierForbidden(f"{what} : le dossier relève de la commune {row['commune']}.")


# --- filing (art. 34-37) ------------------------------------------------------------------


def file_dossier(
    conn: Any, filing: Filing, by: Principal, *, storage_srid: int, calendar: WorkingCalendar
) -> dict[str, Any]:
    """Art. 34: filed against a receipt « numéroté et daté »; the procedure, commission and
    deadlines from checks/; the parcel stored once; the slot booked if one was asked."""
    _require(by, *FILERS, what="Le dépôt d'un dossier")
    request = ParcelRequest(coordinates=filing.coordinates, srid=filing.srid, plan=filing.plan)
    located = locate(conn, request, storage_srid)
    if located.overlay is None:
        raise DossierInvalid(
            "hors_plan",
            "coordinates : la parcelle est hors de tout plan ; la commune du dépôt ne peut être "
            "déterminée (art. 34 : bureau d'ordre de la commune).",
        )
    overlay = located.overlay
    day = today()
    project = filing.project.model_copy(update={"coordinates": None, "srid": None})
    site = site_facts(conn, overlay, located.geometry, storage_srid)
    classified = classify_project(
        project, calendar, filed_on=day, overlay=overlay, located=True, site=site
    )
    if classified["procedure"] is None:
        raise DossierInvalid(
            "procedure_indeterminee",
            "project : la procédure (grands ou petits projets, réfection) ne peut être "
            f"déterminée ; à préciser : {', '.join(classified['missing'])}.",
            missing=classified["missing"],
        )
    if filing.nru_id is not None:
        _known_note(conn, filing.nru_id)
    commune = overlay.plan["commune"]
    session = _booked_session(conn, filing.session_id, commune, day)
    pre = filing.pre_instruction_id is not None
    facts = FeeFacts()
    if filing.pre_instruction_id is not None:
        from geoportal.dossiers.pre_instruction import check_for_filing

        before = check_for_filing(conn, filing.pre_instruction_id, by)
        # guide §5-3: nothing more is due unless the project grew since its pré-instruction
        added = (project.floor_area_m2 or 0) - float(before.get("floor_area_m2") or 0)
        facts = FeeFacts(pre_instruction_percue=True, surface_ajoutee_m2=max(0.0, added))
    fee = quote_fee(project, facts)
    number = dossier_number(conn, commune, day.year)
    values = {
        "number": number,
        "commune": commune,
        "prefecture": overlay.plan.get("province"),
        "agency": overlay.plan.get("agency"),
        "plan_name": overlay.plan_name,
        "parcel_id": store.store_parcel(
            conn,
            located.geometry,
            filing.land_reference,
            commune,
            overlay.plan.get("agency"),
            storage_srid,
        ),
        "kind": project.kind,
        "procedure": classified["procedure"],
        "project": project.model_dump(mode="json", exclude_none=True),
        "commission_members": [
            {"code": m["code"], "label": m["label"], "rule": m["rule"]}
            for m in classified["commission"]
        ],
        "land_reference": filing.land_reference,
        "nru_id": filing.nru_id,
        "filed_by": by.user_id,
        "filed_by_role": by.role,
        "filed_at": dt.datetime.now(dt.UTC),
        "filed_on": day,
        "booked_session_id": session["id"] if session else None,
        "pre_instruction": pre,
        "pre_instruction_id": filing.pre_instruction_id,
        "fee": fee,
    }
    dossier_id = store.insert_dossier(conn, values)
    row = store.load(conn, dossier_id)
    _act(conn, row, "depot", by, procedure=row["procedure"], session=values["booked_session_id"])
    return row


def _known_note(conn: Any, nru_id: str) -> None:
    """The NRU the petitioner names must be one the agency issued, and still in force."""
    from geoportal.nru.store import NruNotFound, access_row

    try:
        row = access_row(conn, nru_id)
    except NruNotFound:
        raise DossierInvalid(
            "nru_inconnue", f"nru_id : aucune note de renseignements n° {nru_id}."
        ) from None
    if row.revoked_at is not None:
        raise DossierInvalid("nru_revoquee", f"nru_id : la note {row.number} est révoquée.")


def _booked_session(
    conn: Any, session_id: int | None, commune: str, day: dt.date
) -> dict[str, Any] | None:
    """The session whose slot the petitioner books (CASAURBA's « créneau »), checked."""
    if session_id is None:
        return None
    session = store.load_commission(conn, session_id, lock=True)  # slots counted once
    if session["commune"] != commune:
        raise DossierInvalid(
            "seance_autre_commune",
            f"session_id : la séance n° {session_id} est celle de {session['commune']}, "
            f"pas de {commune}.",
        )
    if session["closed_at"] is not None or session["date"] < day:
        raise DossierConflict("seance_passee", f"La séance n° {session_id} est close ou passée.")
    if store.taken_slots(conn, session_id) >= session["slots"]:
        raise DossierConflict(
            "seance_complete",
            f"La séance du {session['date']:%d/%m/%Y} n'a plus de créneau libre.",
        )
    return session


def receipt(conn: Any, row: dict[str, Any]) -> dict[str, Any]:
    """Art. 34: the receipt's number and date and, at a guichet unique, the session's date."""
    session = None
    if row["booked_session_id"] is not None:
        session = store.load_commission(conn, row["booked_session_id"])
    elif row["commission_id"] is not None:
        session = store.load_commission(conn, row["commission_id"])
    else:
        session = store.next_session(conn, row["commune"], row["filed_on"])
    return {
        "number": row["number"],
        "date": row["filed_on"].isoformat(),
        "session_date": session["date"].isoformat() if session else None,
        "session_id": session["id"] if session else None,
        "slot_booked": row["booked_session_id"] is not None,
    }


# --- pieces (art. 37, 41 al. 2) -------------------------------------------------------------


def add_piece(
    conn: Any, dossier_id: int, kind: str, upload: Upload, by: Principal, *, max_bytes: int
) -> dict[str, Any]:
    """A piece's new version; after a request for changes, the récépissé restarts the clocks
    (art. 41 al. 2: « ne commencent, à courir de nouveau, qu'à compter de la date du dépôt »)."""
    row = readable(conn, dossier_id, by, lock=True)
    if row["filed_by"] != by.user_id:
        raise DossierForbidden("Seul le déposant du dossier en joint les pièces.")
    if row["state"] in DECIDED:
        raise WrongState("Le dépôt d'une pièce", row["state"], "en cours d'instruction")
    listed = pieces_for(row["kind"], mandated=row["filed_by_role"] == "architecte")
    media = checked_upload(upload, kind, listed, max_bytes)
    restart = row["state"] == "modifications_demandees"
    piece = store.insert_piece(
        conn,
        {
            "dossier_id": dossier_id,
            "kind": kind,
            "filename": (upload.filename or "")[:200] or None,
            "media_type": media,
            "size": len(upload.content),
            "sha256": sha256(upload.content),
            "content": upload.content,
            "uploaded_by": by.user_id,
            "recepisse": restart,
        },
    )
    _act(conn, row, "piece", by, kind=kind, version=piece["version"], sha256=piece["sha256"])
    answer: dict[str, Any] = {**piece, "at": piece["at"].isoformat()}
    if row["observations_on"] is not None and row["observations_answered_on"] is None:
        # art. 42: the concepteur's pieces answer the observations, within 5 working days
        store.update(conn, dossier_id, observations_answered_on=today())
    if restart:
        day = today()
        store.update(
            conn,
            dossier_id,
            state="recevable",
            restarted_on=day,
            round=row["round"] + 1,
            commission_id=None,
            booked_session_id=None,
            pv_on=None,
            transmitted_on=None,
            meeting_on=None,
            pv_pdf=None,
        )
        answer["recepisse"] = {"number": f"{row['number']}-R{row['round']}", "date": str(day)}
        answer["state"] = "recevable"
        _act(conn, row, "depot_pieces_modificatives", by, recepisse=answer["recepisse"])
    return answer


def recevabilite(
    conn: Any, dossier_id: int, recevable: bool, missing: list[str], by: Principal
) -> dict[str, Any]:
    """Art. 37 al. 1: irrecevable without every document principal, named; al. 2: a missing
    document complémentaire is never a reason to refuse."""
    row = readable(conn, dossier_id, by, lock=True)
    _require_guichet(row, by, "La recevabilité")
    if row["state"] not in ("depose", "irrecevable"):
        raise WrongState("La recevabilité", row["state"], "déposé (ou irrecevable et complété)")
    listed = {
        p.code: p for p in pieces_for(row["kind"], mandated=row["filed_by_role"] == "architecte")
    }
    provided = store.piece_kinds(conn, dossier_id)
    absent = [code for code, p in listed.items() if p.principal and code not in provided]
    unknown = [code for code in missing if code not in listed]
    if unknown:
        raise DossierInvalid(
            "piece_inconnue", f"missing : pièces inconnues pour ce dossier : {', '.join(unknown)}."
        )
    complementary = [code for code in missing if not listed[code].principal]
    if complementary:
        raise DossierInvalid(
            "complementaire_non_bloquant",
            "missing : « L'absence d'un des documents complémentaires ne peut, en aucun cas, "
            "constituer un motif de rejet des demandes » (art. 37 al. 2) : "
            f"{', '.join(listed[c].label for c in complementary)}.",
        )
    if recevable and absent:
        raise DossierConflict(
            "documents_principaux_manquants",
            "Dossier irrecevable (art. 37 al. 1) : il manque "
            f"{', '.join(listed[c].label for c in absent)}.",
            missing=[{"code": c, "label": listed[c].label} for c in absent],
        )
    named = [] if recevable else list(dict.fromkeys(missing or absent))
    if not recevable and not named:
        raise DossierInvalid(
            "irrecevable_sans_motif",
            "missing : un dossier n'est irrecevable que faute d'un document principal "
            "(art. 37 al. 1), à nommer.",
        )
    state = "recevable" if recevable else "irrecevable"
    store.update(conn, dossier_id, state=state, recevable_on=today() if recevable else None)
    _act(conn, row, state, by, missing=named)
    return {
        "id": dossier_id,
        "number": row["number"],
        "state": state,
        "missing": [{"code": c, "label": listed[c].label} for c in named],
    }


# --- sessions (art. 18 al. 4, 28-30, 38) -----------------------------------------------------


def create_session(
    conn: Any, date: dt.date, commune: str, slots: int, by: Principal
) -> dict[str, Any]:
    """The secretariat schedules a session of the commission."""
    if by.role != "admin":
        _require(by, "guichet", what="La programmation d'une séance")
        if by.commune is not None and by.commune != commune:
            raise DossierForbidden(f"Ce guichet est celui de {by.commune}, pas de {commune}.")
    if date < today():
        raise DossierInvalid("date_passee", f"date : le {date:%d/%m/%Y} est passé.")
    session_id = int(
        conn.execute(
            _INSERT_SESSION,
            {
                "commune": commune,
                "prefecture": by.prefecture,
                "date": date,
                "slots": slots,
                "by": by.user_id,
            },
        ).scalar_one()
    )
    details = {"id": session_id, "date": date, "commune": commune, "slots": slots}
    record_act(conn, "commission.create", f"commission#{session_id}", details, actor=by.actor)
    return {"id": session_id, "date": date.isoformat(), "commune": commune, "slots": slots}


_INSERT_SESSION = text("""INSERT INTO commissions (commune, prefecture, date, slots, created_by)
                          VALUES (:commune, :prefecture, :date, :slots, :by) RETURNING id""")


def _session_guichet(session: dict[str, Any], by: Principal, what: str) -> None:
    if by.role == "admin":
        return
    _require(by, "guichet", what=what)
    if by.commune is not None and by.commune != session["commune"]:
        raise DossierForbidden(f"{what} : la séance est celle de {session['commune']}.")
    if by.commune is None and by.prefecture != session["prefecture"]:
        raise DossierForbidden(f"{what} : la séance n'est pas celle de ce comité.")


def put_on_agenda(conn: Any, session_id: int, dossier_id: int, by: Principal) -> dict[str, Any]:
    """Art. 18 al. 2 (transmission to the commission), art. 19: the dossier on the agenda."""
    session = store.load_commission(conn, session_id, lock=True)
    _session_guichet(session, by, "L'inscription à l'ordre du jour")
    row = readable(conn, dossier_id, by, lock=True)
    if session["closed_at"] is not None:
        raise DossierConflict("seance_close", f"La séance n° {session_id} est close.")
    if row["commune"] != session["commune"]:
        raise DossierInvalid(
            "seance_autre_commune",
            f"dossier_id : le dossier relève de {row['commune']}, la séance de "
            f"{session['commune']}.",
        )
    if row["procedure"] == "refection":
        raise DossierConflict(
            "sans_commission",
            "Réfection : le service communal instruit sans commission (art. 20 al. 2, art. 46).",
        )
    if row["state"] != "recevable":
        raise WrongState("L'inscription à l'ordre du jour", row["state"], "recevable")
    if store.taken_slots(conn, session_id, but=dossier_id) >= session["slots"]:
        raise DossierConflict("seance_complete", "La séance n'a plus de créneau libre.")
    store.update(
        conn,
        dossier_id,
        state="en_commission",
        commission_id=session_id,
        transmitted_on=today(),  # art. 18 al. 2: transmitted when put on the agenda
        meeting_on=session["date"],
    )
    conn.execute(
        text("UPDATE commissions SET agenda_pdf = NULL WHERE id = :id"), {"id": session_id}
    )
    _act(conn, row, "en_commission", by, commission=session_id, date=session["date"])
    return {
        "id": dossier_id,
        "number": row["number"],
        "state": "en_commission",
        "commission_id": session_id,
    }


def give_avis(
    conn: Any,
    dossier_id: int,
    avis: str,
    observations: str | None,
    by: Principal,
    *,
    visa: bool = False,
) -> dict[str, Any]:
    """Art. 29-30: each member service once, by the end of the session at the latest; a member
    speaks only for its own service; the agency's agents for `agence_urbaine` (art. 39)."""
    if by.role == "membre":
        service = by.service
    elif by.role == "agent":
        service = AGENCY_SERVICE
    else:
        raise DossierForbidden(
            "L'avis est donné par un membre de la commission (ou un agent de l'agence urbaine).",
            code="role_insuffisant",
        )
    row = store.load(conn, dossier_id, lock=True)
    if by.role == "agent" and by.agency != row["agency"]:
        raise DossierForbidden(f"Le dossier {row['number']} relève de {row['agency']}.")
    if service not in members_codes(row):
        raise DossierForbidden(
            f"Le service « {service} » ne siège pas à la commission de ce dossier.",
            code="service_hors_commission",
        )
    if not can_read(row, by):
        raise DossierForbidden(
            f"Le dossier {row['number']} n'est pas à l'ordre du jour de vos séances."
        )
    if row["state"] != "en_commission":
        raise WrongState("L'avis", row["state"], "en commission (art. 30)")
    if avis == "favorable_sous_reserve" and not (observations or "").strip():
        raise DossierInvalid(
            "reserves_manquantes",
            "observations : un avis favorable sous réserve nomme ses réserves (elles deviennent "
            "les conditions de la décision).",
        )
    given = {a["service"] for a in store.avis_of(conn, dossier_id, row["round"])}
    if service in given:
        raise DossierConflict(
            "avis_deja_emis",
            f"Le service « {service} » a déjà donné son avis sur ce dossier (art. 30 : « en "
            "évitant la succession d'avis »).",
        )
    store.insert_avis(
        conn,
        {
            "dossier_id": dossier_id,
            "round": row["round"],
            "service": service,
            "avis": avis,
            "observations": observations,
            "visa": visa,
            "by_user": by.user_id,
        },
    )
    _act(conn, row, "avis", by, service=service, avis=avis, visa=visa)
    return {"dossier_id": dossier_id, "service": service, "avis": avis}


SILENT = "Aucun avis à la clôture de la séance (art. 30)."


def close_session(conn: Any, session_id: int, by: Principal) -> dict[str, Any]:
    """Art. 30, 38: the session ends; a service silent by then is recorded « sans avis » in
    each PV; the PV goes to the president (3 working days)."""
    session = store.load_commission(conn, session_id, lock=True)
    _session_guichet(session, by, "La clôture de la séance")
    if session["closed_at"] is not None:
        raise DossierConflict("seance_close", f"La séance n° {session_id} est déjà close.")
    day = today()
    # one statement for the whole agenda (a session holds up to 500 dossiers), then the
    # timeline and audit lines of each dossier, as its own act would write them
    closed = store.close_agenda(conn, session_id, day, SILENT)
    details = [{"commission": session_id, "sans_avis": c["missing_avis"]} for c in closed]
    store.add_events(
        conn,
        [
            {"id": c["id"], "event": "avis_emis", "role": by.role, "details": d}
            for c, d in zip(closed, details, strict=True)
        ],
    )
    store.add_audit(
        conn,
        [
            {"actor": by.actor, "action": "dossier.avis_emis", "subject": c["number"], "details": d}
            for c, d in zip(closed, details, strict=True)
        ],
    )
    conn.execute(
        text("UPDATE commissions SET closed_at = now() WHERE id = :id"), {"id": session_id}
    )
    summary = {"dossiers": len(closed)}
    record_act(conn, "commission.cloture", f"commission#{session_id}", summary, actor=by.actor)
    return {"id": session_id, "closed_on": day.isoformat(), "dossiers": closed}


# --- after the PV (art. 39-44) --------------------------------------------------------------


def ask_modifications(conn: Any, dossier_id: int, motifs: str, by: Principal) -> dict[str, Any]:
    """Art. 41: a letter asking for the changes, within 2 working days of the PV."""
    row = readable(conn, dossier_id, by, lock=True)
    if by.role == "president":
        pass
    else:
        _require_guichet(row, by, "La demande de modifications")
    if row["state"] != "avis_emis":
        raise WrongState("La demande de modifications", row["state"], "à l'état avis émis")
    day = today()
    store.update(
        conn,
        dossier_id,
        state="modifications_demandees",
        modifications_on=day,
        modifications_motifs=motifs,
    )
    _act(conn, row, "modifications_demandees", by, motifs=motifs)
    return {
        "id": dossier_id,
        "number": row["number"],
        "state": "modifications_demandees",
        "letter_date": day.isoformat(),
    }


def notify_observations(conn: Any, dossier_id: int, text_: str, by: Principal) -> dict[str, Any]:
    """Art. 42: observations « sans incidence sur les avis » (pieces to add, reserves to lift)
    notified to the concepteur, with 5 working days more to answer."""
    row = readable(conn, dossier_id, by, lock=True)
    if by.role != "president":
        _require_guichet(row, by, "La notification d'observations")
    if row["state"] != "avis_emis":
        raise WrongState("Les observations (art. 42)", row["state"], "à l'état avis émis")
    if row["observations_on"] is not None:
        raise DossierConflict(
            "observations_deja_notifiees", "Des observations sont déjà notifiées."
        )
    day = today()
    store.update(conn, dossier_id, observations_on=day, observations_text=text_)
    addressee = "architecte" if row["filed_by_role"] == "architecte" else "petitioner"
    _act(conn, row, "observations_art42", by, notified_to=addressee)
    return {
        "id": dossier_id,
        "number": row["number"],
        "observations_on": day.isoformat(),
        "notified_to": addressee,
    }


def decide(
    conn: Any,
    dossier_id: int,
    decision: str,
    motifs: str | None,
    by: Principal,
    *,
    storage_srid: int,
) -> dict[str, Any]:
    """Art. 39-40: the president decides in the light of the avis; an autorisation needs the
    agency's avis favourable (« L'autorisation ne peut, en aucun cas, être délivrée sans
    l'obtention de l'avis obligatoire émis par l'agence urbaine »); a refusal gives its reasons
    (« est tenu de motiver sa décision »). An autorisation enters the register at once."""
    _require(by, "president", what="La décision")
    if decision == "refus" and not (motifs or "").strip():
        raise DossierInvalid(
            "refus_sans_motifs",
            "motifs : « En cas de refus de l'octroi de l'autorisation, le président du conseil "
            "de la commune est tenu de motiver sa décision » (art. 40).",
        )
    row = readable(conn, dossier_id, by, lock=True)
    refection = row["procedure"] == "refection" and row["state"] == "recevable"
    if row["state"] in DECIDED:
        raise DossierConflict("deja_decide", f"Le dossier {row['number']} est déjà décidé.")
    if row["state"] in BEFORE_PV and not refection:
        raise DossierConflict(
            "decision_avant_pv",
            "Décision impossible avant le procès-verbal de la commission (art. 38-39) : le "
            f"dossier est à l'état « {row['state']} ».",
            state=row["state"],
        )
    if decision == "autorisation" and AGENCY_SERVICE in members_codes(row):
        _agency_avis_allows(conn, row)
    day = today()
    permit = None
    project_id = None
    if decision == "autorisation":
        permit = permit_number(conn, row["commune"], row["kind"], day.year)
        project_id = _register(conn, row, permit, day, by, storage_srid)
    store.update(
        conn,
        dossier_id,
        state="autorise" if permit else "refuse",
        decided_on=day,
        decision=decision,
        decision_motifs=motifs,
        permit_number=permit,
        project_id=project_id,
    )
    _act(conn, row, "decision", by, decision=decision, permit_number=permit)
    return {
        "id": dossier_id,
        "number": row["number"],
        "decision": decision,
        "state": "autorise" if permit else "refuse",
        "permit_number": permit,
        "decided_on": day.isoformat(),
    }


def _agency_avis_allows(conn: Any, row: dict[str, Any]) -> None:
    """409 unless the agency's avis of this examination is favourable (art. 39)."""
    avis = {a["service"]: a["avis"] for a in store.avis_of(conn, row["id"], row["round"])}
    given = avis.get(AGENCY_SERVICE)
    if given in FAVOURABLE:
        return
    if given == "defavorable":
        raise DossierConflict(
            "avis_agence_defavorable",
            "Autorisation impossible : l'avis de l'agence urbaine est défavorable ; il est "
            "obligatoire et le président doit « respecter son contenu » (art. 39).",
        )
    raise DossierConflict(
        "avis_agence_manquant",
        "Autorisation impossible sans l'avis obligatoire de l'agence urbaine (art. 39).",
    )


def _register(
    conn: Any, row: dict[str, Any], permit: str, day: dt.date, by: Principal, storage_srid: int
) -> int:
    """The authorized project in the register, in the decision's transaction (NOTIFY at the
    commit: the public map hears of it then, never of a refusal)."""
    project = row["project"]
    parcel = shapely.from_wkb(store.parcel_geometry(conn, row["parcel_id"]))
    record = ProjectRecord(
        permit_number=permit,
        permit_date=day,
        commune=row["commune"],
        kind=row["kind"],
        use=project.get("use"),
        procedure=row["procedure"],
        storeys=project.get("storeys"),
        height_m=project.get("height_m"),
        floor_area_m2=project.get("floor_area_m2"),
        filed_on=row["filed_on"],
        decided_on=day,
        srid=storage_srid,
        footprint=shapely.geometry.mapping(parcel),
    )
    recorded = record_project(conn, record, storage_srid, by=by)
    return int(recorded["id"])


def pay_fee(conn: Any, dossier_id: int, by: Principal) -> dict[str, Any]:
    """Art. 31: the fee may be paid after the avis, and before the delivery."""
    row = readable(conn, dossier_id, by, lock=True)
    _require_guichet(row, by, "L'encaissement de la rémunération")
    if row["fee_paid_on"] is not None:
        raise DossierConflict("deja_acquittee", "La rémunération est déjà enregistrée.")
    day = today()
    store.update(conn, dossier_id, fee_paid_on=day)
    _act(conn, row, "remuneration_acquittee", by, montant_ttc=(row["fee"] or {}).get("montant_ttc"))
    return {"id": dossier_id, "fee_paid_on": day.isoformat()}


def notify(conn: Any, dossier_id: int, by: Principal) -> dict[str, Any]:
    """Art. 44 (and 40 for a refusal): notified within 2 working days; art. 43 al. 2: a copy to
    the local authority and the members; an autorisation only once the fee is paid (art. 31)."""
    row = readable(conn, dossier_id, by, lock=True)
    if by.role != "president":
        _require_guichet(row, by, "La notification")
    if row["state"] not in DECIDED:
        raise WrongState("La notification", row["state"], "décidé")
    if row["notified_on"] is not None:
        raise DossierConflict("deja_notifie", "La décision est déjà notifiée.")
    fee = row["fee"] or {}
    due = fee.get("montant_ttc") not in (None, "0", "0.00", 0)
    if row["state"] == "autorise" and due and row["fee_paid_on"] is None:
        raise DossierConflict(
            "remuneration_non_acquittee",
            "La rémunération de l'agence est acquittée « préalablement à la délivrance des "
            "autorisations » (art. 31).",
        )
    day = today()
    copies = day if row["state"] == "autorise" else None
    store.update(conn, dossier_id, notified_on=day, copies_sent_on=copies)
    _act(conn, row, "notification", by, copies_sent_on=copies)
    return {
        "id": dossier_id,
        "notified_on": day.isoformat(),
        "copies_sent_on": copies.isoformat() if copies else None,
    }


def working_days(
    start: dt.date | None, end: dt.date | None, calendar: WorkingCalendar
) -> int | None:
    """Working days between two dates (the indicators' delays)."""
    if start is None or end is None:
        return None
    return working_days_between(start, end, calendar)
