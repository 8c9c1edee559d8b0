"""An incident's version, for optimistic locking of its edit forms: a form filled in before
someone else saved the incident is refused instead of overwriting their changes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 15:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("incident") as batch:
        batch.drop_column("version")
