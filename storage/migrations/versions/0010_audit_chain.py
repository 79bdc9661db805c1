"""The audit trail as a hash chain: prev_hash and row_hash on every row, the chain's head, and
triggers that refuse changing or removing a row.

Existing rows are chained here in id order, with the hash storage.audit computes (a copy of it
below: a migration must not change when the code does).

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-05
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
GENESIS = "0" * 64

_PG_FUNCTION = """
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _hash(row: Any, at: datetime, prev_hash: str) -> str:
    body = {
        "id": row.id,
        "at": at.astimezone(UTC).isoformat(),
        "actor": row.actor,
        "action": row.action,
        "detail": row.detail or {},
        "prev_hash": prev_hash,
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _utc(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime (SQLite keeps UTC text without an offset)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("audit", sa.Column("prev_hash", _TEXT(), nullable=True))
    op.add_column("audit", sa.Column("row_hash", _TEXT(), nullable=True))
    audit = sa.table(
        "audit",
        sa.column("id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", _TEXT()),
        sa.column("action", _TEXT()),
        sa.column("detail", sa.JSON()),
        sa.column("prev_hash", _TEXT()),
        sa.column("row_hash", _TEXT()),
    )
    previous, last_id = GENESIS, 0
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).all():
        digest = _hash(row, _utc(row.at), previous)
        bind.execute(
            sa.update(audit).where(audit.c.id == row.id).values(prev_hash=previous, row_hash=digest)
        )
        previous, last_id = digest, row.id
    with op.batch_alter_table("audit") as batch:
        batch.alter_column("prev_hash", existing_type=_TEXT(), nullable=False)
        batch.alter_column("row_hash", existing_type=_TEXT(), nullable=False)
        batch.create_unique_constraint(batch.f("uq_audit_prev_hash"), ["prev_hash"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", _TEXT(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    assert head is not None
    op.bulk_insert(head, [{"id": 1, "last_id": last_id, "last_hash": previous}])
    if bind.dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE refused'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE refused'); END"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_append_only ON audit")
        op.execute("DROP FUNCTION audit_append_only()")
        # Rows were appended with their ids chosen under the head's lock: the id sequence the
        # earlier schema appends with starts after them.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('audit', 'id'), "
            "COALESCE((SELECT max(id) FROM audit), 0) + 1, false)"
        )
    else:
        op.execute("DROP TRIGGER audit_no_update")
        op.execute("DROP TRIGGER audit_no_delete")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit") as batch:
        batch.drop_constraint(batch.f("uq_audit_prev_hash"), type_="unique")
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
