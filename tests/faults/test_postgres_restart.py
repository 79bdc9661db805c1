"""PostgreSQL restarts (an upgrade, a failover, `systemctl restart`) while the bot runs: a message
sent while the server is down is answered, one sent after it works, nothing is lost, and the
bot recovers by itself: nobody restarts it.

The shared test server is left alone: the test starts a private one of its own (initdb and
pg_ctl, run as the `postgres` user when the test runs as root) and restarts that.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
import sqlalchemy as sa
from fakes.telegram_api import FakeTelegram, find_api_json
from hostile import worlds
from reminder_world import until

from bot.app import Runtime
from bot.config import Settings
from bot.core.i18n import t
from bot.core.plan.loader import parse_plan
from storage.db import make_engine
from storage.migrate import upgrade
from storage.plans import apply_plan

BINARIES = Path("/usr/lib/postgresql/15/bin")
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml" + bytes(1000)


@dataclass
class Server:
    """A private PostgreSQL server on 127.0.0.1:`port`, its files in `root`."""

    root: Path
    port: int
    user: list[str]  # the command prefix that runs a command as the server's owner

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.user, str(BINARIES / "pg_ctl"), "-D", str(self.root / "db"), "-w", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    def accepts(self) -> bool:
        """Whether the server takes connections right now."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server() -> Iterator[Server]:
    if not (BINARIES / "initdb").is_file():
        pytest.skip(f"no PostgreSQL 15 server binaries in {BINARIES}")
    root = Path(tempfile.mkdtemp(prefix="baocao-pg-"))  # /tmp: reachable by the postgres user
    user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    made = Server(root, port, user)
    try:
        initdb = [str(BINARIES / "initdb"), "-D", str(root / "db"), "-U", "postgres"]
        init = subprocess.run(
            [*user, *initdb, "--auth=trust"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if init.returncode != 0:
            pytest.skip(f"initdb failed, no private server: {init.stderr.strip()[-300:]}")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        started = made.pg_ctl("-o", options, "-l", str(root / "server.log"), "start")
        if started.returncode != 0:
            pytest.skip(f"pg_ctl could not start a private server: {started.stderr.strip()}")
        yield made
    finally:
        made.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    if find_api_json() is None:
        pytest.skip("shared/telegram-bot-api/api.json is not beside the repository")
    async with FakeTelegram(bot_username="baocao_so_bot") as telegram:
        yield telegram


async def department(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine)
        now = datetime.now(UTC)
        plan = parse_plan(worlds.plan_text(now.astimezone(worlds.TZ)), "p.yaml")
        await apply_plan(engine, plan, path="p.yaml", now=now)
    finally:
        await engine.dispose()


async def submissions(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                (await connection.execute(sa.text("SELECT count(*) FROM submission"))).one()[0]
            )
    finally:
        await engine.dispose()


async def test_a_postgresql_restart_loses_nothing_and_the_bot_recovers_by_itself(
    server: Server, fake: FakeTelegram, tmp_path: Path
) -> None:
    url = server.url
    await department(url)
    data = tmp_path / "data"
    data.mkdir()
    config = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_token=fake.token,
        telegram_api_url=fake.base_url,
        data_dir=data,
        database_url=url,
        admins=[],
        reminder_tick=0.5,
        telegram_rate_limit=False,
        web=False,
    )
    runtime = Runtime(config, poll_timeout=1)
    await runtime.start()
    try:
        await fake.wait_polling()
        binh = fake.user(1002, "Bình")
        await fake.send_text(binh, f"/start {await worlds.invite(url, 'phong-b')}")
        await fake.wait_for_message(1002, contains="Chào")

        # The server goes down and comes back (pg_ctl waits for both), while a stranger writes.
        restart = asyncio.create_task(
            asyncio.to_thread(
                server.pg_ctl, "-m", "fast", "-l", str(server.root / "server.log"), "restart"
            )
        )
        await until(lambda: not server.accepts() or restart.done(), 30, "the server down")
        down = not server.accepts()
        stranger = fake.user(9001, "Khách")
        await fake.send_text(stranger, "/start")
        done = await restart
        assert done.returncode == 0, done.stderr

        told = await fake.wait_for_message(9001, timeout=20)
        # Answered with what it asked for: handled again once the server was back, not lost
        # behind an apology.
        assert told["text"] == t("start-no-code"), told["text"]

        # After the restart, a report goes through on the first try.
        mark = fake.mark()
        await fake.send_document(binh, fake.add_file(DOCX, file_name="bao-cao-quy.docx"))
        receipt = (await fake.wait_for_message(1002, contains="Biên nhận", timeout=20))["text"]
        assert "Phiên bản 1" in receipt
        # The stranger again: answered as ever.
        await fake.send_text(stranger, "/start")
        await until(lambda: len(fake.sent_messages(9001)) >= 2, 20, "the stranger answered again")
    finally:
        await runtime.stop()

    assert fake.sent_messages(9001)[-1]["text"] == t("start-no-code")
    receipts = [m for m in fake.calls[mark:] if m.method == "sendMessage" and m.ok]
    assert len([c for c in receipts if "Biên nhận" in str(c.params["text"])]) == 1
    assert await submissions(url) == 1
    print(f"\nserver seen down: {down}; stranger told: {told['text'][:40]!r}")
    fake.assert_clean()
