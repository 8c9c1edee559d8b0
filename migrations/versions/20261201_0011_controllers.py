"""Controllers decide: organisation terms, designated contacts, forwarding, controller
decisions and data-file deletion records.

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(
            sa.Column("contact_phone", sa.String(40), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("dpa_reference", sa.String(120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("forward_within_days", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("auto_forward", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "answering",
                sa.Enum(
                    "processor",
                    "controller",
                    name="organisation_answering",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                nullable=False,
                server_default="processor",
            )
        )
        batch_op.add_column(
            sa.Column("sub_processors", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("contract_ended_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(
            sa.Column("designated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("rights_request") as batch_op:
        batch_op.add_column(sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("forward_due", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("forward_reminded_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("forward_escalated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("controller_answers", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("instructed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("instructed_actions", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            "fk_rights_request_instructed_by",
            "user_account",
            ["instructed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "controller_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id",
            sa.Integer(),
            sa.ForeignKey("rights_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisation.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey("source_action.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "package_id",
            sa.Integer(),
            sa.ForeignKey("export_package.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "approve",
                "reject",
                "comment",
                "ask_identity",
                "extend",
                "refuse",
                "answer_ourselves",
                name="decision_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ground", sa.String(60), nullable=True),
        sa.Column(
            "decided_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lapsed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_controller_decision_request_id", "controller_decision", ["request_id"])
    op.create_index(
        "ix_controller_decision_organisation_id", "controller_decision", ["organisation_id"]
    )
    op.create_index("ix_controller_decision_package_id", "controller_decision", ["package_id"])
    op.create_index(
        "ix_controller_decision_action", "controller_decision", ["action_id", "decided_at"]
    )
    op.create_table(
        "data_file_deletion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Integer(),
            sa.ForeignKey("organisation.id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("data_source.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("source_name", sa.String(200), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column(
            "deleted_by_id",
            sa.Integer(),
            sa.ForeignKey("user_account.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_data_file_deletion_organisation_id", "data_file_deletion", ["organisation_id"]
    )


def downgrade() -> None:
    op.drop_table("data_file_deletion")
    op.drop_table("controller_decision")
    with op.batch_alter_table("rights_request") as batch_op:
        batch_op.drop_constraint("fk_rights_request_instructed_by", type_="foreignkey")
        for column in (
            "instructed_actions",
            "instructed_by_id",
            "controller_answers",
            "forward_escalated_at",
            "forward_reminded_at",
            "forward_due",
            "forwarded_at",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("designated")
    with op.batch_alter_table("organisation") as batch_op:
        for column in (
            "contract_ended_at",
            "sub_processors",
            "answering",
            "auto_forward",
            "forward_within_days",
            "dpa_reference",
            "contact_phone",
        ):
            batch_op.drop_column(column)
