"""Permit dossiers: parcels stored once, dossiers, pieces, commissions, avis, timeline.

Revision ID: 0010_dossiers
Revises: 0008_public_role
Create Date: 2026-12-02

RGC art. 34-44: a dossier is filed (numbered receipt), checked (art. 37), put on a commission's
agenda, given each member's avis (art. 29-30), closed in a PV (art. 38) and decided (art. 39-40).
Roles added to the accounts: guichet, architecte, membre, president.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010_dossiers"
down_revision = "0009_nru_requests"
branch_labels = None
depends_on = None

ROLES = (
    "petitioner",
    "agent",
    "admin",
    "guichet",
    "architecte",
    "membre",
    "president",
)
STATES = (
    "depose",
    "irrecevable",
    "recevable",
    "en_commission",
    "avis_emis",
    "modifications_demandees",
    "autorise",
    "refuse",
)


def _now() -> sa.Column[object]:
    return sa.Column(
        "at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")
    )


def upgrade() -> None:
    srid = int(context.config.attributes.get("storage_srid", 26191))
    _accounts()
    op.create_table(
        "parcels",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        # a TF or réquisition names the parcel; « non immatriculé » is known by its geometry
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("land_reference", sa.Text),
        sa.Column("commune", sa.Text),
        sa.Column("agency", sa.Text),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=srid, spatial_index=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
    )
    op.create_index("parcels_geom_gist", "parcels", ["geom"], postgresql_using="gist")
    op.create_table(
        "dossier_counters",
        sa.Column("prefix", sa.String(40), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "commissions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("commune", sa.Text, nullable=False),
        sa.Column("prefecture", sa.Text),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("slots", sa.Integer, nullable=False, server_default="20"),
        sa.Column("created_by", sa.BigInteger, sa.ForeignKey("users.id")),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("agenda_pdf", sa.LargeBinary),
        sa.CheckConstraint("slots BETWEEN 1 AND 500", name="commissions_slots_check"),
    )
    op.create_index("commissions_commune_date_idx", "commissions", ["commune", "date"])
    op.create_table(
        "dossiers",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("number", sa.String(40), nullable=False, unique=True),
        sa.Column("state", sa.String(24), nullable=False, server_default="depose"),
        sa.Column("round", sa.Integer, nullable=False, server_default="1"),
        sa.Column("commune", sa.Text, nullable=False),
        sa.Column("prefecture", sa.Text),
        sa.Column("agency", sa.Text),
        sa.Column("plan_name", sa.Text),
        sa.Column("parcel_id", sa.BigInteger, sa.ForeignKey("parcels.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("procedure", sa.String(16)),
        sa.Column("project", JSONB, nullable=False),
        sa.Column("commission_members", JSONB, nullable=False),
        sa.Column("land_reference", sa.Text),
        sa.Column("nru_id", sa.Text),
        sa.Column("filed_by", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("filed_by_role", sa.String(16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("restarted_on", sa.Date, comment="art. 41 al. 2: modified pieces filed"),
        sa.Column("booked_session_id", sa.BigInteger, sa.ForeignKey("commissions.id")),
        sa.Column("commission_id", sa.BigInteger, sa.ForeignKey("commissions.id")),
        sa.Column("recevable_on", sa.Date),
        sa.Column("meeting_on", sa.Date),
        sa.Column("pv_on", sa.Date),
        sa.Column("modifications_on", sa.Date),
        sa.Column("modifications_motifs", sa.Text),
        sa.Column("observations_on", sa.Date, comment="art. 42: notified to the concepteur"),
        sa.Column("observations_text", sa.Text),
        sa.Column("observations_answered_on", sa.Date),
        sa.Column("decided_on", sa.Date),
        sa.Column("decision", sa.String(16)),
        sa.Column("decision_motifs", sa.Text),
        sa.Column("permit_number", sa.String(64), unique=True),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("projects.id")),
        sa.Column("pre_instruction", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("fee", JSONB),
        sa.Column("fee_paid_on", sa.Date),
        sa.Column("notified_on", sa.Date),
        sa.Column("copies_sent_on", sa.Date),
        sa.Column("receipt_pdf", sa.LargeBinary),
        sa.Column("pv_pdf", sa.LargeBinary),
        sa.Column("decision_pdf", sa.LargeBinary),
        sa.CheckConstraint(
            "state IN (" + ", ".join(f"'{s}'" for s in STATES) + ")", name="dossiers_state_check"
        ),
        sa.CheckConstraint(
            "decision IS NULL OR decision IN ('autorisation', 'refus')",
            name="dossiers_decision_check",
        ),
    )
    for column in ("filed_by", "parcel_id", "commission_id", "booked_session_id"):
        op.create_index(f"dossiers_{column}_idx", "dossiers", [column])
    # the guichet's desk: a commune's open dossiers, oldest first, read off the index
    op.create_index(
        "dossiers_desk_idx",
        "dossiers",
        ["commune", "filed_on", "id"],
        postgresql_where=sa.text(
            "state IN ('depose', 'recevable', 'en_commission', 'avis_emis', "
            "'modifications_demandees')"
        ),
    )
    op.create_table(
        "dossier_pieces",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.BigInteger,
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_by", sa.BigInteger, sa.ForeignKey("users.id")),
        sa.Column("recepisse", sa.Boolean, nullable=False, server_default=sa.false()),
        _now(),
        sa.UniqueConstraint("dossier_id", "kind", "version", name="dossier_pieces_version_key"),
    )
    op.create_table(
        "dossier_avis",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.BigInteger,
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("service", sa.String(64), nullable=False),
        sa.Column("avis", sa.String(32), nullable=False),
        sa.Column("observations", sa.Text),
        sa.Column(
            "visa",
            sa.Boolean,
            nullable=False,
            server_default=sa.false(),
            comment="art. 38 al. 2: the avis consigned on the plans (visa)",
        ),
        sa.Column("by_user", sa.BigInteger, sa.ForeignKey("users.id")),
        _now(),
        # art. 30: « en évitant la succession d'avis »: one avis per service and examination
        sa.UniqueConstraint("dossier_id", "round", "service", name="dossier_avis_once"),
        sa.CheckConstraint(
            "avis IN ('favorable', 'favorable_sous_reserve', 'defavorable', 'non_emis')",
            name="dossier_avis_check",
        ),
    )
    op.create_table(
        "dossier_events",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "dossier_id",
            sa.BigInteger,
            sa.ForeignKey("dossiers.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _now(),
        sa.Column("event", sa.String(48), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("details", JSONB),
    )
    op.create_table(
        "pre_instructions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("requested_by", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("agency", sa.Text),
        sa.Column("project", JSONB, nullable=False),
        sa.Column("compliance", JSONB),
        sa.Column("avis", sa.String(32)),
        sa.Column("observations", sa.Text),
        sa.Column("given_by", sa.BigInteger, sa.ForeignKey("users.id")),
        sa.Column("given_at", sa.DateTime(timezone=True)),
        _now(),
    )
    op.add_column(
        "dossiers",
        sa.Column("pre_instruction_id", sa.BigInteger, sa.ForeignKey("pre_instructions.id")),
    )


def _accounts() -> None:
    """The new roles and their scope: a commune, a prefecture, a service."""
    op.add_column("users", sa.Column("commune", sa.Text))
    op.add_column("users", sa.Column("prefecture", sa.Text))
    op.add_column("users", sa.Column("service", sa.String(64)))
    op.drop_constraint("users_role_check", "users")
    op.create_check_constraint(
        "users_role_check", "users", "role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")"
    )


def downgrade() -> None:
    for table in ("dossier_events", "dossier_avis", "dossier_pieces", "dossiers"):
        op.drop_table(table)
    op.drop_table("pre_instructions")
    op.drop_table("commissions")
    op.drop_table("dossier_counters")
    op.drop_table("parcels")
    op.execute("DELETE FROM users WHERE role NOT IN ('petitioner', 'agent', 'admin')")
    op.drop_constraint("users_role_check", "users")
    op.create_check_constraint(
        "users_role_check", "users", "role IN ('petitioner', 'agent', 'admin')"
    )
    for column in ("service", "prefecture", "commune"):
        op.drop_column("users", column)
