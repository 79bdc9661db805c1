"""The web app's fixtures (see web_support)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import WebWorld, web_world


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebWorld]:
    with web_world(tmp_path) as world:
        yield world
