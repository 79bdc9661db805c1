"""The versions a compiled draft is made from, over SQL, with where each stored file lies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.drafts import SubmittedVersion
from bot.core.model import SubmissionKind
from storage.db import read_session
from storage.files import LocalFileStore
from storage.models import submission_t, unit_t


class SqlDraftSources:
    """Implements bot.core.ports.DraftSources over the submissions and the file store."""

    def __init__(self, engine: AsyncEngine, files: LocalFileStore) -> None:
        self.engine = engine
        self.files = files

    async def versions(self, *, instance_id: int) -> list[SubmittedVersion]:
        """Every version sent for the instance, by unit and version."""
        async with read_session(self.engine) as session:
            rows = (
                (
                    await session.execute(
                        sa.select(
                            unit_t.c.key.label("unit_key"),
                            submission_t.c.version,
                            submission_t.c.kind,
                            submission_t.c.submitted_at,
                            submission_t.c.receipt_code,
                            submission_t.c.text,
                            submission_t.c.note,
                            submission_t.c.original_name,
                            submission_t.c.stored_path,
                        )
                        .join(unit_t, unit_t.c.id == submission_t.c.unit_id)
                        .where(submission_t.c.instance_id == instance_id)
                        .order_by(submission_t.c.unit_id, submission_t.c.version)
                    )
                )
                .mappings()
                .all()
            )
        stored = [self._where(row["stored_path"]) for row in rows]
        # One look at the disk per file, off the event loop: a season has thousands.
        present = await asyncio.to_thread(lambda: [p is not None and p.is_file() for p in stored])
        return [
            SubmittedVersion(
                unit_key=row["unit_key"],
                version=row["version"],
                kind=SubmissionKind(row["kind"]),
                submitted_at=row["submitted_at"],
                receipt_code=row["receipt_code"],
                text=row["text"],
                note=row["note"],
                original_name=row["original_name"],
                path=path if here else None,
                missing=row["stored_path"] is not None and not here,
            )
            for row, path, here in zip(rows, stored, present, strict=True)
        ]

    def _where(self, relative: str | None) -> Path | None:
        if relative is None:
            return None
        try:
            return self.files.path(relative)
        except ValueError:  # not a path the store makes: as good as gone
            return None
