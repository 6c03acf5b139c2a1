"""Accounts and roles: users, their tokens, who asked for each note, revocation, saved checks.

Revision ID: 0006_accounts
Revises: 0005_audit
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_accounts"
down_revision = "0005_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("login", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency", sa.Text, comment="the urban agency an agent acts for"),
        sa.Column("password_hash", sa.Text, comment="argon2id; none for a script-only account"),
        sa.Column("full_name", sa.Text, comment="personal data"),
        sa.Column("cin", sa.String(16), comment="personal data (carte d'identité nationale)"),
        sa.Column("email", sa.Text, comment="personal data"),
        sa.Column("address", sa.Text, comment="personal data"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.CheckConstraint("role IN ('petitioner', 'agent', 'admin')", name="users_role_check"),
        # An agent always acts for one agency; the others for none.
        sa.CheckConstraint("(role = 'agent') = (agency IS NOT NULL)", name="users_agency_check"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "user_id",
            sa.BigInteger,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        # Only the SHA-256 of a token is kept: a copy of the table opens no account.
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.add_column(
        "nrus",
        sa.Column("requested_by", sa.BigInteger, sa.ForeignKey("users.id"), index=True),
    )
    op.add_column("nrus", sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.add_column("nrus", sa.Column("revoked_by", sa.BigInteger, sa.ForeignKey("users.id")))
    op.add_column("nrus", sa.Column("revocation_reason", sa.Text))
    op.create_index("nrus_agency_issued_idx", "nrus", ["agency", "issued_at"])
    op.create_table(
        "project_checks",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "user_id",
            sa.BigInteger,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "checked_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("now()"),
        ),
        sa.Column("plan", sa.String(200)),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("procedure", sa.String(16)),
        sa.Column("result", JSONB, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("project_checks")
    op.drop_index("nrus_agency_issued_idx", table_name="nrus")
    for column in ("revocation_reason", "revoked_by", "revoked_at", "requested_by"):
        op.drop_column("nrus", column)
    op.drop_table("api_tokens")
    op.drop_table("users")
