"""While the records cannot be reached (the database restarting), a message waits and is
handled again, rather than lost behind an apology; any other error is not retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from test_usecases import World, make_world

from bot.core.i18n import t
from bot.core.usecases import router


class Restarting(Exception):
    """What the storage says while the server is down."""


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield w


def failing(world: World, times: int, error: Exception) -> list[float]:
    """The next `times` reads of who a person is fail with `error`; the pauses taken."""
    repo: Any = world.bot.context.repo
    real = repo.contact
    left = [times]

    async def contact(**kwargs: Any) -> Any:
        if left[0]:
            left[0] -= 1
            raise error
        return await real(**kwargs)

    repo.contact = contact
    paused: list[float] = []

    async def sleep(seconds: float) -> None:
        paused.append(seconds)

    world.bot.unavailable = lambda e: isinstance(e, Restarting)
    world.bot.sleep = sleep
    return paused


async def test_a_message_sent_while_the_database_restarts_is_answered_once_it_is_back(
    world: World,
) -> None:
    await world.register("1", "phong-a")
    before = len(world.out.texts("1"))
    paused = failing(world, 2, Restarting())
    await world.say("1", "/huongdan")
    assert paused == list(router.RETRY_PAUSES[:2])
    assert world.out.texts("1")[before:] == [world.bot.context.words(world.out, "help")]


async def test_a_database_down_for_long_is_told_after_a_few_seconds(world: World) -> None:
    paused = failing(world, 99, Restarting())
    with pytest.raises(Restarting):  # the platform then sends the catalog's apology
        await world.say("1", "/huongdan")
    assert paused == list(router.RETRY_PAUSES) and sum(paused) < 10
    assert t("error-sorry")  # what the person reads then


async def test_an_error_that_is_not_the_database_being_away_is_not_retried(
    world: World,
) -> None:
    paused = failing(world, 1, KeyError("bug"))
    with pytest.raises(KeyError):
        await world.say("1", "/huongdan")
    assert paused == []
