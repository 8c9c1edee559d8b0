"""Receipt: points for the officer set when a request arrives (review flags).

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("rights_request", sa.Column("review_flags", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rights_request") as batch_op:
        batch_op.drop_column("review_flags")
