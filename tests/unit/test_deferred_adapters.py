"""pyHanko and matplotlib are imported when first needed, not at every start of baocao."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chart_support import TZ, local, status
from pdf_signing import TestCA, plain_pdf, signed_pdf

from bot.core.chart import progress_chart
from bot.services import ChartsOnFirstSummary, SignaturesOnFirstPdf


def test_starting_baocao_imports_neither_pdf_signatures_nor_charts() -> None:
    code = (
        "import sys\n"
        "from bot.config import Settings\n"
        "from bot.app import Runtime, reminder_dispatcher\n"
        "import bot.cli, bot.services, bot.demo\n"
        "from bot.services import signature_reader\n"
        "signature_reader(Settings.model_construct(trust_roots=None))\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyhanko', 'matplotlib'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_deferred_reader_and_renderer_work_once_needed(tmp_path: Path) -> None:
    unsigned, signed = tmp_path / "a.pdf", tmp_path / "b.pdf"
    unsigned.write_bytes(plain_pdf())
    signed.write_bytes(signed_pdf(TestCA.make()))
    reader = SignaturesOnFirstPdf()
    assert reader.read(unsigned) == ()
    assert len(reader.read(signed)) == 1
    now = local(4)
    png = tmp_path / "c.png"
    ChartsOnFirstSummary().render(
        progress_chart(status([local(3), None], now), now=now, tz=TZ), png
    )
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
