"""Submission signatures over SQL: what was found about a submitted PDF's digital signatures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.cleaning import clean_name
from bot.core.model import SignatureCheck, SignatureIntegrity, SignatureTrust
from storage.db import read_session, write_session
from storage.files import LocalFileStore
from storage.models import signature_t, submission_t

# Certificate names are the signer's to choose: kept to what a line of text can show.
NAME_KEPT = 200


class SqlSignatureRecords:
    """Implements bot.core.ports.SignatureRecords."""

    def __init__(self, engine: AsyncEngine, files: LocalFileStore) -> None:
        self.engine = engine
        self.files = files

    async def stored_file(self, *, submission_id: int) -> Path | None:
        async with read_session(self.engine) as session:
            stored = await session.scalar(
                sa.select(submission_t.c.stored_path).where(submission_t.c.id == submission_id)
            )
        if stored is None:
            return None
        try:
            return self.files.path(stored)
        except ValueError:  # not a path this store wrote: nothing to read
            return None

    async def record_signatures(
        self, *, submission_id: int, checks: Sequence[SignatureCheck]
    ) -> None:
        # A redelivered event checks the same file again: its rows replace the first ones.
        async with write_session(self.engine) as session:
            await session.execute(
                sa.delete(signature_t).where(signature_t.c.submission_id == submission_id)
            )
            if checks:
                await session.execute(
                    sa.insert(signature_t),
                    [
                        {
                            "submission_id": submission_id,
                            "position": position,
                            "integrity": check.integrity.value,
                            "trust": check.trust.value,
                            "signer": _kept(check.signer),
                            "organisation": _kept(check.organisation),
                            "signed_at": check.signed_at,
                        }
                        for position, check in enumerate(checks)
                    ],
                )


def _kept(name: str | None) -> str | None:
    if name is None:
        return None
    return clean_name(name)[:NAME_KEPT] or None


async def latest_signatures(
    session: AsyncSession | AsyncConnection, instance_ids: list[int]
) -> dict[tuple[int, int], tuple[SignatureCheck, ...]]:
    """(instance id, unit id) -> the signatures of the unit's latest version for the instance;
    units whose latest version carries none are absent."""
    if not instance_ids:
        return {}
    latest = (
        sa.select(
            submission_t.c.instance_id,
            submission_t.c.unit_id,
            sa.func.max(submission_t.c.version).label("version"),
        )
        .where(submission_t.c.instance_id.in_(instance_ids))
        .group_by(submission_t.c.instance_id, submission_t.c.unit_id)
        .subquery()
    )
    rows = await session.execute(
        sa.select(submission_t.c.instance_id, submission_t.c.unit_id, signature_t)
        .join(signature_t, signature_t.c.submission_id == submission_t.c.id)
        .join(
            latest,
            sa.and_(
                latest.c.instance_id == submission_t.c.instance_id,
                latest.c.unit_id == submission_t.c.unit_id,
                latest.c.version == submission_t.c.version,
            ),
        )
        .order_by(submission_t.c.id, signature_t.c.position)
    )
    found: dict[tuple[int, int], list[SignatureCheck]] = defaultdict(list)
    for row in rows.mappings():
        found[(row["instance_id"], row["unit_id"])].append(
            SignatureCheck(
                integrity=SignatureIntegrity(row["integrity"]),
                trust=SignatureTrust(row["trust"]),
                signer=row["signer"],
                organisation=row["organisation"],
                signed_at=row["signed_at"],
            )
        )
    return {key: tuple(checks) for key, checks in found.items()}
