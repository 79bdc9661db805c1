"""Long replies are split to fit a platform's message limit, at line breaks where possible."""

from __future__ import annotations

from bot.core.texts import split_text, text_length


def test_short_text_is_one_piece() -> None:
    assert split_text("một dòng", 4096) == ["một dòng"]
    assert split_text("", 4096) == [""]


def test_long_lists_split_at_line_breaks_under_the_limit() -> None:
    lines = [f"• Đơn vị số {n}: chưa nộp, đã trễ 3 ngày" for n in range(500)]
    pieces = split_text("\n".join(lines), 4096)
    assert len(pieces) > 1
    assert all(len(piece) <= 4096 for piece in pieces)
    assert "\n".join(pieces).split("\n") == lines  # nothing lost, no line cut


def test_a_single_overlong_line_is_cut_hard() -> None:
    pieces = split_text("a" * 9000 + "\nkết thúc", 4096)
    assert [len(p) for p in pieces] == [4096, 4096, 808 + 1 + 8]
    assert pieces[2] == "a" * 808 + "\nkết thúc"


def test_a_limit_counts_as_the_platforms_do_in_utf16_units() -> None:
    """An emoji beyond the Basic Multilingual Plane takes two units of a platform's limit:
    1,500 of them do not fit in Zalo's 2,000, and none is cut in half."""
    text = "Báo cáo 📄 " + "📄" * 1500
    pieces = split_text(text, 2000)
    assert len(pieces) == 2 and "".join(pieces) == text
    assert all(text_length(piece) <= 2000 for piece in pieces)
    assert text_length("Tiếng Việt") == len("Tiếng Việt")
    assert split_text("x" * 10, 2000) == ["x" * 10]
