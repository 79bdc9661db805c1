"""The shared file store's marker: the first instance writes it, the others must see it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import UserError
from storage.store_marker import check_store, marker_path

NOW = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)


async def test_the_first_start_writes_both_and_the_same_store_passes_again(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    data = tmp_path / "shared"
    marker = await check_store(engine, data, now=NOW)
    assert marker_path(data).read_text().strip() == marker
    assert marker_path(data).stat().st_mode & 0o077 == 0
    assert await check_store(engine, data, now=NOW) == marker


async def test_two_instances_starting_together_agree(engine: AsyncEngine, tmp_path: Path) -> None:
    data = tmp_path / "shared"
    first, second = await asyncio.gather(
        check_store(engine, data, now=NOW), check_store(engine, data, now=NOW)
    )
    assert first == second == marker_path(data).read_text().strip()


async def test_a_store_without_the_marker_is_refused_with_the_fix(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    marker = await check_store(engine, tmp_path / "shared", now=NOW)
    with pytest.raises(UserError) as refused:
        await check_store(engine, tmp_path / "local", now=NOW)
    assert refused.value.key == "store-marker-missing"
    assert refused.value.params["marker"] == marker
    assert marker in refused.value.message()
    assert not marker_path(tmp_path / "local").exists()


async def test_another_databases_store_is_refused(engine: AsyncEngine, tmp_path: Path) -> None:
    await check_store(engine, tmp_path / "shared", now=NOW)
    other = marker_path(tmp_path / "other")
    other.parent.mkdir(parents=True)
    other.write_text("0123456789abcdef\n")
    with pytest.raises(UserError) as refused:
        await check_store(engine, tmp_path / "other", now=NOW)
    assert refused.value.key == "store-marker-other"


async def test_a_marker_left_by_a_start_that_crashed_is_recorded(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    path = marker_path(tmp_path / "shared")
    path.parent.mkdir(parents=True)
    path.write_text("feedc0de\n")
    assert await check_store(engine, tmp_path / "shared", now=NOW) == "feedc0de"
