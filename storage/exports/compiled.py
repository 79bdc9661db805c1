"""The compiled draft as a Word document: python-docx writes it, docxcompose appends each unit's.

Implements bot.core.ports.DraftWriter. What goes in the draft, and in which words, is the
domain's (bot.core.drafts); this module only lays it out: A4 with the margins of official
documents (Decree 30/2020), Times New Roman, Vietnamese as the proofing language.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from copy import deepcopy
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles import BabelFish
from docx.table import Table
from docxcompose.composer import Composer
from docxcompose.utils import xpath

from bot.core.drafts import Draft, Part, PartKind, Unread

FONT = "Times New Roman"
BODY_SIZE = Pt(13)
SMALL_SIZE = Pt(11)
BEHIND_SHADE = "FCE4E4"  # the status rows of units late or missing
HEADER_SHADE = "E7E6E6"
# A .docx unpacks to this much at most, alone and with every one before it: a zip bomb, or a
# season of scanned pages pasted into Word, is annexed instead of filling the memory.
MAX_DOCUMENT = 100 * 1024 * 1024
MAX_TOTAL = 400 * 1024 * 1024
# Characters XML 1.0 cannot hold (python-docx refuses them): a stored text may still have some.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_STYLE_REFS = ".//w:tblStyle|.//w:pStyle|.//w:rStyle"
# Column widths in cm, within the 16 cm between the margins: the number narrow, names wide.
STATUS_WIDTHS = (1.4, 5.8, 3.2, 2.8, 2.8)
ANNEX_WIDTHS = (1.3, 3.0, 3.3, 1.6, 2.2, 2.4, 2.2)


class DocxDraftWriter:
    """Writes a `Draft` as one .docx; `max_document` and `max_total` bound what it unpacks."""

    def __init__(self, *, max_document: int = MAX_DOCUMENT, max_total: int = MAX_TOTAL) -> None:
        self.max_document = max_document
        self.max_total = max_total

    def write(self, draft: Draft, target: Path) -> dict[str, Unread]:
        document = Document()
        _set_up(document, draft)
        composer = _Composer(document)
        unread: dict[str, Unread] = {}
        unpacked = 0
        _title(document, draft)
        document.add_heading(_xml(draft.status_heading), level=1)
        _table(document, draft.status_headers, draft.status_rows, draft.behind, STATUS_WIDTHS)
        document.add_heading(_xml(draft.units_heading), level=1)
        if not draft.sections:
            document.add_paragraph(_xml(draft.no_sections))
        for section in draft.sections:
            document.add_heading(_xml(section.heading), level=2)
            for part in section.parts:
                if part.kind is not PartKind.DOCUMENT:
                    _paragraphs(document, part)
                    continue
                size = _unpacked_size(part.path)
                why: Unread | None = None
                if size is None:
                    why = Unread.BROKEN
                elif size > self.max_document or unpacked + size > self.max_total:
                    why = Unread.TOO_LARGE
                else:
                    why = _append(composer, part.path)
                if why is None:
                    unpacked += size or 0
                    continue
                unread[part.receipt_code] = why
                _paragraphs(document, Part(PartKind.NOTICE, part.instead.get(why, "")))
        annex: list[tuple[tuple[str, ...], str]] = []
        for line in draft.annex:
            if line.unless_read is None:
                annex.append((line.cells, line.note))
            elif line.unless_read in unread:
                annex.append((line.cells, line.notes.get(unread[line.unless_read], "")))
        if annex:
            heading = document.add_heading(_xml(draft.annex_heading), level=1)
            heading.paragraph_format.page_break_before = True
            document.add_paragraph(_xml(draft.annex_intro))
            rows = [(str(n), *cells, note) for n, (cells, note) in enumerate(annex, start=1)]
            _table(document, draft.annex_headers, rows, frozenset(), ANNEX_WIDTHS, small=True)
        composer.finish()
        _save(document, target)
        return unread


class _Composer(Composer):  # type: ignore[misc]
    """docxcompose's Composer, made linear in the number of documents appended.

    The original lists every style of the growing draft through python-docx objects once or
    twice for each paragraph appended, and renumbers every bookmark and drawing of the whole
    draft after each document: most of the time of a 200-document draft, and growing with the
    square of it. Here the style ids come straight from the XML and are kept until a style is
    added, and the renumbering (the same whole-draft pass) runs once, in `finish`. The logic
    is the original's (docxcompose 2.x, MIT), for `preserve_styles=False`.
    """

    def __init__(self, doc: WordDocument) -> None:
        super().__init__(doc)
        self._our_ids: set[str] | None = None
        self._our_names: dict[str, str] | None = None

    def finish(self) -> None:
        """Give every bookmark and drawing of the draft its unique id, once."""
        Composer.renumber_bookmarks(self)
        Composer.renumber_docpr_ids(self)
        Composer.renumber_nvpicpr_ids(self)

    def renumber_bookmarks(self) -> None:
        return  # in `finish`

    def renumber_docpr_ids(self) -> None:
        return  # in `finish`

    def renumber_nvpicpr_ids(self) -> None:
        return  # in `finish`

    def _styles_changed(self) -> None:
        self._our_ids = None
        self._our_names = None

    def _ours(self) -> set[str]:
        if self._our_ids is None:
            self._our_ids = set(xpath(self.doc.styles.element, "w:style/@w:styleId"))
        return self._our_ids

    def _create_style_id_mapping(self, doc: WordDocument) -> None:
        self._style_id2name = _style_names(doc)
        if self._our_names is None:
            names = _style_names(self.doc)
            self._our_names = {name: sid for sid, name in names.items() if name is not None}
        self._style_name2id = self._our_names

    def add_linked_styles(self, doc: WordDocument, element: Any) -> None:
        super().add_linked_styles(doc, element)
        self._styles_changed()

    def add_styles(self, doc: WordDocument, element: Any) -> None:
        used = list(dict.fromkeys(e.val for e in xpath(element, _STYLE_REFS)))
        if not used:
            return
        for style_id in used:
            our_style_id = self.mapped_style_id(style_id)
            if our_style_id not in self._ours():
                found = doc.styles.element.get_by_id(style_id)
                if found is not None:
                    style_element = deepcopy(found)
                    self.doc.styles.element.append(style_element)
                    self._styles_changed()
                    self.add_numberings(doc, style_element)
                    self.add_linked_styles(doc, style_element)
            else:
                self._map_style_numbering(doc, style_id, our_style_id)
            if our_style_id != style_id and our_style_id is not None:
                refs = "|".join(
                    f'.//w:{tag}[@w:val="{style_id}"]' for tag in ("tblStyle", "pStyle", "rStyle")
                )
                for el in xpath(element, refs):
                    el.val = our_style_id

    def _map_style_numbering(self, doc: WordDocument, style_id: str, our_style_id: str) -> None:
        """A list style both documents have keeps the draft's abstract numbering, so that its
        lists are not defined twice (as the original does)."""
        style_element = doc.styles.element.get_by_id(style_id)
        if style_element is None:
            return
        num_ids = xpath(style_element, ".//w:numId/@w:val")
        if not num_ids:
            return
        anum_ids = xpath(
            doc.part.numbering_part.element,
            f'.//w:num[@w:numId="{num_ids[0]}"]/w:abstractNumId/@w:val',
        )
        our_style_element = self.doc.styles.element.get_by_id(our_style_id)
        our_num_ids = xpath(our_style_element, ".//w:numId/@w:val") if anum_ids else []
        if not our_num_ids:
            return
        our_anum_ids = xpath(
            self.numbering_part().element,
            f'.//w:num[@w:numId="{our_num_ids[0]}"]/w:abstractNumId/@w:val',
        )
        if our_anum_ids:
            self.anum_id_mapping[int(anum_ids[0])] = int(our_anum_ids[0])


def _style_names(doc: WordDocument) -> dict[str, str | None]:
    """Style id to the name python-docx would give it, read from the XML."""
    names: dict[str, str | None] = {}
    for style in doc.styles.element.iterchildren(qn("w:style")):
        name = style.find(qn("w:name"))
        value = None if name is None else name.get(qn("w:val"))
        names[style.get(qn("w:styleId"))] = None if value is None else BabelFish.internal2ui(value)
    return names


def _unpacked_size(path: Path | None) -> int | None:
    """What the .docx at `path` unpacks to, or None when it is no readable ZIP at all."""
    if path is None:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return None


def _append(composer: _Composer, path: Path | None) -> Unread | None:
    """Append the document at `path` to the draft; on any failure the draft is left as it was
    (the body at least: a style or numbering it brought along is harmless) and BROKEN is said."""
    body = composer.doc.element.body
    start, before = composer.append_index(), len(body)
    try:
        composer.append(Document(str(path)))
    except Exception:  # any of a library's many ways to fail on a damaged or odd file
        added = len(body) - before
        for element in list(body)[start : start + added]:
            body.remove(element)
        return Unread.BROKEN
    return None


def _set_up(document: WordDocument, draft: Draft) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        fonts = style.element.rPr.find(qn("w:rFonts"))
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over the name
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = run_defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        run_defaults.append(language)
    language.set(qn("w:val"), draft.language)
    properties = document.core_properties
    properties.title = _xml(draft.title)
    properties.author = properties.last_modified_by = "baocao"
    properties.comments = ""
    properties.language = draft.language


def _title(document: WordDocument, draft: Draft) -> None:
    title = document.add_paragraph(_xml(draft.title), style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in draft.lines:
        paragraph = document.add_paragraph(_xml(line))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(2)


def _paragraphs(document: WordDocument, part: Part) -> None:
    if part.kind is PartKind.TEXT:
        for line in part.text.splitlines():
            if line.strip():
                document.add_paragraph(_xml(line))
        return
    paragraph = document.add_paragraph()
    run = paragraph.add_run(_xml(part.text))
    run.italic = True
    if part.kind is PartKind.CAPTION:
        run.font.size = SMALL_SIZE
        paragraph.paragraph_format.space_after = Pt(2)


def _table(
    document: WordDocument,
    headers: tuple[str, ...],
    rows: list[tuple[str, ...]] | tuple[tuple[str, ...], ...],
    marked: frozenset[int],
    widths: tuple[float, ...],
    *,
    small: bool = False,
) -> None:
    """A grid table: the header row through python-docx, then each row a copy of an empty
    one filled in through the XML (python-docx's cell objects take seconds for 2,000 rows)."""
    table = document.add_table(rows=2, cols=len(headers))
    table.style = document.styles["Table Grid"]
    sized = len(widths) == len(headers)
    if sized:  # the grid for LibreOffice, each cell's width for Word
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    header, empty = table.rows[0]._tr, table.rows[1]._tr
    empty.getparent().remove(empty)
    _fill(header, headers, bold=True, small=small, shade=HEADER_SHADE)
    grid = table._tbl
    for index, values in enumerate(rows):
        row = deepcopy(empty)
        _fill(row, values, bold=False, small=small, shade=BEHIND_SHADE if index in marked else None)
        grid.append(row)
    _repeat_header(table)
    document.add_paragraph()


def _fill(row: Any, values: tuple[str, ...], *, bold: bool, small: bool, shade: str | None) -> None:
    """Write `values` into the cells of an empty table row, one run each."""
    for cell, value in zip(row.iterchildren(qn("w:tc")), values, strict=True):
        run = OxmlElement("w:r")
        if bold or small:
            properties = OxmlElement("w:rPr")
            if bold:
                properties.append(OxmlElement("w:b"))
            if small:
                size = OxmlElement("w:sz")
                size.set(qn("w:val"), str(int(SMALL_SIZE.pt * 2)))
                properties.append(size)
            run.append(properties)
        text = OxmlElement("w:t")
        text.text = _xml(value)
        text.set(qn("xml:space"), "preserve")
        run.append(text)
        cell.find(qn("w:p")).append(run)
        if shade is not None:
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:color"), "auto")
            shading.set(qn("w:fill"), shade)
            cell.get_or_add_tcPr().append(shading)


def _repeat_header(table: Table) -> None:
    """The header row again at the top of every page a long table runs onto."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def _save(document: WordDocument, target: Path) -> None:
    """Save next to `target`, then rename: the file appears whole or not at all."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".docx.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            document.save(stream)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)
