"""/healthz: 200 while the database answers and the file store takes a file, 503 naming the
part that does not; no session, no cookie, no page middleware."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from ops_support import ops_world


def test_healthy(tmp_path: Path) -> None:
    with ops_world(tmp_path) as world:
        answer = world.client.get("/healthz")
        assert answer.status_code == 200
        assert answer.json() == {"status": "ok", "database": "ok", "files": "ok"}
        assert answer.headers["content-type"] == "application/json"
        # Served ahead of the session middleware: no page headers, no cookie set.
        assert "content-security-policy" not in answer.headers
        assert "set-cookie" not in answer.headers
        # The probe file is gone again.
        staging = world.runtime.files.staging
        assert list(staging.iterdir()) == []
        assert world.client.head("/healthz").status_code == 200
        assert world.client.post("/healthz").status_code == 405


def test_a_cookie_is_not_looked_up(tmp_path: Path) -> None:
    with ops_world(tmp_path) as world:
        looked: list[str] = []
        access = world.runtime.web_access

        async def session(cookie: str) -> None:
            looked.append(cookie)

        access.session = session  # type: ignore[method-assign]
        world.client.cookies.set("baocao_phien", "x" * 40)
        answer = world.client.get("/healthz")
        assert answer.status_code == 200
        assert looked == []
        world.client.get("/")
        assert looked  # the pages still look sessions up


def test_database_down(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 1: the connection is refused at once.
    url = "postgresql://baocao:hunter2secret@127.0.0.1:1/baocao"
    with ops_world(tmp_path, migrate=False, database_url=url) as world:
        with caplog.at_level(logging.INFO, logger="baocao.ops"):
            answer = world.client.get("/healthz")
            again = world.client.get("/healthz")
        assert answer.status_code == 503
        assert answer.json() == {"status": "fail", "database": "fail", "files": "ok"}
        assert again.status_code == 503
        assert "hunter2secret" not in answer.text
        assert "127.0.0.1" not in answer.text
        lines = [r.getMessage() for r in caplog.records if r.name == "baocao.ops"]
        assert len(lines) == 1, lines  # said once, not at every probe
        assert lines[0].startswith("health: database does not answer (")
        assert "hunter2secret" not in lines[0]


def test_file_store_not_writable(tmp_path: Path) -> None:
    with ops_world(tmp_path) as world:
        staging = world.runtime.files.staging
        if staging.is_dir():
            staging.rmdir()
        staging.write_text("not a folder")  # nothing can be created under it, even by root
        answer = world.client.get("/healthz")
        assert answer.status_code == 503
        assert answer.json() == {"status": "fail", "database": "ok", "files": "fail"}
        assert str(tmp_path) not in answer.text
        staging.unlink()
        assert world.client.get("/healthz").status_code == 200
