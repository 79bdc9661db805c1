"""The Office's dashboard over a real SQLite file, through the ASGI app: the open rounds, one
round unit by unit, a unit's history, and the downloads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from dashboard_support import HEAD, LEADER, NOW, OFFICE, REPORT, World, department, migrated

from bot.core.plan.model import Role

__all__ = ["migrated"]  # the fixture, for pytest


@pytest.fixture
async def world(tmp_path: Path, migrated: Path) -> AsyncIterator[World]:
    """Two units have reported (one on time with a file, one late... not yet: see the test)."""
    async with department(tmp_path, migrated) as made:
        head = await made.register("kh", Role.HEAD, "Nguyễn Văn An", "101")
        await made.register("ttbc", Role.HEAD, "Trần Thị Bình", "102")
        await made.submit_file(head, "Báo cáo tháng 5.docx", b"PK fake docx", NOW)
        await made.submit_text(head, "Bản sửa: số liệu đúng", NOW + timedelta(hours=2))
        yield made


async def test_the_overview_lists_each_open_round_with_its_counts(world: World) -> None:
    for who in (OFFICE, LEADER):
        async with world.client(who) as browser:
            page = await browser.get("/van-phong")
        assert page.status_code == 200
        assert REPORT in page.text
        assert "Đã nộp 1/3" in page.text
        assert "bieu-do.png" in page.text and "<progress" in page.text


async def test_the_round_page_shows_every_unit_with_its_receipt_and_contact(world: World) -> None:
    instance = await world.instance_id()
    (status,) = await world.deps.office.status(report_key=None, now=NOW)
    receipts = await world.deps.exports.register.register(instance_ids=[instance])
    latest = receipts[-1].receipt_code
    for who in (OFFICE, LEADER):
        async with world.client(who) as browser:
            page = await browser.get(f"/van-phong/bao-cao/{instance}")
        assert page.status_code == 200
        for unit in status.units:
            assert unit.unit_name in page.text
        assert latest in page.text
        assert "Nguyễn Văn An" in page.text and "Trần Thị Bình" in page.text
        assert "còn trong hạn" in page.text  # the units not yet reported, before the deadline
        assert ("tai-ve/tong-hop" in page.text) is (who is OFFICE)


async def test_a_unit_missing_past_the_deadline_is_overdue_by_how_long(world: World) -> None:
    world.clock[0] = NOW + timedelta(days=12)  # Saturday 30/05, past the deadline
    instance = await world.instance_id()
    async with world.client(OFFICE) as browser:
        page = await browser.get(f"/van-phong/bao-cao/{instance}")
    assert "chưa nộp, đã trễ" in page.text


async def test_the_chart_is_a_png(world: World) -> None:
    instance = await world.instance_id()
    async with world.client(LEADER) as browser:
        picture = await browser.get(f"/van-phong/bao-cao/{instance}/bieu-do.png")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    assert world.staged() == []


async def test_the_excel_workbook_lists_the_unit_as_reported(world: World) -> None:
    instance = await world.instance_id()
    async with world.client(LEADER) as browser:
        download = await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/excel")
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''" in disposition and "B%C3%A1o%20c%C3%A1o" in disposition
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    status = book.worksheets[0]
    rows = [[str(c.value) for c in row if c.value is not None] for row in status.iter_rows()]
    (reported,) = [row for row in rows if "Phòng Kế hoạch - Tài chính" in row]
    (waiting,) = [row for row in rows if "Phòng Thông tin - Báo chí" in row]
    assert "đúng hạn" in reported and "2" in reported  # on time, its second version
    assert "còn trong hạn" in waiting
    assert world.staged() == []


async def test_the_zip_holds_the_files_sent(world: World) -> None:
    instance = await world.instance_id()
    async with world.client(OFFICE) as browser:
        latest = await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/zip")
        every = await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/zip?tat-ca=1")
    assert latest.status_code == every.status_code == 200
    assert latest.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(every.content)) as archive:
        names = archive.namelist()
    assert any(name.endswith(".docx") for name in names)
    assert world.staged() == []


async def test_the_compiled_draft_is_for_the_office_only(world: World) -> None:
    instance = await world.instance_id()
    async with world.client(OFFICE) as browser:
        draft = await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/tong-hop")
    assert draft.status_code == 200
    assert draft.content.startswith(b"PK")
    assert ".docx" in draft.headers["content-disposition"]
    async with world.client(LEADER) as browser:
        refused = await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/tong-hop")
    assert refused.status_code == 403
    assert "không dành cho vai trò" in refused.text
    assert world.staged() == []


async def test_a_unit_page_shows_every_version_and_its_contacts(world: World) -> None:
    receipts = await world.deps.exports.register.register(instance_ids=[await world.instance_id()])
    async with world.client(LEADER) as browser:
        page = await browser.get("/van-phong/don-vi/kh")
    assert page.status_code == 200
    assert "Phòng Kế hoạch - Tài chính" in page.text
    assert "Báo cáo tháng 5.docx" in page.text
    for receipt in receipts:
        assert receipt.receipt_code in page.text
    assert "Nguyễn Văn An" in page.text


async def test_unknown_rounds_and_units_get_a_page_in_words(world: World) -> None:
    async with world.client(OFFICE) as browser:
        no_round = await browser.get("/van-phong/bao-cao/99999")
        no_unit = await browser.get("/van-phong/don-vi/khong-co")
        no_chart = await browser.get("/van-phong/bao-cao/99999/tai-ve/excel")
    assert no_round.status_code == no_unit.status_code == no_chart.status_code == 404
    assert "Không có kỳ báo cáo này" in no_round.text
    assert "khong-co" in no_unit.text


@pytest.mark.parametrize("path", ["/van-phong", "/van-phong/don-vi/kh"])
async def test_a_unit_head_and_a_stranger_are_refused(world: World, path: str) -> None:
    async with world.client(HEAD) as browser:
        head = await browser.get(path)
    async with world.client(None) as browser:
        stranger = await browser.get(path)
    assert head.status_code == 403 and "không dành cho vai trò" in head.text
    assert stranger.status_code == 401
    assert "Traceback" not in head.text + stranger.text


async def test_downloads_from_the_dashboard_are_in_the_audit_trail(world: World) -> None:
    """As exports from the CLI and chat are: who took which round's data."""
    instance = await world.instance_id()
    async with world.client(LEADER) as browser:
        await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/excel")
    async with world.client(OFFICE) as browser:
        await browser.get(f"/van-phong/bao-cao/{instance}/tai-ve/zip?tat-ca=1")
    assert world.deps.audit is not None
    entries, _ = await world.deps.audit.entries(offset=0, limit=10)
    taken = [
        (e.action, e.actor, e.detail.get("report"))
        for e in entries
        if e.action.startswith("export.")
    ]
    assert [action for action, _, _ in taken] == ["export.zip", "export.xlsx"]
    assert all(actor.startswith("web:") and report == "bc-thang" for _, actor, report in taken)
