"""The progress chart as a PNG: a real image of the expected size, readable back with Pillow,
drawn in Vietnamese with a font that has every letter, whole or not at all."""

from __future__ import annotations

import threading
import unicodedata
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import pytest
from chart_support import TZ, local, status
from matplotlib.ft2font import FT2Font
from PIL import Image

from bot.core.chart import ProgressChart, progress_chart
from bot.core.i18n import catalog
from storage.exports import chart as drawing
from storage.exports.chart import HEIGHT, WIDTH, MatplotlibCharts

# Every letter Vietnamese writes, lower and upper case.
VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)


def chart_of(
    firsts: list[datetime | None], now: datetime, name: str | None = None
) -> ProgressChart:
    instance = status(firsts, now)
    if name is not None:
        instance = type(instance)(**{**_fields(instance), "report_name": name})
    return progress_chart(instance, now=now, tz=TZ)


def _fields(instance: object) -> dict[str, object]:
    return {field: getattr(instance, field) for field in instance.__slots__}  # type: ignore[attr-defined]


def colours(path: Path) -> set[tuple[int, ...]]:
    with Image.open(path) as image:
        found = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert found is not None
    return {colour for _, colour in found}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def test_the_png_is_phone_sized_and_not_trivial(tmp_path: Path) -> None:
    now = local(6)
    path = tmp_path / "tien-do.png"
    MatplotlibCharts().render(chart_of([local(3), local(5, 8), None, local(1)], now), path)

    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT) == (1080, 1280)
        image.verify()
    assert path.stat().st_size > 20_000
    seen = colours(path)
    assert len(seen) > 50  # anti-aliased text and lines, not a blank page
    # The bar's states that have units are drawn in their colours.
    assert rgb(drawing.COLOURS[drawing.SubmissionState.ON_TIME]) in seen
    assert rgb(drawing.COLOURS[drawing.SubmissionState.LATE]) in seen
    assert rgb(drawing.COLOURS[drawing.SubmissionState.MISSING]) in seen
    assert rgb(drawing.LATE_ZONE) in seen  # the time after the deadline


@pytest.mark.parametrize(
    "firsts",
    [
        pytest.param([], id="no-units"),
        pytest.param([None] * 3, id="nothing-submitted"),
        pytest.param([local(1)] * 2000, id="2000-units"),
    ],
)
def test_every_state_of_a_report_still_makes_a_chart(
    tmp_path: Path, firsts: list[datetime | None]
) -> None:
    path = tmp_path / "c.png"
    MatplotlibCharts().render(chart_of(firsts, local(3)), path)
    with Image.open(path) as image:
        assert image.size == (WIDTH, HEIGHT)


def test_a_long_season_and_a_short_one_both_draw(tmp_path: Path) -> None:
    years_late = datetime(2026, 11, 30, 10, tzinfo=TZ)
    MatplotlibCharts().render(chart_of([None, local(4)], years_late), tmp_path / "long.png")
    minutes = datetime(2024, 6, 4, 23, 50, tzinfo=TZ)
    MatplotlibCharts().render(chart_of([minutes], minutes), tmp_path / "short.png")
    assert (tmp_path / "long.png").stat().st_size > 20_000
    assert (tmp_path / "short.png").stat().st_size > 20_000


def test_the_font_has_every_letter_the_chart_may_show() -> None:
    """DejaVu Sans, set explicitly: every Vietnamese letter and every character of the
    chart's messages has a glyph in it (matplotlib would draw an empty box instead)."""
    vi = catalog()
    words = "".join(
        vi.t(key, count=1, done=1, total=1, deadline="1", moment="1", report="1", date="1")
        for key in vi_keys()
    )
    for bold in (False, True):
        font = FT2Font(str(drawing.BOLD if bold else drawing.REGULAR))
        glyphs = font.get_charmap()
        text = VIETNAMESE + VIETNAMESE.upper() + words + "0123456789/:…"
        lacking = sorted({c for c in text if not c.isspace() and ord(c) not in glyphs})
        assert lacking == []
    assert drawing.REGULAR.name == "DejaVuSans.ttf"


def vi_keys() -> list[str]:
    source = (Path(drawing.__file__).parents[2] / "bot/core/locale/vi/chart.ftl").read_text(
        encoding="utf-8"
    )
    return [line.split(" = ")[0] for line in source.splitlines() if line.startswith("chart-")]


def test_text_in_decomposed_form_is_drawn_composed(tmp_path: Path) -> None:
    """A plan typed on a Mac may bring decomposed letters (e + combining marks), which
    matplotlib would draw as separate, misplaced marks."""
    decomposed = unicodedata.normalize("NFD", "Báo cáo tổng hợp quý")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert drawing._title_lines(decomposed) == ["Báo cáo tổng hợp quý"]
    MatplotlibCharts().render(chart_of([local(1)], local(3), decomposed), tmp_path / "c.png")


def test_a_long_title_wraps_and_stops_at_three_lines() -> None:
    lines = drawing._title_lines("Báo cáo kết quả thực hiện " * 8)
    assert len(lines) == 3
    assert all(len(line) <= drawing.TITLE_CHARACTERS + 1 for line in lines)
    assert lines[-1].endswith("…")


def test_charts_drawn_in_threads_at_once_all_come_out_whole(tmp_path: Path) -> None:
    charts = [chart_of([local(day)] * day, local(6)) for day in range(1, 7)]
    errors: list[BaseException] = []

    def draw(number: int) -> None:
        try:
            MatplotlibCharts().render(charts[number], tmp_path / f"{number}.png")
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(len(charts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for number in range(len(charts)):
        with Image.open(tmp_path / f"{number}.png") as image:
            assert image.size == (WIDTH, HEIGHT)


def test_a_failed_drawing_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class HalfDrawn:
        def savefig(self, stream: BinaryIO, **options: object) -> None:
            stream.write(b"\x89PNG half")
            raise RuntimeError("the disk is full")

    def broken(chart: ProgressChart) -> HalfDrawn:
        return HalfDrawn()

    target = tmp_path / "c.png"
    target.write_bytes(b"the chart of yesterday")
    monkeypatch.setattr(drawing, "draw", broken)
    with pytest.raises(RuntimeError):
        MatplotlibCharts().render(chart_of([], local(3)), target)
    assert target.read_bytes() == b"the chart of yesterday"  # untouched, not half-written
    assert [p.name for p in tmp_path.iterdir()] == ["c.png"]
