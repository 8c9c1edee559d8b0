"""The queue's index by state holds the open requests only (``queue_due IS NOT NULL``):
the counts per state on every queue page read that small index alone instead of the whole
table's index (SQLite) or a table row per open request (PostgreSQL).

Revision ID: 0018
Revises: 0017_completion
Create Date: 2026-12-02 13:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017_completion"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_ONLY = sa.text("queue_due IS NOT NULL")


def upgrade() -> None:
    op.drop_index("ix_rights_request_state_queue", table_name="rights_request")
    op.create_index(
        "ix_rights_request_state_queue",
        "rights_request",
        ["state", "queue_due"],
        unique=False,
        postgresql_where=OPEN_ONLY,
        sqlite_where=OPEN_ONLY,
    )


def downgrade() -> None:
    op.drop_index("ix_rights_request_state_queue", table_name="rights_request")
    op.create_index(
        "ix_rights_request_state_queue", "rights_request", ["state", "queue_due"], unique=False
    )
