"""manual task links: how the named person answered a manual search task

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-24 09:48:45
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_task", schema=None) as batch_op:
        batch_op.drop_column("outcome")
