"""Submission signatures: who signed a submitted PDF, when, and whether it changed since.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("integrity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("trust", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("signer", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_submission_signature_submission_id_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_signature")),
        sa.UniqueConstraint(
            "submission_id",
            "position",
            name=op.f("uq_submission_signature_submission_id_position"),
        ),
    )


def downgrade() -> None:
    # What was found about signatures is lost; the files themselves stay, and 0004's code
    # never showed it.
    op.drop_table("submission_signature")
