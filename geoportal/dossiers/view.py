"""What GET /api/v1/dossiers/{id}, /compte and /suivi/{number} show of a dossier."""

from __future__ import annotations

import datetime as dt
from typing import Any

from checks.calendar import WorkingCalendar
from checks.deadlines import Events, deadlines_for
from geoportal.dossiers import store
from geoportal.dossiers.pieces import pieces_for

STATE_LABELS = {
    "depose": "Déposé",
    "irrecevable": "Irrecevable (documents principaux manquants)",
    "recevable": "Recevable",
    "en_commission": "En commission d'instruction",
    "avis_emis": "Avis de la commission émis",
    "modifications_demandees": "Modifications demandées",
    "autorise": "Autorisé",
    "refuse": "Refusé",
}
AVIS_LABELS = {
    "favorable": "Favorable",
    "favorable_sous_reserve": "Favorable sous réserve",
    "defavorable": "Défavorable",
    "non_emis": "Sans avis à la clôture de la séance",
}
#: the date each deadline step is met on, read from the dossier
DONE_ON = {
    "transmission_commission": "transmitted_on",  # put on the agenda (art. 18 al. 2)
    "avis_commission": "pv_on",
    "transmission_pv": "pv_on",
    "lettre_modifications": "modifications_on",
    "pieces_complementaires": "observations_answered_on",
    "notification_decision": "notified_on",
    "copie_autorite_locale": "copies_sent_on",
}


def links(row: dict[str, Any]) -> dict[str, str]:
    """The dossier's documents."""
    base = f"/api/v1/dossiers/{row['id']}"
    found = {"self": base, "receipt_pdf": f"{base}/receipt.pdf", "suivi": f"/suivi/{row['number']}"}
    if row["pv_on"] is not None:
        found["pv_pdf"] = f"{base}/pv.pdf"
    if row["decision"] is not None:
        found["decision_pdf"] = f"{base}/decision.pdf"
    return found


def deadlines(row: dict[str, Any], calendar: WorkingCalendar, day: dt.date) -> dict[str, Any]:
    """The clocks of art. 18-19, 38, 41-44 from the dossier's real dates; late steps flagged."""
    if row["procedure"] is None:
        return {"steps": [], "late": []}
    events = Events(
        meeting_on=row["meeting_on"],
        pv_received_on=row["pv_on"],
        observations_notified_on=row["observations_on"],
        modified_documents_filed_on=row["restarted_on"],
        decided_on=row["decided_on"],
        delivered_on=row["notified_on"],
    )
    steps = []
    for step in deadlines_for(row["procedure"], row["filed_on"], calendar, events, row["kind"]):
        item = step.model_dump(mode="json")
        column = DONE_ON.get(step.step)
        done = row.get(column) if column else None
        item["done_on"] = done.isoformat() if done else None
        item["late"] = bool(
            column and step.due and ((done and done > step.due) or (not done and day > step.due))
        )
        if step.step == "lettre_modifications" and row["decided_on"] and not done:
            item["late"] = False  # decided without asking for changes
        steps.append(item)
    return {"steps": steps, "late": [s["step"] for s in steps if s["late"]]}


def pieces_view(conn: Any, row: dict[str, Any]) -> list[dict[str, Any]]:
    """Every piece the kind of authorisation asks for, provided or not, with its versions."""
    versions: dict[str, list[dict[str, Any]]] = {}
    for piece in store.pieces(conn, row["id"]):
        versions.setdefault(piece["kind"], []).append(
            {
                "version": piece["version"],
                "sha256": piece["sha256"],
                "size": piece["size"],
                "media_type": piece["media_type"],
                "at": piece["at"].isoformat(),
            }
        )
    listed = pieces_for(row["kind"], mandated=row["filed_by_role"] == "architecte")
    return [
        {
            "kind": p.code,
            "label": p.label,
            "principal": p.principal,
            "provided": p.code in versions,
            "versions": versions.get(p.code, []),
        }
        for p in listed
    ]


def avis_view(conn: Any, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The avis of the current examination, each with its service's label."""
    labels = {m["code"]: m["label"] for m in row["commission_members"]}
    return [
        {
            "service": a["service"],
            "label": labels.get(a["service"], a["service"]),
            "avis": a["avis"],
            "observations": a["observations"],
            "visa": a["visa"],
            "at": a["at"].isoformat(),
        }
        for a in store.avis_of(conn, row["id"], row["round"])
    ]


def decision_view(row: dict[str, Any]) -> dict[str, Any] | None:
    """The president's decision, once taken."""
    if row["decision"] is None:
        return None
    return {
        "decision": row["decision"],
        "decided_on": row["decided_on"].isoformat(),
        "permit_number": row["permit_number"],
        "motifs": row["decision_motifs"],
        "notified_on": row["notified_on"].isoformat() if row["notified_on"] else None,
        "copies_sent_on": row["copies_sent_on"].isoformat() if row["copies_sent_on"] else None,
        "links": {"decision_pdf": f"/api/v1/dossiers/{row['id']}/decision.pdf"},
    }


def dossier_view(
    conn: Any, row: dict[str, Any], calendar: WorkingCalendar, day: dt.date
) -> dict[str, Any]:
    """The whole dossier as its owner and the agents in scope see it."""
    from geoportal.dossiers.acts import receipt  # the receipt reads the sessions

    return {
        "id": row["id"],
        "number": row["number"],
        "state": row["state"],
        "state_label": STATE_LABELS[row["state"]],
        "procedure": row["procedure"],
        "kind": row["kind"],
        "commune": row["commune"],
        "plan": row["plan_name"],
        "parcel_id": row["parcel_id"],
        "land_reference": row["land_reference"],
        "filed_on": row["filed_on"].isoformat(),
        "round": row["round"],
        "project": row["project"],
        "commission": [{"code": m["code"], "label": m["label"]} for m in row["commission_members"]],
        "commission_id": row["commission_id"],
        "receipt": receipt(conn, row),
        "deadlines": deadlines(row, calendar, day),
        "pieces": pieces_view(conn, row),
        "avis": avis_view(conn, row),
        "timeline": [
            {"at": e["at"].isoformat(), "event": e["event"], "actor_role": e["actor_role"]}
            for e in store.events(conn, row["id"])
        ],
        "decision": decision_view(row),
        "modifications": {
            "on": row["modifications_on"].isoformat(),
            "motifs": row["modifications_motifs"],
        }
        if row["modifications_on"]
        else None,
        "observations": {
            "on": row["observations_on"].isoformat(),
            "text": row["observations_text"],
            "answered_on": row["observations_answered_on"].isoformat()
            if row["observations_answered_on"]
            else None,
        }
        if row["observations_on"]
        else None,
        "fee": {
            **(row["fee"] or {}),
            "paid_on": row["fee_paid_on"].isoformat() if row["fee_paid_on"] else None,
            "pre_instruction_percue": row["pre_instruction"],
        },
        "links": links(row),
    }


def public_facts(row: dict[str, Any], calendar: WorkingCalendar, day: dt.date) -> dict[str, Any]:
    """What /suivi/{number} shows: state and dates, no personal data (art. 12)."""
    dates = [
        ("Dépôt", row["filed_on"]),
        ("Recevabilité", row["recevable_on"]),
        ("Réunion de la commission", row["meeting_on"]),
        ("Procès-verbal", row["pv_on"]),
        ("Demande de modifications", row["modifications_on"]),
        ("Dépôt des pièces modificatives", row["restarted_on"]),
        ("Observations notifiées au concepteur (art. 42)", row["observations_on"]),
        ("Compléments déposés (art. 42)", row["observations_answered_on"]),
        ("Décision", row["decided_on"]),
        ("Notification", row["notified_on"]),
    ]
    return {
        "number": row["number"],
        "state": row["state"],
        "state_label": STATE_LABELS[row["state"]],
        "commune": row["commune"],
        "procedure": row["procedure"],
        "dates": [(label, value) for label, value in dates if value is not None],
        "deadlines": deadlines(row, calendar, day)["steps"],
        "permit_number": row["permit_number"],
    }


#: the states of a dossier on a desk (the partial index dossiers_desk_idx covers them)
OPEN_STATES = "('depose', 'recevable', 'en_commission', 'avis_emis', 'modifications_demandees')"


def desk(
    conn: Any, commune: str | None, prefecture: str | None, limit: int
) -> list[dict[str, Any]]:
    """The guichet's desk: dossiers to check, on an agenda, awaiting a decision; the oldest
    first, read off the partial index (commune, filed_on, id) of the open states."""
    from sqlalchemy import text

    column, value = ("commune", commune) if commune is not None else ("prefecture", prefecture)
    rows = conn.execute(
        text(f"""SELECT id, number, state, procedure, kind, filed_on, commission_id
                 FROM dossiers WHERE {column} = :value AND state IN {OPEN_STATES}
                 ORDER BY filed_on, id LIMIT :limit"""),
        {"value": value, "limit": limit},
    )
    return [
        {
            **dict(r._mapping),
            "filed_on": r.filed_on.isoformat(),
            "state_label": STATE_LABELS[r.state],
        }
        for r in rows
    ]
