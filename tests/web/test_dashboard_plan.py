"""The plan on the dashboard: shown to the Office and leadership; an uploaded file checked with
the CLI's loader and words, nothing written when it fails; applied only once confirmed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html import unescape
from pathlib import Path

import pytest
from dashboard_support import LEADER, OFFICE, PLAN, World, department, migrated

__all__ = ["migrated"]  # the fixture, for pytest

NEW_UNIT = "  - {id: moi, name: Phòng Mới Thành lập}\n"
WITH_NEW_UNIT = PLAN.replace("reports:\n", NEW_UNIT + "reports:\n")
BROKEN = PLAN.replace("due_before: 29/05/2026", "due_before: 31/02/2026")


@pytest.fixture
async def world(tmp_path: Path, migrated: Path) -> AsyncIterator[World]:
    async with department(tmp_path, migrated) as made:
        yield made


def upload(text: str, name: str = "ke-hoach-moi.yaml") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, text.encode("utf-8"), "application/yaml")}


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page, re.S)
    assert found, name
    return unescape(found.group(1))


async def test_the_plan_is_shown_and_leadership_cannot_upload(world: World) -> None:
    async with world.client(LEADER) as browser:
        page = await browser.get("/van-phong/ke-hoach")
        upload_tried = await browser.post(
            "/van-phong/ke-hoach/kiem-tra", data={"csrf": LEADER.csrf}, files=upload(PLAN)
        )
    assert page.status_code == 200
    assert "Sở Thử nghiệm" in page.text and "Báo cáo công tác tháng" in page.text
    assert "Trung tâm Dịch vụ" in page.text and "29/05/2026" in page.text
    assert 'type="file"' not in page.text
    assert upload_tried.status_code == 403


async def test_an_invalid_plan_is_answered_with_its_line_and_nothing_is_written(
    world: World,
) -> None:
    before = await world.deps.plans.applied()
    async with world.client(OFFICE) as browser:
        checked = await browser.post(
            "/van-phong/ke-hoach/kiem-tra", data={"csrf": OFFICE.csrf}, files=upload(BROKEN)
        )
        applied = await browser.post(
            "/van-phong/ke-hoach/ap-dung",
            data={"csrf": OFFICE.csrf, "name": "x.yaml", "text": BROKEN},
            files={"none": ("", b"", "text/plain")},
        )
        not_utf8 = await browser.post(
            "/van-phong/ke-hoach/kiem-tra",
            data={"csrf": OFFICE.csrf},
            files={"file": ("cu.yaml", b"organisation: S\xf5 \xff\n", "application/yaml")},
        )
        nothing = await browser.post(
            "/van-phong/ke-hoach/kiem-tra", data={"csrf": OFFICE.csrf}, files=upload("", "")
        )
    line = BROKEN.splitlines().index("    due_before: 31/02/2026") + 1
    for answer in (checked, applied):
        assert answer.status_code == 400
        assert f"dòng {line}" in answer.text
        assert "chưa ghi gì vào hệ thống" in answer.text
    assert not_utf8.status_code == 400 and "UTF-8" in not_utf8.text
    assert nothing.status_code == 400 and "Chưa chọn tệp" in nothing.text
    assert await world.deps.plans.applied() == before


async def test_a_valid_plan_shows_its_changes_and_is_applied_once_confirmed(
    world: World,
) -> None:
    before = await world.deps.plans.applied()
    async with world.client(OFFICE) as browser:
        checked = await browser.post(
            "/van-phong/ke-hoach/kiem-tra",
            data={"csrf": OFFICE.csrf},
            files=upload(WITH_NEW_UNIT, "../../ke-hoach-moi.yaml"),
        )
        assert checked.status_code == 200
        assert "Thêm 1 đơn vị: moi" in checked.text
        assert await world.deps.plans.applied() == before  # checked, not applied
        form = {
            "csrf": OFFICE.csrf,
            "name": hidden(checked.text, "name"),
            "text": hidden(checked.text, "text"),
        }
        assert form["name"] == "ke-hoach-moi.yaml"
        assert form["text"] == WITH_NEW_UNIT
        bare = await browser.post(
            "/van-phong/ke-hoach/ap-dung", data={k: v for k, v in form.items() if k != "csrf"}
        )
        assert bare.status_code == 403
        assert await world.deps.plans.applied() == before
        applied = await browser.post("/van-phong/ke-hoach/ap-dung", data=form)
    assert applied.status_code == 200
    assert "Đã nạp kế hoạch ke-hoach-moi.yaml" in applied.text
    assert "Phòng Mới Thành lập" in applied.text
    after = await world.deps.plans.applied()
    assert after is not None and after.source == WITH_NEW_UNIT
    assert await world.deps.plans.plans.applied_by() == f"web:{OFFICE.display_name}"


async def test_an_upload_without_its_token_is_refused(world: World) -> None:
    before = await world.deps.plans.applied()
    async with world.client(OFFICE) as browser:
        refused = await browser.post("/van-phong/ke-hoach/kiem-tra", files=upload(WITH_NEW_UNIT))
    assert refused.status_code == 403
    assert await world.deps.plans.applied() == before
