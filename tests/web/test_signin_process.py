"""`baocao run --apply-plan` with no token, as a newcomer types it: a real process serving the
web app alone, its printed Office link signing in over real HTTP, and a clean stop."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import httpx

from bot.config import SEED_PLAN
from handlers.web.signin import COOKIE

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def read_until(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> re.Match[str]:
    while True:
        line = (await asyncio.wait_for(stream.readline(), timeout=60)).decode()
        if not line:
            raise AssertionError("baocao ended before printing it:\n" + "".join(seen))
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found


async def test_run_without_a_token_serves_the_web_and_its_link_signs_in(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env |= {
        "BAOCAO_DATA_DIR": str(tmp_path / "data"),
        "BAOCAO_PLAN": str(ROOT / SEED_PLAN),
        "BAOCAO_WEB": "true",
        "BAOCAO_WEB_PORT": str(port),
        "BAOCAO_REMINDERS": "false",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--apply-plan",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    seen: list[str] = []
    try:
        assert process.stdout is not None
        address = await read_until(process.stdout, r"Trang web baocao: (\S+)", seen)
        assert address.group(1) == f"http://127.0.0.1:{port}"
        link = (await read_until(process.stdout, r"(http://\S+/dang-nhap/\S+)", seen)).group(1)
        assert "trong 15 phút" in seen[-1]  # a link made a moment ago lasts 15, not 14
        await read_until(process.stdout, r"BAOCAO_TELEGRAM_TOKEN", seen)
        async with httpx.AsyncClient(base_url=address.group(1)) as client:
            page = await client.get(link)
            assert page.status_code == 200 and 'name="xacnhan"' in page.text
            value = re.search(r'name="xacnhan" value="([^"]+)"', page.text)
            assert value is not None
            answer = await client.post(link, data={"xacnhan": value.group(1)})
            assert answer.status_code == 303 and COOKIE in client.cookies
            cookie = client.cookies[COOKIE]
            home = await client.get("/")
            assert (home.status_code, home.headers["location"]) == (303, "/van-phong")
            again = await client.post(link, data={"xacnhan": value.group(1)})
            assert again.status_code == 410
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    printed = "".join(seen) + stdout.decode()
    logs = stderr.decode()
    assert process.returncode == 0, logs
    assert printed.strip().endswith("baocao đã dừng.")
    token = link.rpartition("/")[2]
    assert printed.count(token) == 1  # printed once, on purpose, to the terminal
    assert token not in logs and token.partition(".")[0] not in logs
    assert cookie not in logs and cookie not in printed
    assert "Traceback" not in logs and "Uvicorn" not in logs
