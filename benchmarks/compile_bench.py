"""Benchmark: the Office's compiled draft of 200 units, each with 3 versions (the last a .docx).

Every unit sends a typed report, a PDF and a Word document of a page or two (a heading, ten
paragraphs, a numbered list, a table), through the real storage on SQLite; the draft composes
the 200 Word documents, takes in the 200 texts and annexes the 200 PDFs. Prints the seconds the
draft takes and the peak resident memory of the process, next to a baseline measured in the
same run (python-docx opening the same documents); nothing is asserted. Goal: under 10 s.
Run:  .venv/bin/python benchmarks/compile_bench.py [--units N]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx import Document

from bot.core.drafts import DraftDesk
from bot.core.model import StagedFile, SubmissionKind
from bot.core.plan.loader import parse_plan
from storage.db import make_engine
from storage.drafts import SqlDraftSources
from storage.exports.compiled import DocxDraftWriter
from storage.files import LocalFileStore
from storage.instances import SqlReportInstances
from storage.migrate import upgrade
from storage.plans import apply_plan
from storage.submissions import SqlSubmissions

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 6, 3, 3, 0, tzinfo=UTC)


def plan_text(units: int) -> str:
    lines = ["organisation:", "  name: Sở Thử nghiệm Hiệu năng", "units:"]
    lines += ["  - id: van-phong", "    name: Văn phòng Sở", "    type: office"]
    lines += [f"  - {{id: don-vi-{n:04d}, name: Đơn vị số {n}}}" for n in range(1, units + 1)]
    lines += [
        "reports:",
        "  - id: bc-6-thang",
        "    name: Báo cáo 6 tháng thực hiện dân chủ ở cơ sở",
        "    submitters: all",
        "    receiver: van-phong",
        "    due_before: 05/06/2024",
    ]
    return "\n".join(lines) + "\n"


def word_file(number: int) -> bytes:
    document = Document()
    document.add_heading(f"Báo cáo của Đơn vị số {number}", level=1)
    for paragraph in range(10):
        document.add_paragraph(
            f"{paragraph + 1}. Đơn vị đã quán triệt, triển khai thực hiện dân chủ ở cơ sở; "
            "tổ chức hội nghị cán bộ, công chức, viên chức; công khai tài chính, ngân sách. " * 3
        )
    for item in ("Tuyên truyền, phổ biến", "Kiểm tra, giám sát", "Kiến nghị, đề xuất"):
        document.add_paragraph(item, style="List Number")
    table = document.add_table(rows=6, cols=4)
    table.style = document.styles["Table Grid"]
    for row in table.rows:
        for cell in row.cells:
            cell.text = "Số liệu"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def prepare(folder: Path, units: int) -> tuple[object, LocalFileStore, int]:
    engine = make_engine(f"sqlite+aiosqlite:///{folder / 'baocao.db'}")
    await upgrade(engine)
    await apply_plan(engine, parse_plan(plan_text(units), "p.yaml"), path="p.yaml", now=NOW)
    files = LocalFileStore(folder)
    submissions = SqlSubmissions(engine, files)
    (instance,) = await SqlReportInstances(engine).status(report_key="bc-6-thang", now=NOW)
    for number in range(1, units + 1):
        unit = f"don-vi-{number:04d}"
        at = NOW + timedelta(minutes=number)
        common = {"instance_id": instance.instance_id, "unit_key": unit, "contact_id": None}
        await submissions.submit(
            **common,
            kind=SubmissionKind.TEXT,
            source_ref=f"t{number}",
            now=at,
            text="Đơn vị đã hoàn thành kế hoạch.\nKhông có kiến nghị.",
        )
        versions = (("so-lieu.pdf", b"%PDF-1.7 " * 500), ("bao-cao.docx", word_file(number)))
        for name, content in versions:
            path = files.staging_path(Path(name).suffix)
            path.write_bytes(content)
            digest = hashlib.sha256(content).hexdigest()
            await submissions.submit(
                **common,
                kind=SubmissionKind.FILE,
                source_ref=f"{name}{number}",
                now=at,
                file=StagedFile(path, name, len(content), digest),
            )
    return engine, files, instance.instance_id


def open_each(folder: Path, target: Path) -> tuple[int, float]:
    """How many stored Word documents there are, and the seconds python-docx takes to open
    each once."""
    import docx

    stored = [path for path in folder.rglob("*.docx") if path != target]
    began = time.perf_counter()
    for path in stored:
        docx.Document(str(path))
    return len(stored), time.perf_counter() - began


async def main(units: int) -> None:
    with tempfile.TemporaryDirectory(prefix="baocao-compile-bench-") as temporary:
        folder = Path(temporary)
        began = time.perf_counter()
        engine, files, _ = await prepare(folder, units)
        print(f"{units} units, 3 versions each, stored in {time.perf_counter() - began:.1f} s")
        desk = DraftDesk(
            instances=SqlReportInstances(engine),  # type: ignore[arg-type]
            sources=SqlDraftSources(engine, files),  # type: ignore[arg-type]
            writer=DocxDraftWriter(),
        )
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        target = folder / "tong-hop.docx"
        began = time.perf_counter()
        compiled = await desk.compile(
            report_key="bc-6-thang", instance_key=None, target=target, now=NOW, tz=TZ
        )
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"compiled draft: {seconds:.2f} s, {compiled.documents} Word documents, "
            f"{compiled.texts} texts, {compiled.annexed} annexed, "
            f"{target.stat().st_size / 1024 / 1024:.1f} MB"
        )
        print(f"peak resident memory: {peak:.0f} MB (before the draft: {before:.0f} MB)")
        # Baseline, same run: python-docx only opening every stored Word document once, the
        # floor under any draft that takes them in; composing is what lies above it.
        count, took = await asyncio.to_thread(open_each, folder, target)
        print(f"baseline: opening the {count} documents: {took:.2f} s")
        await engine.dispose()  # type: ignore[attr-defined]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=200)
    asyncio.run(main(parser.parse_args().units))
