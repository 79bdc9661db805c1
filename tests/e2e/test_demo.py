"""`baocao demo`, run as a newcomer runs it: a real process, no token, no network, and a
transcript with every moment of a season in it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def demo(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`baocao demo ARGS` from `folder`, with the environment a newcomer's shell might have."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    environment.update({"TMPDIR": str(folder / "tmp"), "COLUMNS": "200", **(env or {})})
    (folder / "tmp").mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", *args],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def messages(out: str) -> list[tuple[str, str, str]]:
    """(day, title, text) of every message in the transcript."""
    found = []
    day = ""
    # A message's text may hold blank lines: a block starts only at a title or a day's rule.
    for block in re.split(r"\n\n(?=\[\d\d:\d\d |=== |④)", out):
        heading = re.fullmatch(r"=== (.+) ===", block.strip())
        if heading:
            day = heading.group(1)
            continue
        title = re.match(r"\[(\d\d:\d\d [^\]]+)\]\n", block)
        if title:
            found.append((day, title.group(1), block[title.end() :]))
    return found


def said(found: list[tuple[str, str, str]], title: str, text: str) -> list[str]:
    """The days on which a message whose title holds `title` said `text`."""
    return [day for day, head, body in found if title in head and text in body]


@pytest.fixture(scope="module")
def season(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path_factory.mktemp("newcomer")
    # A careless .env beside it: a real token and an unreachable database must not be touched.
    (folder / ".env").write_text(
        "BAOCAO_TELEGRAM_TOKEN=123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
        "BAOCAO_DATABASE_URL=postgresql://nobody@127.0.0.1:9/nowhere\n",
        encoding="utf-8",
    )
    # Kept, so that the other commands can read what the season left (one run serves both).
    return demo(folder, "--speed", "1000", "--keep", str(folder / "demo-data")), folder


def test_the_demo_plays_a_whole_season(
    season: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, _ = season
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr
    assert "AAAAAAAA" not in out + result.stderr
    found = messages(out)

    # The plan applied, with its deadlines and reminder days.
    assert "Đã nạp kế hoạch plans/ke-hoach-dan-chu-co-so-2024.yaml." in out
    assert "trước ngày 05/06/2024" in out and "28/05/2024 (thứ Ba)" in out

    # Invites redeemed: three units' heads, the Office, a leader; the office group bound.
    for name in (
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Minh Châu",
        "Phạm Thu Dung",
        "Hoàng Quốc Huy",
    ):
        assert said(found, f"baocao → {name}", f"Chào {name}!") == ["27/05/2024 (thứ Hai)"]
    assert said(found, "baocao → Nhóm Văn phòng", "Đã gắn nhóm")

    # Reminders days ahead, on working days only.
    before = said(found, "baocao → Lê Minh Châu", "Nhắc hạn")
    assert before[:4] == [
        "28/05/2024 (thứ Ba)",
        "30/05/2024 (thứ Năm)",
        "03/06/2024 (thứ Hai)",
        "04/06/2024 (thứ Ba)",
    ]
    assert said(found, "baocao → Lê Minh Châu", "Còn 7 ngày") == ["28/05/2024 (thứ Ba)"]

    # A DOCX with its receipt, forwarded to the office group; then a second version.
    assert said(found, "Nguyễn Văn An → baocao", "(gửi tệp) Báo cáo Phòng TTBCXB.docx")
    assert said(found, "baocao → Nguyễn Văn An", "Phiên bản 1, đúng hạn.") == [
        "29/05/2024 (thứ Tư)"
    ]
    assert said(found, "baocao → Nhóm Văn phòng", "Báo cáo Phòng TTBCXB.docx")
    assert said(found, "baocao → Nguyễn Văn An", "Phiên bản 2, bản sửa") == ["31/05/2024 (thứ Sáu)"]

    # A text, confirmed by its number (the console has no buttons).
    assert said(found, "baocao → Trần Thị Bình", "1. Nộp cho: Báo cáo 6 tháng")
    assert said(found, "baocao → Trần Thị Bình", "Biên nhận: đã nhận nội dung")

    # One unit late: chased after the deadline, then reports late.
    assert said(found, "baocao → Lê Minh Châu", "Đã trễ hạn 1 ngày làm việc") == [
        "05/06/2024 (thứ Tư)"
    ]
    assert said(found, "baocao → Lê Minh Châu", "Phiên bản 1, trễ hạn")

    # The office group's summaries (one per moment, never twice at once) and the late list.
    summaries = [
        (day, head[:5])
        for day, head, body in found
        if "→ Nhóm Văn phòng" in head and body.startswith("Báo cáo 6 tháng thực hiện")
    ]
    assert len(summaries) == len(set(summaries))
    assert ("04/06/2024 (thứ Ba)", "16:30") in summaries  # before the close of the last day
    assert ("05/06/2024 (thứ Tư)", "08:00") in summaries  # the morning after
    assert said(found, "baocao → Nhóm Văn phòng", "1/3 đơn vị chưa nộp, đã trễ 1 ngày làm việc")
    assert said(found, "baocao → Nhóm Văn phòng", "Tất cả 3 đơn vị đã nộp")

    # Each summary says, in one line under it, where its chart was kept.
    charted = [
        day
        for day, head, body in found
        if "→ Nhóm Văn phòng" in head
        and body.startswith("Báo cáo 6 tháng thực hiện")
        and "\n↳ Ảnh gửi Nhóm Văn phòng đã được lưu tại: " in body
    ]
    assert len(charted) == len(summaries)
    assert said(found, "baocao → Hoàng Quốc Huy", "↳ Ảnh gửi Hoàng Quốc Huy (BGĐ Sở) đã được")

    # Leadership's digest, from the first reminder day of the report it receives.
    digests = said(found, "baocao → Hoàng Quốc Huy", "Tóm tắt tình hình nộp báo cáo hôm nay")
    assert digests[0] == "31/05/2024 (thứ Sáu)"

    # The status table at the end.
    table = out[out.index("④") :]
    assert re.search(r"Trung tâm GSDH TT\s+đã nộp\s+05/06/2024 14:00\s+1\s+trễ 14 giờ", table)
    assert re.search(r"Phòng Thông tin Báo chí và Xuất bản\s+đã nộp\s+31/05/2024 10:00\s+2", table)


def test_the_demo_stopped_with_ctrl_c_leaves_nothing_behind(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    (tmp_path / "tmp").mkdir()
    environment.update({"TMPDIR": str(tmp_path / "tmp"), "COLUMNS": "200"})
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:  # the season has begun: people are chatting
        if line.startswith("[07:30 "):
            break
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130
    assert errors == "Đã dừng bản chạy thử; dữ liệu tạm đã được xóa.\n"
    assert list((tmp_path / "tmp").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]


def test_kept_data_can_be_read_with_the_other_commands(
    season: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, tmp_path = season
    kept = tmp_path / "demo-data"
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env", "demo-data", "tmp"]
    assert list((tmp_path / "tmp").iterdir()) == []
    assert f"BAOCAO_DATA_DIR={kept / 'data'}" in result.stdout
    status = subprocess.run(
        [sys.executable, "-m", "bot", "status", "dcs-6-thang-2024"],
        cwd=kept,  # not beside the careless .env
        env={**os.environ, "BAOCAO_DATA_DIR": str(kept / "data"), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    assert "3/3 đơn vị đã nộp" in status.stdout
    charts = sorted((kept / "tep-nhan").glob("Tiến độ dcs-6-thang-2024 *.png"))
    assert charts and all(f"lưu tại: {chart}" in result.stdout for chart in charts)
    with Image.open(charts[-1]) as image:
        assert (image.format, image.size) == ("PNG", (1080, 1280))
    # The stage reaches every console chat: nothing was left waiting in the outbox.
    reminders = subprocess.run(
        [sys.executable, "-m", "bot", "reminders"],
        cwd=kept,  # not beside the careless .env
        env={**os.environ, "BAOCAO_DATA_DIR": str(kept / "data"), "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert reminders.returncode == 0, reminders.stderr
    assert "Đang chờ gửi" not in reminders.stdout

    again = demo(tmp_path, "--keep", str(kept))
    assert again.returncode == 2
    assert f"Thư mục {kept} đã có dữ liệu" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize("speed", ["0", "-1", "5000", "nhanh"])
def test_a_speed_that_makes_no_sense_is_refused_in_words(tmp_path: Path, speed: str) -> None:
    result = demo(tmp_path, "--speed", speed)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Tốc độ" in result.stderr or "--speed" in result.stderr
