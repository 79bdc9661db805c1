"""Benchmark: files handed in on the unit portal, through the real app served by uvicorn.

A second process serves the web app (temporary SQLite file and files folder, a plan applied,
a unit head registered and signed in); this one sends it, over loopback:
1. one 150 MB file: throughput, and the server's peak resident memory growth (VmHWM in
   /proc/<pid>/status) — the body is streamed to disk, so it should not grow with the file;
2. the same bytes to a bare endpoint of the same server that reads the body and drops it:
   what HTTP on loopback costs by itself, the baseline for (1);
3. 20 uploads of 10 MB at once: each must come back with its receipt; total time.

Goals: at least 100 MB/s, memory growth under 30 MB. Prints figures; asserts nothing.
Run:  .venv/bin/python benchmarks/web_upload.py [--big-mb 150] [--many 20] [--many-mb 10]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CSRF = "benchmark-csrf"
BOUNDARY = "benchmarkBoundary0123456789"
CHUNK = 1024 * 1024


def plan_text() -> str:
    due = (datetime.now(UTC) + timedelta(days=30)).astimezone(TZ).strftime("%d/%m/%Y")
    return f"""\
organisation:
  name: Sở Đo đạc
units:
  - id: van-phong
    name: Văn phòng Sở
    type: office
  - id: phong-a
    name: Phòng A
reports:
  - id: bc-quy
    name: Báo cáo quý
    submitters: [phong-a]
    receiver: van-phong
    due_before: {due}
"""


# ---- the server process ---------------------------------------------------------------------


def serve(data: Path, port: int) -> None:
    """Build the department and serve the web app over it until killed."""
    import uvicorn
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from starlette.types import ASGIApp, Receive, Scope, Send

    from bot.config import Settings
    from bot.core.model import RedeemStatus
    from bot.core.plan.loader import parse_plan
    from bot.core.plan.model import Role
    from bot.core.usecases import BotSettings, ReportBot
    from bot.platforms import WebInviteLinks
    from bot.services import PlatformNotifier, archive_desk
    from bot.web import build_web_deps
    from handlers.web.app import build_app
    from handlers.web.context import WebSettings, WebUser
    from storage.db import make_engine
    from storage.files import LocalFileStore
    from storage.invites import create_invite
    from storage.migrate import upgrade
    from storage.plans import apply_plan
    from storage.repository import SqlRepository

    url = f"sqlite+aiosqlite:///{data / 'baocao.db'}"

    async def department() -> tuple[WebUser, int]:
        engine = make_engine(url)
        try:
            await upgrade(engine)
            now = datetime.now(UTC)
            await apply_plan(engine, parse_plan(plan_text(), "p.yaml"), path="p.yaml", now=now)
            repo = SqlRepository(engine, LocalFileStore(data))
            invite = await create_invite(engine, unit_key="phong-a", role=Role.HEAD, now=now)
            redeemed = await repo.redeem_invite(
                code=invite.code,
                platform="telegram",
                user_id="1",
                chat_id="1",
                display_name="Đầu mối",
                now=now,
            )
            assert redeemed.status is RedeemStatus.REGISTERED and redeemed.contact is not None
            (instance,) = await repo.open_instances(unit_key="phong-a", now=now)
        finally:
            await engine.dispose()
        contact = redeemed.contact
        user = WebUser(
            session_id=1,
            role=Role.HEAD,
            display_name=contact.display_name,
            csrf=CSRF,
            contact_id=contact.id,
            unit_key=contact.unit_key,
            unit_name=contact.unit_name,
        )
        return user, instance.instance_id

    user, instance_id = asyncio.run(department())
    engine = make_engine(url)
    files = LocalFileStore(data)
    repo = SqlRepository(engine, files)
    core = ReportBot(
        repository=repo,
        files=files,
        settings=BotSettings(),
        archives=archive_desk(engine, files, TZ),
    )
    config = Settings(_env_file=None, data_dir=data, database_url=url, admins=[])  # type: ignore[call-arg]
    # No platform runs here: receipts for chat are queued in the outbox.
    deps = build_web_deps(
        config,
        engine=engine,
        files=files,
        core=core,
        clock=lambda: datetime.now(UTC),
        notifier=PlatformNotifier(config),
        invite_link=WebInviteLinks(config).invite_link,
        settings=WebSettings(port=port, max_upload=200 * 1024 * 1024),
    )
    app = build_app(deps)

    async def discard(request: Request) -> PlainTextResponse:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return PlainTextResponse(str(size))

    app.router.routes.insert(0, Route("/bo-di", discard, methods=["POST"]))

    class SignedIn:
        """The session of a unit head, made directly (the sign-in pages are not measured)."""

        def __init__(self, inner: ASGIApp) -> None:
            self.inner = inner

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            scope["baocao.user"] = user
            await self.inner(scope, receive, send)

    print(json.dumps({"instance": instance_id}), flush=True)
    uvicorn.run(SignedIn(app), host="127.0.0.1", port=port, log_level="warning", access_log=False)


# ---- the client -----------------------------------------------------------------------------


def multipart(name: str, size: int) -> tuple[int, Iterator[bytes]]:
    """A body with one PDF of `size` bytes, made as it is sent; its length first."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="tep"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        block = b"%PDF-1.7\n" + b"x" * (CHUNK - 9)
        left = size
        while left > 0:
            piece = block if left >= CHUNK else block[:left]
            yield piece
            block = b"y" * CHUNK
            left -= len(piece)
        yield tail

    return len(head) + size + len(tail), chunks()


def post(port: int, path: str, name: str, size: int) -> tuple[int, bytes, float]:
    length, chunks = multipart(name, size)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    started = time.perf_counter()
    connection.request(
        "POST",
        path,
        body=chunks,
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Content-Length": str(length),
            "Accept": "application/json",
            "X-CSRF-Token": CSRF,
        },
        encode_chunked=False,
    )
    response = connection.getresponse()
    answer = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, answer, seconds


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of `pid`, in MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def wait_ready(port: int, server: subprocess.Popen[str]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit("the server stopped before it was ready")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/tinh/style.css")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the server did not answer")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--big-mb", type=int, default=150)
    parser.add_argument("--many", type=int, default=20)
    parser.add_argument("--many-mb", type=int, default=10)
    parser.add_argument("--serve", nargs=2, metavar=("DATA", "PORT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(Path(options.serve[0]), int(options.serve[1]))
        return
    mb = 1024 * 1024
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", folder, str(port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            instance = json.loads(server.stdout.readline())["instance"]
            wait_ready(port, server)
            upload = f"/don-vi/bao-cao/{instance}/tai-len"
            post(port, upload, "khoi-dong.pdf", 64 * 1024)  # imports and first queries
            before = memory(server.pid)

            status, answer, seconds = post(port, upload, "lon.pdf", options.big_mb * mb)
            after = memory(server.pid)
            receipts = json.loads(answer).get("receipts", []) if status == 200 else []
            print(f"one file of {options.big_mb} MB through the portal")
            print(f"  {'answer':<40} {status} ({len(receipts)} receipt)")
            print(f"  {'time':<40} {seconds:8.2f} s")
            print(f"  {'throughput':<40} {options.big_mb / seconds:8.1f} MB/s")
            print(f"  {'server resident memory before':<40} {before['VmRSS']:8.1f} MiB")
            print(f"  {'server peak resident memory after':<40} {after['VmHWM']:8.1f} MiB")
            growth = after["VmHWM"] - max(before["VmRSS"], before["VmHWM"])
            print(f"  {'peak growth during the upload':<40} {max(growth, 0.0):8.1f} MiB")

            status, _, seconds = post(port, "/bo-di", "lon.pdf", options.big_mb * mb)
            print(f"baseline: the same bytes to an endpoint that drops them (HTTP {status})")
            print(f"  {'throughput':<40} {options.big_mb / seconds:8.1f} MB/s")

            started = time.perf_counter()
            with ThreadPoolExecutor(options.many) as pool:
                results = list(
                    pool.map(
                        lambda n: post(port, upload, f"tep-{n}.pdf", options.many_mb * mb),
                        range(options.many),
                    )
                )
            total = time.perf_counter() - started
            receipted = sum(
                1
                for status, answer, _ in results
                if status == 200 and json.loads(answer)["receipts"]
            )
            versions = sorted(
                json.loads(answer)["receipts"][0]["version"]
                for status, answer, _ in results
                if status == 200
            )
            print(f"{options.many} uploads of {options.many_mb} MB at once")
            print(f"  {'receipted':<40} {receipted} of {options.many}")
            print(f"  {'distinct versions':<40} {len(set(versions))}")
            print(f"  {'total time':<40} {total:8.2f} s")
            print(
                f"  {'throughput together':<40} {options.many * options.many_mb / total:8.1f} MB/s"
            )
            print(f"  {'server peak resident memory':<40} {memory(server.pid)['VmHWM']:8.1f} MiB")
            left = list((Path(folder) / ".staging").glob("*"))
            print(f"  {'files left in the staging area':<40} {len(left)}")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
