"""The Office's compiled draft of one report instance: what goes in it, in which order and words.

The draft opens with who reported (on time, late and by how much, missing), then gives each unit
that sent something a section in plan order, then an annex of the files it could not
take in. Per unit it takes the latest text the unit typed and its latest Word document (earlier
ones were corrected by them); every other file (PDF, spreadsheet, image, old .doc) goes to the
annex with its version and receipt code. A renderer (`DraftWriter`, in storage) lays the draft
out as a Word document; a Word file it cannot read, or that is too large, takes its annex line
instead of failing the whole draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.model import InstanceStatus, SubmissionKind, SubmissionState, nearest_instance

if TYPE_CHECKING:
    from bot.core.ports import DraftSources, DraftWriter, ReportInstances

WORD_SUFFIX = ".docx"
LANGUAGE = "vi-VN"
STATE_KEYS = {
    SubmissionState.ON_TIME: "compile-state-on-time",
    SubmissionState.LATE: "compile-state-late",
    SubmissionState.MISSING: "compile-state-missing",
    SubmissionState.PENDING: "compile-state-pending",
}


@dataclass(frozen=True, slots=True)
class SubmittedVersion:
    """One version a unit sent for a report instance, as the draft needs it."""

    unit_key: str
    version: int
    kind: SubmissionKind
    submitted_at: datetime
    receipt_code: str
    text: str | None = None
    note: str | None = None  # what the person wrote with a file
    original_name: str | None = None
    path: Path | None = None  # the stored file on this machine
    missing: bool = False  # the version names a file that is no longer on the disk

    @property
    def is_word(self) -> bool:
        """A Word document the draft can take in (the old binary .doc cannot be)."""
        return (
            self.kind is SubmissionKind.FILE
            and PurePath(self.original_name or "").suffix.lower() == WORD_SUFFIX
        )

    @property
    def name(self) -> str:
        return self.original_name or "?"


class Unread(StrEnum):
    """Why a Word document was not taken into the draft."""

    BROKEN = "broken"  # not a Word document a library can read (corrupt, renamed, encrypted)
    TOO_LARGE = "too_large"  # it, or the draft with it, would unpack past the renderer's limit


# What stands in a Word document's place, and its annex note, by why it was not read.
INSTEAD_KEYS = {Unread.BROKEN: "compile-docx-broken", Unread.TOO_LARGE: "compile-docx-too-large"}
NOTE_KEYS = {Unread.BROKEN: "compile-annex-broken", Unread.TOO_LARGE: "compile-annex-too-large"}


class PartKind(StrEnum):
    CAPTION = "caption"  # which version follows: shown small, above it
    TEXT = "text"  # the unit's own words, one paragraph per line
    NOTICE = "notice"  # what the Office should know (files in the annex, older versions)
    DOCUMENT = "document"  # a Word document appended whole, with its styles and numbering


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a unit's section. A DOCUMENT carries `path`, the `receipt_code` that ties
    it to its annex line, and `instead`: the notice shown in its place when it is not read."""

    kind: PartKind
    text: str = ""
    path: Path | None = None
    receipt_code: str = ""
    instead: Mapping[Unread, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class AnnexLine:
    """A file in the annex. `unless_read` names a Word document's receipt code: the line is
    there only when that document was not read, with the note for the reason (`notes`)."""

    cells: tuple[str, ...]  # unit, file, version, submitted at, receipt code
    note: str = ""
    unless_read: str | None = None
    notes: Mapping[Unread, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Draft:
    title: str
    lines: tuple[str, ...]  # under the title: the instance, deadline, when compiled, counts
    status_heading: str
    status_headers: tuple[str, ...]
    status_rows: tuple[tuple[str, ...], ...]
    behind: frozenset[int]  # indexes of the status rows that are late or missing
    units_heading: str
    sections: tuple[Section, ...]
    no_sections: str  # said under `units_heading` when no unit sent anything
    annex_heading: str
    annex_intro: str
    annex_headers: tuple[str, ...]  # the number column first, then AnnexLine's cells, the note
    annex: tuple[AnnexLine, ...]
    language: str = LANGUAGE


@dataclass(frozen=True, slots=True)
class Compiled:
    """What a compiled draft holds, for the answer to whoever asked for it."""

    instance: InstanceStatus
    others: tuple[str, ...]  # the report's other instance keys, to choose another
    documents: int  # Word documents taken in
    texts: int  # typed reports taken in
    annexed: int  # lines in the annex
    unread: tuple[tuple[str, str, Unread], ...]  # (unit name, file name, why) not taken in
    size: int = 0  # of the written file, in bytes

    @property
    def done(self) -> int:
        return sum(1 for unit in self.instance.units if unit.submitted)

    @property
    def total(self) -> int:
        return len(self.instance.units)


class DraftDesk:
    """Compiling a report instance's draft: the records, the versions, the renderer."""

    def __init__(
        self, *, instances: ReportInstances, sources: DraftSources, writer: DraftWriter
    ) -> None:
        self.instances = instances
        self.sources = sources
        self.writer = writer

    async def compile(
        self,
        *,
        report_key: str,
        instance_key: str | None,
        target: Path,
        now: datetime,
        tz: ZoneInfo,
    ) -> Compiled:
        """Write the draft of one instance of `report_key` to `target` (whole or not at all).

        Raises UnknownReportError, and UserError for an instance key the report does not have.
        """
        instances = await self.instances.status(report_key=report_key, now=now)
        instance = choose_instance(instances, report_key, instance_key, now)
        versions = await self.sources.versions(instance_id=instance.instance_id)
        draft = build_draft(instance, versions, now=now, tz=tz)
        # Rendering is CPU work on many files: off the event loop, so the bot keeps answering.
        unread = await asyncio.to_thread(self.writer.write, draft, target)
        size = (await asyncio.to_thread(target.stat)).st_size
        return replace(summary(instance, instances, draft, versions, unread), size=size)


def choose_instance(
    instances: Sequence[InstanceStatus], report: str, instance_key: str | None, now: datetime
) -> InstanceStatus:
    """The instance named, or the one whose deadline is nearest to `now`, before or after:
    the one being collected, or just collected (the earlier of two as near)."""
    if not instances:
        raise UserError("compile-no-instance", report=report)
    if instance_key is not None:
        for instance in instances:
            if instance.instance_key == instance_key:
                return instance
        keys = ", ".join(instance_label(i.instance_key) for i in instances)
        raise UserError("compile-unknown-instance", report=report, instance=instance_key, keys=keys)
    return nearest_instance(instances, now=now)


def instance_label(key: str) -> str:
    return t("instance-once") if key == "once" else key


def build_draft(
    instance: InstanceStatus,
    versions: Sequence[SubmittedVersion],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> Draft:
    """The draft of `instance` from every version its units sent (any order)."""
    by_unit: dict[str, list[SubmittedVersion]] = {}
    for version in sorted(versions, key=lambda v: (v.unit_key, v.version)):
        by_unit.setdefault(version.unit_key, []).append(version)
    rows: list[tuple[str, ...]] = []
    behind: set[int] = set()
    sections: list[Section] = []
    annex: list[AnnexLine] = []
    for number, unit in enumerate(instance.units, start=1):
        late = fmt.duration(unit.late_by) if unit.late_by is not None else ""
        latest = ""
        if unit.latest_version is not None and unit.latest_at is not None:
            latest = t(
                "compile-latest", version=unit.latest_version, at=fmt.moment(unit.latest_at, tz)
            )
        rows.append(
            (
                str(number),
                unit.unit_name,
                t(STATE_KEYS[unit.state], late=late),
                fmt.moment(unit.first_at, tz) if unit.first_at is not None else "",
                latest,
            )
        )
        if unit.state in (SubmissionState.LATE, SubmissionState.MISSING):
            behind.add(number - 1)
        sent = by_unit.get(unit.unit_key)
        if sent:
            parts, annexed = _unit_parts(unit.unit_name, sent, tz)
            sections.append(Section(unit.unit_name, parts))
            annex.extend(annexed)
    done = sum(1 for unit in instance.units if unit.submitted)
    lines = (
        []
        if instance.instance_key == "once"
        else [t("compile-instance", instance=instance.instance_key)]
    )
    lines.append(t("compile-deadline", deadline=fmt.deadline(instance.deadline)))
    if instance.period_start is not None and instance.period_end is not None:
        dates = t(
            "period-dates", start=fmt.day(instance.period_start), end=fmt.day(instance.period_end)
        )
        lines.append(t("compile-period", dates=dates))
    lines += [
        t("compile-made-at", at=fmt.moment(now, tz)),
        t(
            "compile-counts",
            done=done,
            total=len(instance.units),
            on_time=instance.count(SubmissionState.ON_TIME),
            late=instance.count(SubmissionState.LATE),
            missing=len(instance.units) - done,
        ),
        t("compile-draft-note"),
    ]
    return Draft(
        title=instance.report_name,
        lines=tuple(lines),
        status_heading=t("compile-status-heading"),
        status_headers=(
            t("compile-col-number"),
            t("compile-col-unit"),
            t("compile-col-state"),
            t("compile-col-first"),
            t("compile-col-latest"),
        ),
        status_rows=tuple(rows),
        behind=frozenset(behind),
        units_heading=t("compile-units-heading"),
        sections=tuple(sections),
        no_sections=t("compile-units-none"),
        annex_heading=t("compile-annex-heading"),
        annex_intro=t("compile-annex-intro"),
        annex_headers=(
            t("compile-col-number"),
            t("compile-col-unit"),
            t("compile-col-file"),
            t("compile-col-version"),
            t("compile-col-at"),
            t("compile-col-code"),
            t("compile-col-note"),
        ),
        annex=tuple(annex),
    )


def _unit_parts(
    unit_name: str, sent: Sequence[SubmittedVersion], tz: ZoneInfo
) -> tuple[tuple[Part, ...], list[AnnexLine]]:
    """A unit's section (its latest text, its latest Word document, notices) and its annex
    lines, from its versions in order."""
    texts = [v for v in sent if v.kind is SubmissionKind.TEXT]
    words = [v for v in sent if v.is_word]
    taken = {v.version for v in (texts[-1:] + words[-1:])}
    older = [v.version for v in texts[:-1] + words[:-1]]
    parts: list[Part] = []
    annex: list[AnnexLine] = []
    annexed_names: list[str] = []
    for version in sent:
        at = fmt.moment(version.submitted_at, tz)
        cells = (unit_name, version.name, str(version.version), at, version.receipt_code)
        if version.kind is SubmissionKind.TEXT:
            if version.version in taken:
                caption = t(
                    "compile-version-text",
                    version=version.version,
                    at=at,
                    code=version.receipt_code,
                )
                parts += [Part(PartKind.CAPTION, caption), Part(PartKind.TEXT, version.text or "")]
            continue
        if version.is_word and version.version not in taken:
            continue  # an earlier Word document, corrected since
        if version.is_word and version.missing:
            shown = t("compile-file-missing", name=version.name, version=version.version)
            parts.append(Part(PartKind.NOTICE, shown))
            annex.append(AnnexLine(cells, t("compile-annex-missing")))
            continue
        if version.is_word:
            caption = t(
                "compile-version-file",
                name=version.name,
                version=version.version,
                at=at,
                code=version.receipt_code,
            )
            parts.append(Part(PartKind.CAPTION, caption))
            if version.note:
                parts.append(Part(PartKind.CAPTION, t("compile-version-note", note=version.note)))
            instead = {
                reason: t(key, name=version.name, version=version.version)
                for reason, key in INSTEAD_KEYS.items()
            }
            parts.append(
                Part(
                    PartKind.DOCUMENT,
                    path=version.path,
                    receipt_code=version.receipt_code,
                    instead=instead,
                )
            )
            notes = {reason: t(key) for reason, key in NOTE_KEYS.items()}
            annex.append(AnnexLine(cells, unless_read=version.receipt_code, notes=notes))
            continue
        # Every other file: named in the annex, where the Office opens it from the original.
        note = t("compile-annex-missing") if version.missing else (version.note or "")
        annex.append(AnnexLine(cells, note))
        annexed_names.append(t("compile-annexed-name", name=version.name, version=version.version))
    if annexed_names:
        parts.append(Part(PartKind.NOTICE, t("compile-in-annex", names=", ".join(annexed_names))))
    if older:
        parts.append(Part(PartKind.NOTICE, t("compile-older", versions=", ".join(map(str, older)))))
    return tuple(parts), annex


def summary(
    instance: InstanceStatus,
    instances: Sequence[InstanceStatus],
    draft: Draft,
    versions: Sequence[SubmittedVersion],
    unread: Mapping[str, Unread],
) -> Compiled:
    """What went into the written draft, given which documents the renderer could not read."""
    documents = [p for s in draft.sections for p in s.parts if p.kind is PartKind.DOCUMENT]
    names = {u.unit_key: u.unit_name for u in instance.units}
    by_code = {v.receipt_code: v for v in versions}
    return Compiled(
        instance=instance,
        others=tuple(i.instance_key for i in instances if i.instance_id != instance.instance_id),
        documents=sum(1 for p in documents if p.receipt_code not in unread),
        texts=sum(1 for s in draft.sections for p in s.parts if p.kind is PartKind.TEXT),
        annexed=sum(
            1 for line in draft.annex if line.unless_read is None or line.unless_read in unread
        ),
        unread=tuple(
            (names.get(by_code[code].unit_key, "?"), by_code[code].name, why)
            for code, why in unread.items()
            if code in by_code
        ),
    )
