"""The audit trail on the dashboard: what was done on the web, in words, newest first, 50 a
page; the Office's alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from dashboard_support import LEADER, NOW, OFFICE, World, department, migrated

from bot.core.plan.model import Role
from storage.audit import SqlAuditLog

__all__ = ["migrated"]  # the fixture, for pytest


@pytest.fixture
async def world(tmp_path: Path, migrated: Path) -> AsyncIterator[World]:
    async with department(tmp_path, migrated) as made:
        yield made


async def test_the_changes_made_on_the_web_are_in_the_trail_in_words(world: World) -> None:
    head = await world.register("kh", Role.HEAD, "Nguyễn Văn An", "101")
    async with world.client(OFFICE) as browser:
        await browser.post(
            "/van-phong/loi-moi/tao", data={"csrf": OFFICE.csrf, "unit": "ttbc", "role": "head"}
        )
        await browser.post(
            f"/van-phong/dau-moi/{head.id}/chuyen", data={"csrf": OFFICE.csrf, "unit": "dv-xa"}
        )
        page = await browser.get("/van-phong/nhat-ky")
    assert page.status_code == 200
    text = page.text
    who = f"{OFFICE.display_name} (trên web)"
    moved = f"Chuyển người liên hệ số {head.id} từ đơn vị kh sang dv-xa"
    assert who in text and moved in text
    assert "cho đơn vị ttbc (vai trò: đầu mối đơn vị)" in text
    assert "Áp dụng kế hoạch ke-hoach.yaml" in text
    assert text.index(moved) < text.index("Áp dụng kế hoạch")  # newest first
    assert "18/05/2026 09:00" in text


async def test_the_trail_goes_fifty_a_page(world: World) -> None:
    log = SqlAuditLog(world.engine)
    for n in range(60):
        detail: dict[str, object] = {"code": f"MA{n:03d}", "unit": "kh"}
        await log.audit(
            actor="cli", action="invite.revoke", detail=detail, now=NOW + timedelta(minutes=n)
        )
    async with world.client(OFFICE) as browser:
        first = await browser.get("/van-phong/nhat-ky")
        second = await browser.get("/van-phong/nhat-ky?trang=2")
        odd = await browser.get("/van-phong/nhat-ky?trang=abc")
        beyond = await browser.get("/van-phong/nhat-ky?trang=9")
        # Past what the database's integers hold: the same refusal, not an error page.
        far = await browser.get("/van-phong/nhat-ky?trang=99999999999999999999")
    assert "MA059" in first.text and "MA010" in first.text and "MA009" not in first.text
    assert "MA009" in second.text and "MA000" in second.text and "ke-hoach.yaml" in second.text
    assert "Trang 2/2" in second.text
    assert odd.status_code == 200 and "MA059" in odd.text
    assert beyond.status_code == 404 and "chỉ có 2 trang" in beyond.text
    assert far.status_code == 404 and "chỉ có 2 trang" in far.text


async def test_leadership_does_not_read_the_trail(world: World) -> None:
    async with world.client(LEADER) as browser:
        page = await browser.get("/van-phong/nhat-ky")
    assert page.status_code == 403
