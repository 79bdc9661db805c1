"""`baocao run` as the Office starts it: a real process that stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from conftest import Office
from e2e_support import DOCX, DOCX_MIME
from fakes.telegram_api import FakeTelegram


async def until(condition: object, timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Wait for `condition()` to hold, checking often; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_sigterm_finishes_the_submission_in_progress(
    office: Office, fake: FakeTelegram
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")},
        "BAOCAO_TELEGRAM_TOKEN": fake.token,
        "BAOCAO_TELEGRAM_API_URL": fake.base_url,
        "BAOCAO_DATABASE_URL": office.url,
        "BAOCAO_DATA_DIR": str(office.data),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=office.data,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_polling(timeout=60)
        binh = fake.user(1002, "Bình")
        await office.register(binh, "phong-b")

        fake.delay_next("getFile", 1.5)  # the download is under way when SIGTERM comes
        report = fake.add_file(DOCX, file_name="quy.docx", mime_type=DOCX_MIME)
        await fake.send_document(binh, report)
        await until(lambda: any(call.method == "getFile" for call in fake.calls))
        process.send_signal(signal.SIGTERM)

        receipt = await fake.wait_for_message(1002, contains="Biên nhận", timeout=20)
        assert "Phiên bản 1" in receipt["text"]
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert stdout.decode().strip().endswith("baocao đã dừng.")
    assert fake.token not in stdout.decode() + stderr.decode()  # the secret is never printed
    assert await office.versions("bc-quy") == {"phong-a": 0, "phong-b": 1}
