"""The streamed upload: files written to the staging area as they come, every rule enforced on
the way, and nothing left on the disk when anything fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from starlette.requests import ClientDisconnect
from upload_bodies import (
    CONTENT_TYPE,
    DOCX,
    EXE,
    JPEG,
    PDF,
    PNG,
    XLS,
    body,
    chunks,
    field,
    file,
    sha256,
    sized,
)

from bot.core import filetypes
from bot.core.i18n import t
from handlers.web.uploads import MAX_FILES, UploadRefused, receive
from storage.files import LocalFileStore

CSRF = "jeton-de-test"


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "data")


def staged(store: LocalFileStore) -> list[Path]:
    return sorted(store.staging.iterdir()) if store.staging.exists() else []


async def take(
    store: LocalFileStore,
    data: bytes,
    *,
    max_file: int = 1000,
    authorized: bool = True,
    size: int = 7,
) -> list[tuple[str, int, str, bytes]]:
    upload = await receive(
        CONTENT_TYPE,
        chunks(data, size),
        store=store,
        max_file=max_file,
        authorized=authorized,
        csrf_ok=lambda token: token == CSRF,
    )
    return [(f.original_name, f.size, f.sha256, f.path.read_bytes()) for f in upload.files]


async def refused(store: LocalFileStore, data: bytes, **options: object) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        await take(store, data, **options)  # type: ignore[arg-type]
    assert staged(store) == [], "a refused upload leaves nothing in the staging area"
    caught.value.message()  # every refusal has its words
    return caught.value


async def test_several_files_are_staged_whole_with_their_sha256(store: LocalFileStore) -> None:
    parts = [
        field("ghi-chu", "Kèm phụ lục"),
        file("Báo cáo quý.pdf", PDF),
        file("bang.xls", XLS),
        file("anh.png", PNG),
        file("anh2.jpeg", JPEG),
        file("du-thao.docx", DOCX),
    ]
    got = await take(store, body(parts))
    assert got == [(p.filename, len(p.content), sha256(p.content), p.content) for p in parts[1:]]
    assert len(staged(store)) == 5


async def test_a_file_exactly_at_the_limit_is_taken_one_byte_over_is_refused(
    store: LocalFileStore,
) -> None:
    exact = sized(b"%PDF-", 1000)
    assert [size for _, size, _, _ in await take(store, body([file("a.pdf", exact)]))] == [1000]
    for path in staged(store):
        store.discard(path)
    over = await refused(store, body([file("a.pdf", exact + b"x")]), max_file=1000)
    assert (over.key, over.status) == ("web-portal-file-too-big", 413)
    assert "a.pdf" in over.message()


async def test_the_limit_is_met_while_streaming_not_after(store: LocalFileStore) -> None:
    """The body is never read to its end: the refusal comes with the first byte over."""
    read: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        yield body([file("a.pdf", b"%PDF-")], closed=False)[:-2]  # the part is left open
        while True:
            read.append(1)
            yield b"x" * 100

    with pytest.raises(UploadRefused):
        await receive(
            CONTENT_TYPE,
            endless(),
            store=store,
            max_file=1000,
            authorized=True,
            csrf_ok=lambda _: False,
        )
    assert len(read) == 10  # 5 + 10 x 100 bytes passed 1000 within the tenth chunk
    assert staged(store) == []


async def test_a_lying_extension_is_refused_by_name(store: LocalFileStore) -> None:
    error = await refused(store, body([file("ok.pdf", PDF), file("bao-cao.pdf", EXE)]))
    assert error.key == "web-portal-file-lies"
    assert "bao-cao.pdf" in error.message() and "PDF" in error.message()
    # A Word document saved as .xls, an image renamed .docx:
    assert (await refused(store, body([file("a.xls", DOCX)]))).key == "web-portal-file-lies"
    assert (await refused(store, body([file("a.docx", PNG)]))).key == "web-portal-file-lies"


async def test_a_lie_is_caught_within_the_first_kilobyte(store: LocalFileStore) -> None:
    big = EXE + b"x" * 5000
    error = await refused(store, body([file("to.png", big)]), max_file=10_000, size=1500)
    assert error.key == "web-portal-file-lies"


async def test_a_type_chat_does_not_take_is_refused_before_any_byte(
    store: LocalFileStore,
) -> None:
    error = await refused(store, body([file("virus.exe", EXE)]))
    assert error.key == "web-portal-file-type" and "virus.exe" in error.message()


async def test_an_empty_file_is_refused(store: LocalFileStore) -> None:
    error = await refused(store, body([file("trong.pdf", b"")]))
    assert error.key == "web-portal-file-empty" and "trong.pdf" in error.message()


async def test_names_lose_their_paths_and_control_characters(store: LocalFileStore) -> None:
    parts = [
        file("../../etc/Kế hoạch.pdf", PDF),
        file("C:\\Users\\Lan\\Báo cáo\x00 tháng\x07.pdf", PDF),
        file("cu\u0309a.pdf", PDF),  # "của" decomposed, as macOS sends it
    ]
    got = [name for name, *_ in await take(store, body(parts))]
    assert got == ["Kế hoạch.pdf", "Báo cáo tháng.pdf", "của.pdf"]


@pytest.mark.parametrize("name", ["../", "..\\..\\", "\x00\x01", " . "])
async def test_a_name_with_nothing_readable_is_refused(store: LocalFileStore, name: str) -> None:
    error = await refused(store, body([file(name, PDF)]))
    assert error.key == "web-portal-file-no-name"


async def test_a_malformed_body_is_refused(store: LocalFileStore) -> None:
    cut = body([file("a.pdf", PDF)], closed=False)
    assert (await refused(store, cut)).key == "web-portal-upload-broken"
    garbage = b"this is not multipart at all"
    assert (await refused(store, garbage)).key == "web-portal-upload-broken"
    with pytest.raises(UploadRefused) as caught:
        await receive(
            "application/json",
            chunks(b"{}"),
            store=store,
            max_file=10,
            authorized=True,
            csrf_ok=lambda _: True,
        )
    assert caught.value.key == "web-portal-upload-broken"


async def test_no_file_chosen(store: LocalFileStore) -> None:
    empty_input = file("", b"")  # what a browser sends for a file input left empty
    assert (await refused(store, body([empty_input]))).key == "web-portal-no-files"


async def test_too_many_files(store: LocalFileStore) -> None:
    parts = [file(f"{n}.pdf", PDF) for n in range(MAX_FILES + 1)]
    error = await refused(store, body(parts))
    assert (error.key, error.status) == ("web-portal-too-many-files", 413)


async def test_a_dropped_connection_leaves_nothing(store: LocalFileStore) -> None:
    data = body([file("a.pdf", PDF), file("b.pdf", sized(b"%PDF-", 900))])

    async def dropped() -> AsyncIterator[bytes]:
        yield data[: len(data) - 300]  # the first file whole, the second halfway
        raise ClientDisconnect

    with pytest.raises(ClientDisconnect):
        await receive(
            CONTENT_TYPE,
            dropped(),
            store=store,
            max_file=1000,
            authorized=True,
            csrf_ok=lambda _: True,
        )
    assert staged(store) == []


async def test_without_the_header_the_token_must_come_first(store: LocalFileStore) -> None:
    good = body([field("csrf", CSRF), file("a.pdf", PDF)])
    assert len(await take(store, good, authorized=False)) == 1
    for path in staged(store):
        store.discard(path)
    wrong = body([field("csrf", "forged"), file("a.pdf", PDF)])
    assert (await refused(store, wrong, authorized=False)).status == 403
    late = body([file("a.pdf", PDF), field("csrf", CSRF)])
    assert (await refused(store, late, authorized=False)).status == 403
    missing = body([file("a.pdf", PDF)])
    assert (await refused(store, missing, authorized=False)).key == "web-csrf"


def test_every_allowed_extension_has_a_signature_and_words() -> None:
    assert t("web-portal-file-lies", name="a.pdf", kind="PDF")
    for extension, signatures in filetypes.SIGNATURES.items():
        assert filetypes.matches(f"x{extension}", signatures[0] + b"rest")
        assert not filetypes.matches(f"x{extension}", EXE)


def test_a_pdf_header_may_follow_a_few_bytes() -> None:
    assert filetypes.matches("a.pdf", b"\r\n\r\n%PDF-1.4")
    assert not filetypes.matches("a.pdf", bytes(2000) + b"%PDF-1.4")
