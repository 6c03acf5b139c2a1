"""The day a dossier is transmitted to the commission (RGC art. 18 al. 2), kept on the dossier.

Revision ID: 0013_dossier_transmission
Revises: 0012_opendata_titles
Create Date: 2026-12-02

Art. 18 al. 2 gives the commune three working days from the receipt to transmit a grand
projet's dossier to the commission; art. 19 al. 2 submits a petit projet to it on filing. The
transmission is the day the dossier is put on a session's agenda, not the day the commission
meets (a session a week ahead made every dossier look late). Existing dossiers take it from
their timeline's last « en_commission » event.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_dossier_transmission"
down_revision = "0012_opendata_titles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("transmitted_on", sa.Date))
    op.execute("""UPDATE dossiers d SET transmitted_on = e.day
                  FROM (SELECT dossier_id, max(at)::date AS day FROM dossier_events
                         WHERE event = 'en_commission' GROUP BY dossier_id) e
                  WHERE e.dossier_id = d.id AND d.meeting_on IS NOT NULL""")


def downgrade() -> None:
    op.drop_column("dossiers", "transmitted_on")
