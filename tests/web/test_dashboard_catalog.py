"""The dashboard's templates take every word from the catalog, and every key they ask for is
there (the catalog test reads the Python code; templates are read here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.core.i18n import catalog
from bot.core.model import SubmissionKind

TEMPLATES = Path(__file__).parents[2] / "handlers" / "web" / "templates" / "dashboard"
KEY = re.compile(r"""\bt\(\s*["']([a-z0-9-_]+)["']""")
VIETNAMESE = re.compile("[\u00c0-\u1ef9]")


def templates() -> list[Path]:
    found = sorted(TEMPLATES.glob("*.html"))
    assert found
    return found


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_every_key_a_template_asks_for_exists(path: Path) -> None:
    known = catalog()
    text = path.read_text(encoding="utf-8")
    keys = KEY.findall(text)
    missing = [key for key in keys if not known.has(key)]
    assert missing == []


@pytest.mark.parametrize("path", templates(), ids=lambda path: path.name)
def test_no_words_are_written_in_a_template(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if VIETNAMESE.search(line)] == []


def test_every_kind_of_version_has_its_word() -> None:
    known = catalog()
    assert [k for k in SubmissionKind if not known.has(f"dash-kind-{k.value}")] == []
