"""Alembic environment: runs on the connection `storage.migrate` hands over (async engines)."""

from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import UTCDateTime, metadata

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write our UTC type as the plain column type it is, so revisions don't import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError(
        "run migrations through storage.migrate (upgrade, downgrade, current, revision),"
        " which hands over an open connection; offline (--sql) mode is not supported"
    )
run_on(connection)
