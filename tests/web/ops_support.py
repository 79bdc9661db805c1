"""The runtime's own web app, as uvicorn would serve it (with /healthz and /metrics), for the
operations tests: a real SQLite file (or a database URL given), the TestClient on the app."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient
from web_support import Clock, settings_for

from bot.app import Runtime
from bot.services import upgrade_database
from handlers.web.platform import WebPlatform


@dataclass
class OpsWorld:
    client: TestClient
    runtime: Runtime


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
    client: tuple[str, int] = ("testclient", 50000),
    **overrides: Any,
) -> Iterator[OpsWorld]:
    config = settings_for(folder, **overrides)
    if migrate:
        asyncio.run(upgrade_database(config))
    from datetime import UTC, datetime

    runtime = Runtime(config, clock=Clock(datetime.now(UTC)))
    with TestClient(runtime_app(runtime), client=client) as test_client:
        try:
            yield OpsWorld(client=test_client, runtime=runtime)
        finally:
            portal = test_client.portal
            assert portal is not None
            portal.call(runtime.engine.dispose)
