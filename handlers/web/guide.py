"""The user guide on the web: docs/huong-dan-su-dung.md rendered to HTML, and its pictures.

The guide has one source, the Markdown file people also read on the repository. The package
reaches it through `handlers/web/docs`, a link to the repository's `docs/` folder; building the
package copies the files behind the link (package data), so an installed baocao serves the same
text. Markdown is rendered by markdown-it-py with raw HTML escaped: the guide is text, and
nothing in it may become markup the page runs.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.web.pages import Refused, render

GUIDE_DIR = Path(__file__).with_name("docs")
GUIDE_FILE = "huong-dan-su-dung.md"
PICTURES = "hinh"
URL = "/huong-dan"
# Pictures are named by us, in plain words: nothing else is looked up on disk.
PICTURE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,79}\.png")
# The one Vietnamese letter that Unicode does not decompose into a letter and a mark.
D_WITH_STROKE = str.maketrans({"\u0111": "d", "\u0110": "D"})
# Notes for whoever edits the file; GitHub hides them, and so does the page.
COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class Section:
    """A chapter (##) in the table of contents, with its sections (###)."""

    heading: Heading
    parts: tuple[Heading, ...]


@dataclass(frozen=True, slots=True)
class Guide:
    title: str
    intro: Markup  # the title and what comes before the first chapter, shown above the contents
    body: Markup  # the chapters
    contents: tuple[Section, ...]


def anchor_of(text: str, taken: set[str]) -> str:
    """A URL fragment for a heading: its words without diacritics, joined by hyphens, and
    unique on the page (a second heading of the same words ends in -2)."""
    plain = unicodedata.normalize("NFD", text.translate(D_WITH_STROKE))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    base = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "muc"
    anchor, number = base, 1
    while anchor in taken:
        number += 1
        anchor = f"{base}-{number}"
    taken.add(anchor)
    return anchor


def render_guide(text: str, pictures: Path) -> Guide:
    """The guide's HTML and its table of contents.

    Comments are dropped; headings get anchors; a picture `hinh/NAME.png` is served from
    /huong-dan/hinh/NAME.png when the file is there and left out when it is not (the caption
    beside it still reads); a picture from anywhere else is left out, since offices may have no
    internet.
    """
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = markdown.parse(COMMENT.sub("", text))
    taken: set[str] = set()
    title = ""
    sections: list[Section] = []
    first_chapter = len(tokens)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            words = tokens[index + 1].content
            anchor = anchor_of(words, taken)
            token.attrSet("id", anchor)
            level = int(token.tag[1])
            if level == 1 and not title:
                title = words
            elif level == 2:
                first_chapter = min(first_chapter, index)
                sections.append(Section(Heading(level, anchor, words), ()))
            elif level == 3 and sections:
                last = sections[-1]
                sections[-1] = Section(last.heading, (*last.parts, Heading(level, anchor, words)))
        elif token.type == "inline" and token.children:
            token.children = [child for child in token.children if _keep(child, pictures)]
    intro, body = (
        # markdown-it-py escaped every character of the source; what it returns is markup.
        Markup(markdown.renderer.render(part, markdown.options, {}))
        for part in (tokens[:first_chapter], tokens[first_chapter:])
    )
    return Guide(title=title, intro=intro, body=body, contents=tuple(sections))


def _keep(token: Token, pictures: Path) -> bool:
    """Whether an inline token stays; a kept picture is pointed at the guide's own route."""
    if token.type != "image":
        return True
    source = str(token.attrGet("src") or "")
    folder, _, name = source.partition("/")
    if folder != PICTURES or not PICTURE_NAME.fullmatch(name) or not (pictures / name).is_file():
        return False
    token.attrSet("src", f"{URL}/{PICTURES}/{name}")
    token.attrSet("loading", "lazy")
    return True


_cache: dict[Path, tuple[tuple[int, int], Guide]] = {}


def load_guide(folder: Path | None = None) -> Guide | None:
    """The guide in `folder` (GUIDE_DIR), rendered again only when its file changes; None if
    it is absent."""
    folder = folder or GUIDE_DIR
    path = folder / GUIDE_FILE
    try:
        stat = path.stat()
    except OSError:
        return None
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is None or cached[0] != version:
        guide = render_guide(path.read_text(encoding="utf-8"), folder / PICTURES)
        cached = _cache[path] = (version, guide)
    return cached[1]


def picture_path(name: str, folder: Path | None = None) -> Path | None:
    """The file of the guide's picture `name`, or None: only plain names of PNG files directly
    in the pictures folder of `folder` (GUIDE_DIR): no `../`, no other folder, no link leading
    out of it."""
    if not PICTURE_NAME.fullmatch(name):
        return None
    pictures = ((folder or GUIDE_DIR) / PICTURES).resolve()
    path = (pictures / name).resolve()
    if path.parent != pictures or not path.is_file():
        return None
    return path


async def guide_page(request: Request) -> Response:
    """Show the user guide; anyone may read it, signed in or not."""
    guide = await asyncio.to_thread(load_guide)
    if guide is None:
        raise Refused("web-guide-missing", status=404)
    return render(request, "guide.html", guide=guide)


async def guide_picture(request: Request) -> Response:
    """Send one of the guide's pictures."""
    path = await asyncio.to_thread(picture_path, str(request.path_params["name"]))
    if path is None:
        raise Refused("web-guide-picture-missing", status=404)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=3600"})


def routes() -> list[BaseRoute]:
    return [
        Route(URL, guide_page, methods=["GET"]),
        Route(f"{URL}/{PICTURES}/{{name}}", guide_picture, methods=["GET"]),
    ]
