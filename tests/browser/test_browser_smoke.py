"""The web app as a person sees it on a phone: the guide, and a page that refuses, in chromium."""

from __future__ import annotations

from browser_support import LiveServer, Screenshots, horizontal_overflow
from playwright.async_api import Page

from bot.core.i18n import t
from handlers.web.guide import load_guide


async def background(page: Page, selector: str) -> str:
    color: str = await page.eval_on_selector(
        selector, "element => getComputedStyle(element).backgroundColor"
    )
    return color


async def test_the_guide_reads_on_a_phone(
    live: LiveServer, phone: Page, screenshots: Screenshots
) -> None:
    guide = load_guide()
    assert guide is not None
    response = await phone.goto(f"{live.url}/huong-dan")
    assert response is not None and response.status == 200
    assert await phone.locator("h1").first.inner_text() == guide.title
    assert await phone.locator(".toc h2").inner_text() == t("web-guide-contents")
    # The shared sheet (the page's background) and the guide's own (its transcripts) applied.
    assert await background(phone, "body") == "rgb(246, 247, 249)"
    wrap = await phone.eval_on_selector(".guide-body pre", "e => getComputedStyle(e).whiteSpace")
    assert wrap == "pre-wrap"
    assert await horizontal_overflow(phone) == 0
    await screenshots.take(phone, "huong-dan")
    # The table of contents leads to its chapter.
    chapter = guide.contents[1].heading
    await phone.locator(".toc").get_by_role("link", name=chapter.text, exact=True).click()
    assert phone.url.endswith(f"#{chapter.anchor}")
    assert await phone.locator(f"#{chapter.anchor}").is_visible()


async def test_a_refused_page_says_why_in_words_on_a_phone(
    live: LiveServer, phone: Page, screenshots: Screenshots
) -> None:
    response = await phone.goto(f"{live.url}/huong-dan/hinh/khong-co.png")
    assert response is not None and response.status == 404
    assert await phone.locator(".problem p").first.inner_text() == t("web-guide-picture-missing")
    assert await phone.title() == f"{t('web-problem-title')} · baocao"
    assert await background(phone, ".card") == "rgb(255, 255, 255)"
    assert await horizontal_overflow(phone) == 0
    await screenshots.take(phone, "trang-tu-choi")
