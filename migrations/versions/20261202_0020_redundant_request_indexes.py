"""Two indexes of ``rights_request`` that a composite index already holds: the one on
``organisation_id`` (led by ``ix_rights_request_org_state`` and ``_org_queue``) and the one on
``assignee_id`` (led by ``ix_rights_request_assignee_queue``). Every new request wrote both,
and no query needs them: each look-up by the key alone reads the composite index.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 18:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_rights_request_organisation_id", table_name="rights_request")
    op.drop_index("ix_rights_request_assignee_id", table_name="rights_request")


def downgrade() -> None:
    op.create_index("ix_rights_request_assignee_id", "rights_request", ["assignee_id"])
    op.create_index("ix_rights_request_organisation_id", "rights_request", ["organisation_id"])
