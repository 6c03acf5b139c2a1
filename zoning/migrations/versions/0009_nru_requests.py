"""Requests for a note de renseignements urbanistiques, their récépissés and their files.

Revision ID: 0009_nru_requests
Revises: 0008_public_role
Create Date: 2026-12-02

Art. 6 al. 2 of décret 2-18-577: « La demande de la note de renseignements urbanistiques est
déposée auprès de l'agence urbaine contre récépissé dûment daté ». The request is its own act,
with its own number (a yearly counter per agency, as the notes have) and date; the note it
led to points back at it. The files the agencies' online forms ask for (justificatif de
propriété, plan cadastral ou parcellaire, accord du propriétaire) are kept with their SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0009_nru_requests"
down_revision = "0008_public_role"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nru_request_counters",
        sa.Column("agency", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    op.create_table(
        "nru_requests",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("agency", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plan_name", sa.String(200), nullable=False),
        sa.Column("qualite", sa.String(20)),
        sa.Column("qualite_document", sa.Text),
        sa.Column("land_reference", sa.Text),
        sa.Column("land_status", sa.Text),
        sa.Column("requester", JSONB, comment="personal data: name, profession, owner's name"),
        sa.Column("requested_by", sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("nru_id", UUID(as_uuid=False), sa.ForeignKey("nrus.id", ondelete="SET NULL")),
        sa.Column("receipt_pdf", sa.LargeBinary),
        sa.UniqueConstraint("agency", "number", name="nru_requests_agency_number_key"),
    )
    op.create_table(
        "nru_request_files",
        sa.Column(
            "request_id",
            UUID(as_uuid=False),
            sa.ForeignKey("nru_requests.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("filename", sa.Text),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("nru_request_files")
    op.drop_table("nru_requests")
    op.drop_table("nru_request_counters")
