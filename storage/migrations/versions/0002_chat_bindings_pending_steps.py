"""Chat bindings, pending steps, submission source refs, contact usernames.

Revision ID: 0002
Revises: 0001
Create Date: 2024-05-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate writes sqlmodel.sql.sqltypes.AutoString)
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_step",
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_pending_step")),
        sa.UniqueConstraint("platform", "user_id", name=op.f("uq_pending_step_platform_user_id")),
    )
    op.create_table(
        "chat_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(), nullable=False),
        sa.Column("chat_id", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("bound_by_contact_id", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bound_by_contact_id"],
            ["contact.id"],
            name=op.f("fk_chat_binding_bound_by_contact_id_contact"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_binding")),
        sa.UniqueConstraint("platform", "purpose", name=op.f("uq_chat_binding_platform_purpose")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("username", sa.String(), nullable=True))

    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_ref", sa.String(), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_submission_source_ref"), ["source_ref"])


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_submission_source_ref"), type_="unique")
        batch_op.drop_column("source_ref")

    op.drop_table("chat_binding")

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("username")

    op.drop_table("pending_step")
