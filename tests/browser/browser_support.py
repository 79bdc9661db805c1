"""What the browser tests share: Debian's chromium driven by Playwright, the web app over a
real database served by a real uvicorn, and screenshots a person can look at.

Playwright's async API, in one event loop for the whole of tests/browser (see conftest.py): its
sync API marks its own loop as running in the main thread for as long as it lives, which would
break every async test that runs after it. The web app is served by uvicorn in that same loop,
as the bot serves it in production, so a test can prepare data through the same WebDeps the
pages use and the app's database engine never crosses loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
from collections.abc import AsyncIterator, Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import uvicorn
from playwright.async_api import Page
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp

from bot.app import bot_settings, draft_desk
from bot.config import Settings
from bot.core.office_desk import PlanDesk
from bot.core.plan.loader import load_plan
from bot.core.usecases import ReportBot
from bot.platforms import WebInviteLinks
from bot.services import (
    PlanReminders,
    PlatformNotifier,
    archive_desk,
    same_file,
    signature_reader,
    status_export,
)
from bot.web import build_web_deps
from handlers.web.context import WebDeps, WebSettings
from storage import plans as plan_store
from storage.db import make_engine
from storage.files import LocalFileStore
from storage.migrate import upgrade
from storage.repository import SqlRepository

ROOT = Path(__file__).parents[2]
SEED_PLAN = ROOT / "plans" / "ke-hoach-dan-chu-co-so-2024.yaml"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# What works here for Debian's chromium under Playwright; a fresh profile comes with each launch.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def chromium_path() -> str:
    """The browser to launch: BAOCAO_TEST_CHROMIUM if set, else Debian's."""
    return os.environ.get("BAOCAO_TEST_CHROMIUM") or DEFAULT_CHROMIUM


def no_browser_reason() -> str | None:
    """Why no browser can run here (the skip reason), or None."""
    path = chromium_path()
    if os.access(path, os.X_OK) and Path(path).is_file():
        return None
    if os.environ.get("BAOCAO_TEST_CHROMIUM"):
        return f"BAOCAO_TEST_CHROMIUM={path} is not an executable file"
    if os.geteuid() != 0:
        return "chromium is not installed and cannot be installed here (not root)"
    return "chromium is not installed and `make browser` could not install it (no network?)"


@dataclass
class WebWorld:
    """A department on a real database and files folder, and what the web app is given."""

    deps: WebDeps
    engine: AsyncEngine
    data: Path
    config: Settings


@contextlib.asynccontextmanager
async def web_world(
    data: Path,
    *,
    plan: Path | None = SEED_PLAN,
    clock: Callable[[], datetime] | None = None,
    database_url: str | None = None,
    settings: WebSettings | None = None,
) -> AsyncIterator[WebWorld]:
    """WebDeps as the composition root builds them, over a SQLite file in `data` (or
    `database_url`), migrated, with `plan` applied at the clock's time (None: no plan)."""
    clock = clock or (lambda: datetime.now(UTC))
    await asyncio.to_thread(data.mkdir, parents=True, exist_ok=True)
    url = database_url or f"sqlite+aiosqlite:///{data / 'baocao.db'}"
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data,
        database_url=url,
        admins=[],
    )
    engine = make_engine(url)
    try:
        await upgrade(engine)
        plans = PlanDesk(
            plans=plan_store.SqlPlans(engine),
            reminders=PlanReminders(engine),
            same_file=same_file,
        )
        if plan is not None:
            await plans.apply(load_plan(plan), path=str(plan), archive=False, now=clock())
        files = LocalFileStore(data)
        repository = SqlRepository(engine, files)
        timezone = ZoneInfo(config.timezone)
        core = ReportBot(
            repository=repository,
            files=files,
            settings=bot_settings(config),
            clock=clock,
            exports=status_export(engine, repository),
            signatures=signature_reader(config),
            drafts=draft_desk(engine, files, repository),
            archives=archive_desk(engine, files, timezone),
        )
        deps = build_web_deps(
            config,
            engine=engine,
            files=files,
            core=core,
            clock=clock,
            notifier=PlatformNotifier(config),
            invite_link=WebInviteLinks(config).invite_link,
            settings=settings,
        )
        yield WebWorld(deps=deps, engine=engine, data=data, config=config)
    finally:
        await engine.dispose()


class _QuietServer(uvicorn.Server):
    """uvicorn without its signal handlers: Ctrl-C must stop pytest, not only the server."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None]:
        yield


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT, without a trailing slash


@contextlib.asynccontextmanager
async def serve(app: ASGIApp) -> AsyncIterator[LiveServer]:
    """Serve `app` with uvicorn (httptools, as in production) on a free loopback port, in the
    running loop, until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))  # the port is ours from here: no race for a free one
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app,
        http="httptools",
        ws="none",
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if task.done():
                task.result()  # the server failed to start: say why
            await asyncio.sleep(0.01)
        yield LiveServer(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        await task
        listener.close()


def guide_pictures() -> set[str]:
    """The names of the pictures the user guide shows (hinh/NAME.png), without .png."""
    text = (ROOT / "docs" / "huong-dan-su-dung.md").read_text(encoding="utf-8")
    return set(re.findall(r"\(hinh/([a-z0-9-]+)\.png\)", text))


class Screenshots:
    """PNGs of pages, for a person to look at, in the test's own folder. When BAOCAO_SCREENSHOTS
    names a folder (relative to the repository: docs/hinh), the pictures the guide shows go
    there instead, and nothing else does: the guide's folder holds only what it shows."""

    def __init__(self, folder: Path, guide_folder: Path | None = None) -> None:
        self.folder = folder
        self.guide_folder = guide_folder

    @classmethod
    def for_test(cls, tmp_path: Path) -> Screenshots:
        chosen = os.environ.get("BAOCAO_SCREENSHOTS")
        return cls(tmp_path / "hinh", (ROOT / chosen) if chosen else None)

    def path(self, name: str) -> Path:
        guide = self.guide_folder is not None and name in guide_pictures()
        folder = self.guide_folder if guide and self.guide_folder else self.folder
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{name}.png"

    async def take(self, page: Page, name: str, *, full_page: bool = False) -> Path:
        """Write the page as `name`.png and return its path."""
        path = self.path(name)
        await page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path


async def horizontal_overflow(page: Page) -> int:
    """How many pixels the page is wider than its window: more than 0 means sideways scrolling,
    which a phone user should never need."""
    overflow: Any = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return int(overflow)
