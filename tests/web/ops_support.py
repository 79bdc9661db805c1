"""The runtime's own web app, as uvicorn would serve it (with /healthz and /metrics), for the
operations tests: a real SQLite file (or a database URL given), the TestClient on the app."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from web_support import Clock, WebWorld, seeded_database, settings_for

from bot.app import Runtime
from bot.services import upgrade_database
from handlers.web.platform import WebPlatform


def runtime_app(runtime: Runtime) -> Any:
    """The app the runtime's web platform serves."""
    for platform in runtime.platforms:
        if isinstance(platform, WebPlatform):
            return platform.app
    raise AssertionError("the web app is off")


@contextmanager
def ops_world(
    folder: Path,
    *,
    migrate: bool = True,
    seed: bool = False,
    client: tuple[str, int] = ("testclient", 50000),
    **overrides: Any,
) -> Iterator[WebWorld]:
    """A runtime over a fresh database (migrated, the seed plan applied when `seed`), and a
    client on the app it serves, from the address `client`."""
    config = settings_for(folder, **overrides)
    now = datetime.now(UTC)
    if seed:
        seeded = seeded_database(folder / "seed", now)
        config.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(seeded, config.data_dir / "baocao.db")
    elif migrate:
        asyncio.run(upgrade_database(config))
    clock = Clock(now)
    runtime = Runtime(config, clock=clock)
    with TestClient(runtime_app(runtime), client=client) as test_client:
        world = WebWorld(client=test_client, runtime=runtime, config=config, clock=clock)
        try:
            yield world
        finally:
            world.call(runtime.engine.dispose)
