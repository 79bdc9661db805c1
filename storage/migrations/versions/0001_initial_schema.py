"""Initial schema: organisation, units, contacts, invites, reports, submissions, reminders.

Revision ID: 0001
Revises:
Create Date: 2024-05-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_at"), "audit", ["at"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("short_name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("plan_source", sa.Text(), nullable=False),
        sa.Column("plan_path", sa.String(), nullable=False),
        sa.Column("plan_digest", sa.String(), nullable=False),
        sa.Column("plan_data", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("short_name", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("key", name=op.f("uq_unit_key")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_contact_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_contact_platform_user_id")),
    )
    op.create_index(op.f("ix_contact_unit_id"), "contact", ["unit_id"], unique=False)

    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("receiver_unit_id", sa.Integer(), nullable=False),
        sa.Column("forward_files", sa.Boolean(), nullable=False),
        sa.Column("every", sa.String(), nullable=True),
        sa.Column("escalate_after_days", sa.Integer(), nullable=False),
        sa.Column("reminder_rules", sa.JSON(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["receiver_unit_id"], ["unit.id"], name=op.f("fk_report_receiver_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("key", name=op.f("uq_report_key")),
    )
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_contact_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_invite_unit_id_unit")),
        sa.ForeignKeyConstraint(
            ["used_by_contact_id"],
            ["contact.id"],
            name=op.f("fk_invite_used_by_contact_id_contact"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite")),
        sa.UniqueConstraint("code", name=op.f("uq_invite_code")),
    )
    op.create_index(op.f("ix_invite_unit_id"), "invite", ["unit_id"], unique=False)

    op.create_table(
        "report_dependency",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("depends_on_report_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["depends_on_report_id"],
            ["report.id"],
            name=op.f("fk_report_dependency_depends_on_report_id_report"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_dependency_report_id_report")
        ),
        sa.PrimaryKeyConstraint(
            "report_id", "depends_on_report_id", name=op.f("pk_report_dependency")
        ),
    )
    op.create_table(
        "report_instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("due_kind", sa.String(), nullable=False),
        sa.Column("due_day", sa.Date(), nullable=False),
        sa.Column("due_time", sa.Time(), nullable=True),
        sa.Column("due_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("overdue_from", sa.Date(), nullable=True),
        sa.Column("period_key", sa.String(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_instance_report_id_report")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_instance")),
        sa.UniqueConstraint("report_id", "key", name=op.f("uq_report_instance_report_id_key")),
    )
    op.create_index(
        op.f("ix_report_instance_due_end"), "report_instance", ["due_end"], unique=False
    )

    op.create_table(
        "report_submitter",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["report.id"], name=op.f("fk_report_submitter_report_id_report")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_report_submitter_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("report_id", "unit_id", name=op.f("pk_report_submitter")),
    )
    op.create_index(
        op.f("ix_report_submitter_unit_id"), "report_submitter", ["unit_id"], unique=False
    )

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("rule_key", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("claimed_by", sa.String(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["report_instance.id"],
            name=op.f("fk_reminder_instance_id_report_instance"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_reminder_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint(
            "instance_id",
            "unit_id",
            "rule_key",
            name=op.f("uq_reminder_instance_id_unit_id_rule_key"),
        ),
    )
    op.create_index("ix_reminder_status_due_at", "reminder", ["status", "due_at"], unique=False)
    op.create_index(
        "uq_reminder_instance_id_rule_key_no_unit",
        "reminder",
        ["instance_id", "rule_key"],
        unique=True,
        sqlite_where=sa.text("unit_id IS NULL"),
        postgresql_where=sa.text("unit_id IS NULL"),
    )

    op.create_table(
        "submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("original_name", sa.String(), nullable=True),
        sa.Column("stored_path", sa.String(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("mime", sa.String(), nullable=True),
        sa.Column("receipt_code", sa.String(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_submission_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["report_instance.id"],
            name=op.f("fk_submission_instance_id_report_instance"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_submission_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission")),
        sa.UniqueConstraint(
            "instance_id",
            "unit_id",
            "version",
            name=op.f("uq_submission_instance_id_unit_id_version"),
        ),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_submission_receipt_code")),
    )
    op.create_index(op.f("ix_submission_unit_id"), "submission", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_submission_unit_id"), table_name="submission")
    op.drop_table("submission")

    op.drop_index(
        "uq_reminder_instance_id_rule_key_no_unit",
        table_name="reminder",
        sqlite_where=sa.text("unit_id IS NULL"),
        postgresql_where=sa.text("unit_id IS NULL"),
    )
    op.drop_index("ix_reminder_status_due_at", table_name="reminder")
    op.drop_table("reminder")

    op.drop_index(op.f("ix_report_submitter_unit_id"), table_name="report_submitter")
    op.drop_table("report_submitter")

    op.drop_index(op.f("ix_report_instance_due_end"), table_name="report_instance")
    op.drop_table("report_instance")

    op.drop_table("report_dependency")

    op.drop_index(op.f("ix_invite_unit_id"), table_name="invite")
    op.drop_table("invite")

    op.drop_table("report")

    op.drop_index(op.f("ix_contact_unit_id"), table_name="contact")
    op.drop_table("contact")

    op.drop_table("unit")

    op.drop_table("organisation")

    op.drop_index(op.f("ix_audit_at"), table_name="audit")
    op.drop_table("audit")
