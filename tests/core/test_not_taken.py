"""What the bot does not take, without the web app: said, and for a file, that the web app is
off (with it on, tests/web/test_signin_chat.py sees the link)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from test_usecases import World, make_world

from bot.core.i18n import t
from bot.core.model import OtherContent


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in make_world(tmp_path):
        yield w


async def test_a_file_the_platform_cannot_pass_is_said_so(world: World) -> None:
    await world.register("1", "phong-a")
    await world.bot.handle(world.incoming("1", other=OtherContent.FILE), world.out)
    assert world.out.texts("1")[-1] == t("submit-unsupported-file") + "\n\n" + t("web-link-off")


async def test_without_the_web_app_other_things_get_no_link_line(world: World) -> None:
    await world.register("1", "phong-a")
    await world.bot.handle(world.incoming("1", other=OtherContent.STICKER), world.out)
    assert world.out.texts("1")[-1] == t("submit-unsupported", what=t("unsupported-sticker"))


async def test_a_stranger_sending_a_file_gets_the_stranger_answer_only(world: World) -> None:
    await world.bot.handle(world.incoming("1", other=OtherContent.FILE), world.out)
    await world.bot.handle(world.incoming("1", other=OtherContent.FILE), world.out)
    assert world.out.texts("1") == [t("stranger")]
