"""OpenDSR callbacks: the expected completion time last reported to the controller, so a
moved deadline (an extension, a pause that ended) is reported once (docs/api.md,
"Callbacks").

Revision ID: 0017_completion
Revises: 0016
Create Date: 2026-12-02 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_completion"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opendsr_submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_expected_completion", sa.String(length=20)))


def downgrade() -> None:
    with op.batch_alter_table("opendsr_submission", schema=None) as batch_op:
        batch_op.drop_column("last_expected_completion")
