"""Starlette's own refusals reach people as the plain page in Vietnamese, status kept."""

from __future__ import annotations

from pathlib import Path

from portal_support import department, portal


def test_an_unknown_page_and_a_wrong_method_are_said_in_words(tmp_path: Path) -> None:
    with portal(department(tmp_path)) as web:
        missing = web.client.get("/khong-co-trang-nay")
        assert missing.status_code == 404
        assert "Không có trang này" in missing.text
        assert "Not Found" not in missing.text
        wrong = web.client.delete("/huong-dan")
        assert wrong.status_code == 405
        assert "không nhận yêu cầu theo cách đó" in wrong.text
        assert wrong.headers["allow"]
