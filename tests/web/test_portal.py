"""The unit portal over HTTP: the unit's reports, uploads that land as versions with receipts
(on the page, in chat or in the outbox), and every refusal leaving nothing behind."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fakes.messenger import FakeMessenger
from portal_support import CSRF, NOW, Department, Portal, department, portal
from upload_bodies import CONTENT_TYPE, DOCX, EXE, PDF, PNG, body, field, file, sha256, sized

from bot.core.model import SubmissionKind
from storage.db import make_engine
from storage.repository import SqlRepository
from storage.roster import SqlRoster

JSON = {"accept": "application/json", "x-csrf-token": CSRF, "content-type": CONTENT_TYPE}


@pytest.fixture
def world(tmp_path: Path) -> Department:
    return department(tmp_path)


def post(web: Portal, report: str, data: bytes, headers: dict[str, str] | None = None) -> object:
    instance = web.department.instances[report]
    return web.client.post(
        f"/don-vi/bao-cao/{instance}/tai-len",
        content=data,
        headers=JSON if headers is None else headers,
    )


def test_the_unit_sees_its_open_reports_and_those_it_may_correct(world: Department) -> None:
    with portal(world) as web:
        page = web.client.get("/don-vi")
    assert page.status_code == 200
    text = page.text
    assert "Báo cáo của Phòng A" in text
    assert "Báo cáo 6 tháng" in text and "trước ngày 05/06/2024" in text.lower()
    assert "Chưa gửi" in text and "còn 15 ngày" in text
    # April's report was sent late, on 16/05: offered for a correction, late by the first one.
    corrections = text.split("còn gửi bản sửa được")[1]
    assert "Báo cáo tháng 4" in corrections and "Trễ hạn 1 ngày 10 giờ" in corrections
    assert "Gửi bản sửa" in corrections
    assert "Báo cáo chuyên đề" not in text  # Phòng B's alone


def test_one_report_page_lists_the_versions_and_offers_both_forms(world: Department) -> None:
    with portal(world) as web:
        page = web.client.get(f"/don-vi/bao-cao/{world.instances['bc-thang-4']}")
    assert page.status_code == 200
    assert "Bản 1" in page.text and "16/05/2024 10:00" in page.text
    assert 'type="file" name="tep" multiple' in page.text
    assert 'name="csrf" value="' + CSRF in page.text
    assert '<script src="/tinh/upload.js"' in page.text
    assert "style=" not in page.text and "onclick" not in page.text  # CSP: nothing inline


def test_another_units_report_or_a_closed_one_is_not_found(world: Department) -> None:
    with portal(world) as web:
        other = web.client.get(f"/don-vi/bao-cao/{world.instances['bc-chuyen-de']}")
        none = web.client.get("/don-vi/bao-cao/999999")
        upload = post(web, "bc-chuyen-de", body([file("a.pdf", PDF)]))
    assert other.status_code == none.status_code == 404
    assert "Không tìm thấy báo cáo này" in other.text
    assert upload.status_code == 404 and "Không tìm thấy" in upload.json()["error"]
    assert world.versions("bc-chuyen-de", "phong-b") == [] and world.staged() == []


def test_an_upload_lands_as_versions_with_receipts_on_the_page_and_in_chat(
    world: Department,
) -> None:
    big = sized(b"%PDF-", 4000)
    with portal(world) as web:
        answer = post(
            web,
            "bc-6-thang",
            body([field("ghi-chu", "Kèm phụ lục"), file("Báo cáo.pdf", big), file("a.png", PNG)]),
        )
        sent = web.messenger.texts("chat-phong-a")
    assert answer.status_code == 200, answer.text
    receipts = answer.json()["receipts"]
    assert [item["version"] for item in receipts] == [1, 2]
    versions = world.versions("bc-6-thang")
    assert [(v.version, v.kind, v.original_name, v.size) for v in versions] == [
        (1, SubmissionKind.FILE, "Báo cáo.pdf", 4000),
        (2, SubmissionKind.PHOTO, "a.png", len(PNG)),
    ]
    assert [world.stored_sha256(v) for v in versions] == [sha256(big), sha256(PNG)]
    assert [v.receipt_code for v in versions] == [item["code"] for item in receipts]
    assert versions[0].note == "Kèm phụ lục"
    # The same receipt, word for word, in the contact's chat.
    assert sent == [item["text"] for item in receipts]
    assert "Báo cáo.pdf" in sent[0] and receipts[0]["code"] in sent[0]
    assert world.staged() == [] and world.outbox() == []


def test_the_plain_form_gets_a_page_with_the_receipts(world: Department) -> None:
    data = body([field("csrf", CSRF), file("du-thao.docx", DOCX), field("ghi-chu", "")])
    with portal(world) as web:
        answer = post(web, "bc-6-thang", data, {"content-type": CONTENT_TYPE})
    assert answer.status_code == 200
    assert "Đã nhận báo cáo" in answer.text and "du-thao.docx" in answer.text
    (version,) = world.versions("bc-6-thang")
    assert version.receipt_code in answer.text and version.note is None


def test_a_receipt_for_a_platform_not_running_here_waits_in_the_outbox(
    world: Department,
) -> None:
    with portal(world, messengers={}) as web:
        answer = post(web, "bc-6-thang", body([file("a.pdf", PDF)]))
    assert answer.status_code == 200
    (queued,) = world.outbox()
    assert (queued["platform"], queued["chat_id"]) == ("telegram", "chat-phong-a")
    assert queued["text"] == answer.json()["receipts"][0]["text"]


def test_a_chat_that_cannot_be_reached_does_not_fail_the_upload(world: Department) -> None:
    with portal(world) as web:
        web.messenger.blocked.add("chat-phong-a")
        answer = post(web, "bc-6-thang", body([file("a.pdf", PDF)]))
    assert answer.status_code == 200 and len(world.versions("bc-6-thang")) == 1


def test_a_correction_is_receipted_as_one(world: Department) -> None:
    with portal(world) as web:
        answer = post(web, "bc-thang-4", body([file("sua.pdf", PDF)]))
    (receipt,) = answer.json()["receipts"]
    assert receipt["version"] == 2 and "bản sửa" in receipt["text"]


@pytest.mark.parametrize(
    ("parts", "status", "words"),
    [
        ([file("a.pdf", PDF), file("b.pdf", EXE)], 415, "nội dung không phải tệp PDF"),
        ([file("a.pdf", PDF), file("setup.exe", EXE)], 415, "không thuộc loại được nhận"),
        ([file("a.pdf", sized(b"%PDF-", 4097))], 413, "lớn hơn 0,0 MB"),
        ([file("trong.pdf", b"")], 400, "trống"),
        ([file("../\x00", PDF)], 400, "không có tên"),
    ],
)
def test_a_refused_upload_stores_nothing_at_all(
    world: Department, parts: list[object], status: int, words: str
) -> None:
    with portal(world) as web:
        answer = post(web, "bc-6-thang", body(parts))  # type: ignore[arg-type]
        sent = list(web.messenger.sent)
    assert answer.status_code == status
    assert words in answer.json()["error"]
    assert world.versions("bc-6-thang") == [] and world.staged() == [] and world.stored() == []
    assert sent == []


def test_a_declared_length_over_the_limit_is_refused_before_reading(world: Department) -> None:
    with portal(world, max_upload=100) as web:
        answer = post(web, "bc-6-thang", b"x" * 2_000_000)
    assert answer.status_code == 413 and "Chưa lưu gì" in answer.json()["error"]
    assert world.staged() == []


@pytest.mark.parametrize("token", [None, "forged"])
def test_without_the_csrf_token_nothing_is_stored(world: Department, token: str | None) -> None:
    headers = {"accept": "application/json", "content-type": CONTENT_TYPE}
    if token is not None:
        headers["x-csrf-token"] = token
    with portal(world) as web:
        answer = post(web, "bc-6-thang", body([file("a.pdf", PDF)]), headers)
        text = web.client.post(
            f"/don-vi/bao-cao/{world.instances['bc-6-thang']}/van-ban",
            data={"noi-dung": "Nội dung", **({"csrf": token} if token else {})},
        )
    assert answer.status_code == text.status_code == 403
    assert "Biểu mẫu đã cũ" in answer.json()["error"]
    assert world.versions("bc-6-thang") == [] and world.staged() == []


def test_nobody_signed_in_and_the_office_are_turned_away(world: Department) -> None:
    with portal(world) as web:
        web.sign_in(None)
        anonymous = web.client.get("/don-vi")
        anonymous_upload = post(web, "bc-6-thang", body([file("a.pdf", PDF)]))
        web.sign_in("van-phong")
        office = web.client.get("/don-vi")
    assert anonymous.status_code == anonymous_upload.status_code == 401
    assert "/web" in anonymous.text
    assert office.status_code == 403  # the Office's staff hand in nothing for a unit
    assert world.versions("bc-6-thang") == []


def test_a_removed_contact_sends_nothing(world: Department) -> None:
    """A session that outlived its contact's removal (the sign-in pages end such sessions)."""

    async def remove() -> None:
        engine = make_engine(world.url)
        try:
            await SqlRoster(engine).remove_contact(contact_id=world.heads["phong-a"].id, now=NOW)
        finally:
            await engine.dispose()

    asyncio.run(remove())
    with portal(world) as web:
        answer = post(web, "bc-6-thang", body([file("a.pdf", PDF)]))
    assert answer.status_code == 409 and "không còn là đầu mối" in answer.json()["error"]
    assert world.versions("bc-6-thang") == [] and world.staged() == [] and world.stored() == []


def test_two_uploads_at_once_land_as_distinct_versions(world: Department) -> None:
    first, second = sized(b"%PDF-", 3000), sized(b"%PDF-", 3500)
    with portal(world) as web, ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda content: post(web, "bc-6-thang", body([file("a.pdf", content)])),
                [first, second],
            )
        )
    assert [answer.status_code for answer in answers] == [200, 200]  # type: ignore[attr-defined]
    versions = world.versions("bc-6-thang")
    assert sorted(v.version for v in versions) == [1, 2]
    assert {world.stored_sha256(v) for v in versions} == {sha256(first), sha256(second)}
    assert len({v.receipt_code for v in versions}) == 2


def test_a_short_text_report(world: Department) -> None:
    instance = world.instances["bc-6-thang"]
    with portal(world) as web:
        answer = web.client.post(
            f"/don-vi/bao-cao/{instance}/van-ban",
            data={"csrf": CSRF, "noi-dung": "  Đã tổ chức hội nghị\x00 \u200b"},
        )
        too_long = web.client.post(
            f"/don-vi/bao-cao/{instance}/van-ban",
            data={"csrf": CSRF, "noi-dung": "x" * 201},
            headers={"accept": "application/json"},
        )
        blank = web.client.post(
            f"/don-vi/bao-cao/{instance}/van-ban", data={"csrf": CSRF, "noi-dung": " \u200b "}
        )
        sent = web.messenger.texts("chat-phong-a")
    assert answer.status_code == 200 and "Đã nhận báo cáo" in answer.text
    (version,) = world.versions("bc-6-thang")
    assert (version.kind, version.text) == (SubmissionKind.TEXT, "Đã tổ chức hội nghị")
    assert len(sent) == 1 and version.receipt_code in sent[0]
    assert too_long.status_code == 400 and "201 ký tự" in too_long.json()["error"]
    assert blank.status_code == 400 and "trống" in blank.text


def test_the_phone_page_keeps_every_word_in_the_catalog(world: Department) -> None:
    """No key shows through as itself: every t() call found its message."""
    with portal(world) as web:
        pages = [
            web.client.get("/don-vi").text,
            web.client.get(f"/don-vi/bao-cao/{world.instances['bc-6-thang']}").text,
        ]
    for page in pages:
        assert not re.search(r"\bweb-portal-[a-z-]+", page)
        assert 'name="viewport"' in page


def test_files_go_on_to_the_office_group_or_a_line_when_too_big(world: Department) -> None:
    async def bind_group() -> None:
        engine = make_engine(world.url)
        try:
            await SqlRepository(engine, world.files).bind_office_group(
                platform="telegram", chat_id="nhom-vp", title=None, contact_id=None, now=NOW
            )
        finally:
            await engine.dispose()

    asyncio.run(bind_group())
    messenger = FakeMessenger(max_upload=3000)
    small, big = sized(b"%PDF-", 2000), sized(b"%PDF-", 4000)
    with portal(world, messengers={"telegram": messenger}) as web:
        answer = post(web, "bc-6-thang", body([file("nho.pdf", small), file("lon.pdf", big)]))
    assert answer.status_code == 200
    ((chat, name, caption, _, content),) = messenger.uploads
    assert (chat, name, content) == ("nhom-vp", "nho.pdf", small)
    assert "Phòng A" in caption
    (line,) = messenger.texts("nhom-vp")
    assert "Bảng theo dõi" in line and "0,0 MB" in line


def test_a_report_number_past_what_the_database_holds_is_not_found(world: Department) -> None:
    huge = "99999999999999999999"
    with portal(world) as web:
        page = web.client.get(f"/don-vi/bao-cao/{huge}")
        upload = web.client.post(f"/don-vi/bao-cao/{huge}/tai-len", content=b"", headers=JSON)
        text = web.client.post(
            f"/don-vi/bao-cao/{huge}/van-ban", data={"csrf": CSRF, "noi-dung": "Báo cáo"}
        )
    assert (page.status_code, upload.status_code) == (404, 404)
    assert text.status_code == 400 and "Báo cáo" in text.text  # refused in words, not a 500
