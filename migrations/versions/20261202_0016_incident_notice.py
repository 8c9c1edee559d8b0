"""Incident notice: the Art. 34(3) ground of a decision not to tell the people concerned,
and whether the breach is cross-border (the AP's form asks it).

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-02 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subjects_ground", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("cross_border", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_column("cross_border")
        batch_op.drop_column("subjects_ground")
