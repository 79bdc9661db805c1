"""The web app in a real headless browser: Debian's chromium, driven by Playwright.

Every async test here runs in one event loop for the session, the loop the browser lives in
(see browser_support). Without chromium, the tests that need it skip and say why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from browser_support import (
    CHROMIUM_FLAGS,
    DESKTOP,
    PHONE,
    LiveServer,
    Screenshots,
    WebWorld,
    chromium_path,
    no_browser_reason,
    serve,
    web_world,
)
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from handlers.web.app import build_app

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run this folder's async tests in the session's loop, where the browser lives."""
    in_session_loop = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if item.path.is_relative_to(HERE) and pytest_asyncio.is_async_test(item):
            item.add_marker(in_session_loop, append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One chromium for the session; each test gets its own context (cookies, storage)."""
    reason = no_browser_reason()
    if reason:
        pytest.skip(reason)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium_path(), args=list(CHROMIUM_FLAGS)
        )
        try:
            yield launched
        finally:
            await launched.close()


async def _page(browser: Browser, viewport: dict[str, int]) -> AsyncIterator[Page]:
    context: BrowserContext = await browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def phone(browser: Browser) -> AsyncIterator[Page]:
    """A page the size of a phone screen, 390 x 844, as unit heads see the portal."""
    async for page in _page(browser, PHONE):
        yield page


@pytest_asyncio.fixture(loop_scope="session")
async def desktop(browser: Browser) -> AsyncIterator[Page]:
    """A page the size of an office screen, 1280 x 800."""
    async for page in _page(browser, DESKTOP):
        yield page


@pytest.fixture
def screenshots(tmp_path: Path) -> Screenshots:
    return Screenshots.for_test(tmp_path)


@pytest_asyncio.fixture(loop_scope="session")
async def world(tmp_path: Path) -> AsyncIterator[WebWorld]:
    """The seed plan applied on a fresh SQLite file, and the web app's dependencies over it."""
    async with web_world(tmp_path / "data") as built:
        yield built


@pytest_asyncio.fixture(loop_scope="session")
async def live(world: WebWorld) -> AsyncIterator[LiveServer]:
    """The web app over `world`, served by a real uvicorn on a free loopback port."""
    async with serve(build_app(world.deps)) as server:
        yield server
