"""Hostile uploads and forms through the unit portal of the web app, one app per module: each
case says what is posted, the status and words of the answer, and what may change on disk."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from portal_support import CSRF, Portal, department, portal
from upload_bodies import CONTENT_TYPE, DOCX, EXE, JPEG, PDF, PNG, XLS, Part, body, field, file

from bot.core.i18n import t
from hostile.snapshot import Snapshot, assert_only, new_rows, snapshot

JSON = {"accept": "application/json", "x-csrf-token": CSRF, "content-type": CONTENT_TYPE}
HTML = b"<!doctype html><script>alert(1)</script>"
MAX = 4096  # the portal's per-file limit in these tests
STORED = ("submission", "outbox", "files")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with portal(department(tmp_path_factory.mktemp("hostile-portal")), max_upload=MAX) as app:
        yield app


@dataclass(frozen=True)
class Case:
    id: str
    data: bytes | Callable[[], bytes]
    status: int
    says: str  # what the answer's error (or page) must contain
    allowed: tuple[str, ...] = ()
    check: Callable[[Snapshot, Snapshot], None] | None = None
    report: str = "bc-6-thang"
    path: str = "tai-len"
    headers: dict[str, str] | None = None


def files(*parts: Part) -> bytes:
    return body(parts)


def kept_as(name: str) -> Callable[[Snapshot, Snapshot], None]:
    def check(before: Snapshot, after: Snapshot) -> None:
        (row,) = new_rows(before, after, "submission")
        assert name in row, row
        added = [p for p, _ in after["files"] if (p, _) not in before["files"]]
        assert added and all(p.startswith("files/") and ".." not in p for p in added)

    return check


def lies(name: str, kind: str) -> str:
    return t("web-portal-file-lies", name=name, kind=kind)


NFD = unicodedata.normalize("NFD", "Báo cáo tháng.pdf")
CASES = [
    Case(
        "zero-byte", files(file("rong.pdf", b"")), 400, t("web-portal-file-empty", name="rong.pdf")
    ),
    Case(
        "one-byte-over", files(file("lon.pdf", b"%PDF-" + bytes(MAX))), 413, "Tệp «lon.pdf» lớn hơn"
    ),
    Case("exe-named-pdf", files(file("bao-cao.pdf", EXE)), 415, lies("bao-cao.pdf", "PDF")),
    Case("html-named-docx", files(file("bao-cao.docx", HTML)), 415, lies("bao-cao.docx", "DOCX")),
    Case("pdf-named-xlsx", files(file("so-lieu.xlsx", PDF)), 415, lies("so-lieu.xlsx", "XLSX")),
    Case("zip-named-doc", files(file("cu.doc", DOCX)), 415, lies("cu.doc", "DOC")),
    Case("ole-named-odt", files(file("van-ban.odt", XLS)), 415, lies("van-ban.odt", "ODT")),
    Case("jpeg-named-png", files(file("anh.png", JPEG)), 415, lies("anh.png", "PNG")),
    Case("png-named-jpg", files(file("anh.jpg", PNG)), 415, lies("anh.jpg", "JPG")),
    Case("text-named-zip", files(file("ho-so.zip", b"plain words")), 415, lies("ho-so.zip", "ZIP")),
    Case("exe", files(file("setup.exe", EXE)), 415, t("web-portal-file-type", name="setup.exe")),
    Case(
        "double-extension",
        files(file("bc.pdf.exe", EXE)),
        415,
        t("web-portal-file-type", name="bc.pdf.exe"),
    ),
    Case("no-extension", files(file("baocao", PDF)), 415, t("web-portal-file-type", name="baocao")),
    Case(
        "svg-with-script",
        files(file("logo.svg", HTML)),
        415,
        t("web-portal-file-type", name="logo.svg"),
    ),
    Case(
        "lying-second-of-two",
        files(file("a.pdf", PDF), file("b.pdf", EXE)),
        415,
        lies("b.pdf", "PDF"),
    ),
    Case(
        "name-dot-dot-slash",
        files(file("../../etc/x.pdf", PDF)),
        200,
        "x.pdf",
        STORED,
        kept_as("x.pdf"),
    ),
    Case(
        "name-windows-path",
        files(file("C:\\Users\\An\\bc.pdf", PDF)),
        200,
        "bc.pdf",
        STORED,
        kept_as("bc.pdf"),
    ),
    Case(
        "name-nul",
        files(file("bao\x00cao.pdf", PDF)),
        200,
        "baocao.pdf",
        STORED,
        kept_as("baocao.pdf"),
    ),
    Case("name-300-characters", files(file("a" * 296 + ".pdf", PDF)), 200, "aaaa", STORED),
    Case(
        "name-nfd-vietnamese",
        files(file(NFD, PDF)),
        200,
        "Báo cáo tháng.pdf",
        STORED,
        kept_as("Báo cáo tháng.pdf"),
    ),
    Case("name-emoji", files(file("📊 số liệu.pdf", PDF)), 200, "📊 số liệu.pdf", STORED),
    Case(
        "name-right-to-left",
        files(file("تقرير\u202egpj.pdf", PDF)),
        200,
        "تقريرgpj.pdf",
        STORED,
        kept_as("تقريرgpj.pdf"),
    ),
    Case("name-only-dots", files(file("...", PDF)), 400, t("web-portal-file-no-name")),
    Case("no-file", files(field("ghi-chu", "chỉ ghi chú")), 400, t("web-portal-no-files")),
    Case(
        "body-cut-short",
        body([file("a.pdf", PDF)], closed=False),
        400,
        t("web-portal-upload-broken"),
    ),
    Case(
        "wrong-csrf",
        files(file("a.pdf", PDF)),
        403,
        t("web-csrf"),
        headers={**JSON, "x-csrf-token": "gia-mao"},
    ),
    Case(
        "another-units-report",
        files(file("a.pdf", PDF)),
        404,
        "Không tìm thấy báo cáo này",
        report="bc-chuyen-de",
    ),
    Case(
        "text-10000-characters",
        files(field("noi-dung", "x" * 10_000)),
        400,
        t("web-portal-text-too-long", length=10_000, limit=200),
        path="van-ban",
    ),
    Case(
        "text-invisible-only",
        files(field("noi-dung", "\u200b\u2060 ")),
        400,
        t("web-portal-text-empty"),
        path="van-ban",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_portal(web: Portal, case: Case) -> None:
    data = web.department.data
    before = snapshot(data)
    instance = web.department.instances[case.report]
    answer = web.client.post(
        f"/don-vi/bao-cao/{instance}/{case.path}",
        content=case.data() if callable(case.data) else case.data,
        headers=JSON if case.headers is None else case.headers,
    )
    after = snapshot(data)
    assert answer.status_code == case.status, answer.text
    said = answer.json().get("error") if case.status != 200 else answer.text
    assert case.says in said, said
    assert "Traceback" not in answer.text
    assert_only(before, after, case.allowed)
    assert not any(path.startswith(".staging") for path, _ in after["files"])
    if case.check is not None:
        case.check(before, after)


def test_the_portal_suite_is_big_enough() -> None:
    assert len(CASES) >= 25 and len({case.id for case in CASES}) == len(CASES)
