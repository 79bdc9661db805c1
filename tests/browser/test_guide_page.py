"""The user guide at /huong-dan and its pictures, over HTTP without a browser."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from browser_support import ROOT, Screenshots, guide_pictures, web_world

from bot.core.i18n import t
from handlers.web import guide
from handlers.web.app import build_app


def png() -> bytes:
    """A real 1 x 1 PNG, made here rather than shipped."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The app over an empty department: the guide needs no plan."""
    async with web_world(tmp_path_factory.mktemp("data"), plan=None) as world:
        transport = httpx.ASGITransport(app=build_app(world.deps))
        async with httpx.AsyncClient(transport=transport, base_url="http://baocao.test") as http:
            yield http


@pytest.fixture
def guide_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A guide of our own in place of the real one, with one picture and a secret beside it."""
    folder = tmp_path / "docs"
    (folder / "hinh").mkdir(parents=True)
    (folder / "hinh" / "cong-don-vi.png").write_bytes(png())
    (tmp_path / "bi-mat.png").write_bytes(b"secret")
    (folder / "hinh" / "ra-ngoai.png").symlink_to(tmp_path / "bi-mat.png")
    (folder / "huong-dan-su-dung.md").write_text(
        "<!-- ghi chú cho người soạn -->\n# Hướng dẫn\n\n## Phần một\n\n### Mục một\n\n"
        "![Cổng](hinh/cong-don-vi.png)\n\n![Chưa chụp](hinh/bang-theo-doi.png)\n\n"
        "![Ngoài](https://example.org/x.png)\n\n<script>alert(1)</script>\n\n"
        "[độc](javascript:alert(1))\n\n## Phần một\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(guide, "GUIDE_DIR", folder)
    return folder


def test_the_package_reads_the_guide_people_read_on_the_repository() -> None:
    """One source: the package's link leads to docs/, so both show the same file."""
    served = guide.GUIDE_DIR / guide.GUIDE_FILE
    assert served.resolve() == (ROOT / "docs" / "huong-dan-su-dung.md").resolve()
    rendered = guide.load_guide()
    assert rendered is not None
    assert rendered.title == "Hướng dẫn sử dụng baocao"
    chapters = [section.heading.text for section in rendered.contents]
    assert chapters[1:3] == ["Phần dành cho Văn phòng Sở", "Phần dành cho đầu mối đơn vị"]
    page = rendered.intro + rendered.body
    assert "<!--" not in page and "make screenshots" not in page
    assert rendered.intro.startswith('<h1 id="huong-dan-su-dung-baocao">')
    assert rendered.body.startswith('<h2 id="nhung-tu-can-biet">')


def test_anchors_are_plain_words_and_unique() -> None:
    taken: set[str] = set()
    assert guide.anchor_of("Phần dành cho Văn phòng Sở", taken) == "phan-danh-cho-van-phong-so"
    assert guide.anchor_of("Đăng nhập trang web", taken) == "dang-nhap-trang-web"
    assert guide.anchor_of("Đăng nhập trang web", taken) == "dang-nhap-trang-web-2"
    assert guide.anchor_of("«»", taken) == "muc"


async def test_the_guide_page_shows_the_text_escaped_with_its_contents(
    client: httpx.AsyncClient, guide_folder: Path
) -> None:
    response = await client.get("/huong-dan")
    assert response.status_code == 200
    page = response.text
    assert t("web-guide-contents") in page
    assert '<h2 id="phan-mot">Phần một</h2>' in page
    assert '<h2 id="phan-mot-2">' in page
    assert '<a href="#muc-mot">Mục một</a>' in page
    assert "ghi chú cho người soạn" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert 'href="javascript:' not in page
    # A picture that is there is served by the guide; one not taken yet, or from the internet,
    # is left out.
    assert 'src="/huong-dan/hinh/cong-don-vi.png"' in page
    assert "bang-theo-doi.png" not in page and "example.org" not in page


async def test_a_picture_is_served(client: httpx.AsyncClient, guide_folder: Path) -> None:
    response = await client.get("/huong-dan/hinh/cong-don-vi.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == png()


@pytest.mark.parametrize(
    "name",
    [
        "khong-co.png",  # not taken
        "ra-ngoai.png",  # a link leading out of the folder
        "..%2F..%2Fhuong-dan-su-dung.md",
        "%2e%2e%2fbi-mat.png",
        "..%2Fbi-mat.png",
        "cong-don-vi.png%00",
        "CONG-DON-VI.PNG",
        "cong-don-vi.md",
        ".hidden.png",
    ],
)
async def test_nothing_but_a_picture_of_the_folder_is_served(
    client: httpx.AsyncClient, guide_folder: Path, name: str
) -> None:
    response = await client.get(f"/huong-dan/hinh/{name}")
    assert response.status_code == 404
    assert b"secret" not in response.content
    # The guide's own refusal, or the app's for an address no route takes: words either way.
    assert t("web-guide-picture-missing") in response.text or t("web-not-found") in response.text


@pytest.mark.parametrize(
    "name", ["..", "../bi-mat.png", "hinh/cong-don-vi.png", "/etc/passwd", "cong-don-vi.png\x00"]
)
def test_a_picture_name_is_a_plain_file_name(guide_folder: Path, name: str) -> None:
    picture = guide_folder.resolve() / "hinh" / "cong-don-vi.png"
    assert guide.picture_path("cong-don-vi.png") == picture
    assert guide.picture_path(name) is None


async def test_a_missing_guide_is_said_in_words(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guide, "GUIDE_DIR", tmp_path / "khong-co")
    response = await client.get("/huong-dan")
    assert response.status_code == 404
    assert t("web-guide-missing") in response.text


def test_only_the_pictures_the_guide_shows_go_to_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_SCREENSHOTS", str(tmp_path / "hinh"))
    shots = Screenshots.for_test(tmp_path / "test")
    assert {"cong-don-vi", "nop-tep", "bang-theo-doi", "dang-nhap"} <= guide_pictures()
    assert shots.path("cong-don-vi") == tmp_path / "hinh" / "cong-don-vi.png"
    assert shots.path("trang-tu-choi") == tmp_path / "test" / "hinh" / "trang-tu-choi.png"
    monkeypatch.delenv("BAOCAO_SCREENSHOTS")
    alone = Screenshots.for_test(tmp_path / "test")
    assert alone.path("cong-don-vi") == tmp_path / "test" / "hinh" / "cong-don-vi.png"
