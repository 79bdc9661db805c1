"""The Office's archive of one report round: which versions go in, under which names, and the
status sheet beside them. The zip itself is written by an adapter (storage/exports/archive.py)
through the ArchiveWriter port; everything decided here is plain data."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.core import formatting as fmt
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.model import InstanceStatus, SubmissionKind, UnitStatus, nearest_instance

if TYPE_CHECKING:
    from bot.core.ports import ArchiveWriter, ReportInstances, SubmissionHistory

# A name in the archive is one path component on the disk it is unpacked on: most file systems
# take 255 bytes, and Windows paths grow with the folder they land in.
NAME_BYTES = 180
# What Windows refuses in a name, and the path separators of every system.
_RESERVED = frozenset('<>:"|?*/\\')
# Windows device names: "CON.txt" opens the console, not a file.
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{n}" for n in range(1, 10)}
    | {f"LPT{n}" for n in range(1, 10)}
)


@dataclass(frozen=True, slots=True)
class SubmittedVersion:
    """One version a unit sent for a report instance, as the exports see it."""

    unit_key: str
    unit_name: str
    unit_short_name: str
    version: int
    kind: SubmissionKind
    submitted_at: datetime
    receipt_code: str
    original_name: str | None = None
    stored_path: str | None = None  # relative to the file store; None for a text report
    size: int | None = None
    text: str | None = None
    note: str | None = None
    contact_name: str | None = None  # who sent it, when the contact is known


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A stored file copied into the archive under `name`; `modified` is local wall-clock time."""

    name: str
    stored_path: str
    modified: datetime
    size: int | None = None


@dataclass(frozen=True, slots=True)
class BytesEntry:
    """Content made here (a text report, the status sheet) written under `name`."""

    name: str
    data: bytes
    modified: datetime


ArchiveEntry = StoredEntry | BytesEntry


@dataclass(frozen=True, slots=True)
class WrittenArchive:
    """What the writer did: the archive's size, and the names whose stored file was gone."""

    size: int
    missing: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One unit's line of the status sheet: where it stands, and what of it the archive holds."""

    unit: UnitStatus
    latest: SubmittedVersion | None
    entry: str | None  # the name of its latest version in the archive
    missing: bool = False  # its stored file was not on the disk


@dataclass(frozen=True, slots=True)
class StatusSheet:
    """What the status sheet shows: the round, each unit's line, when it was made."""

    instance: InstanceStatus
    rows: tuple[SheetRow, ...]
    made_at: datetime
    timezone: ZoneInfo


# Makes the status sheet's entry from what the archive holds (CSV, when no workbook is wired).
SheetMaker = Callable[[StatusSheet], BytesEntry]
# The status workbook of one instance, as .xlsx bytes: the sheet the Office works in.
WorkbookMaker = Callable[[InstanceStatus, datetime], Awaitable[bytes]]


@dataclass(frozen=True, slots=True)
class ArchivePlan:
    """The entries of an archive, in order, and the status rows that describe them."""

    entries: tuple[ArchiveEntry, ...]
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    instance: InstanceStatus
    file_name: str  # what to call the archive when it is sent
    entries: int  # submitted versions put in (files and texts)
    size: int
    missing: tuple[str, ...] = field(default_factory=tuple)  # names whose file was gone


class ArchiveTooBigError(Exception):
    """The archive would not fit where it goes (a chat platform's upload limit)."""

    def __init__(self, instance: InstanceStatus, size: int) -> None:
        super().__init__(instance.report_key, size)
        self.instance = instance
        self.size = size


# ---- names ----------------------------------------------------------------------------------


def safe_name(name: str) -> str:
    """`name` as one file name any system unpacks safely: composed Unicode (Vietnamese letters
    kept), no control characters, path separators or Windows-reserved characters (each an
    "_"), no leading dot, no trailing dot or space, no device name, and at most NAME_BYTES of
    UTF-8 with the extension kept. Empty when nothing is left."""
    name = unicodedata.normalize("NFC", name)
    if not name.isprintable() or not _RESERVED.isdisjoint(name):  # most names need neither
        kept = []
        for ch in name:
            category = unicodedata.category(ch)
            if ch in _RESERVED:
                kept.append("_")
            elif category in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
                kept.append(" " if ch in "\t\n\r" else "")
            else:
                kept.append(" " if category == "Zs" else ch)
        name = "".join(kept)
    cleaned = " ".join(name.split())
    cleaned = cleaned.lstrip(". ").rstrip(". ")
    stem, dot, suffix = cleaned.partition(".")
    if stem.upper() in _DEVICES:
        cleaned = f"{stem}_{dot}{suffix}"
    return _fit(cleaned, NAME_BYTES)


def _fit(name: str, limit: int) -> str:
    """`name` cut to `limit` UTF-8 bytes in the middle of its stem, its extension kept."""
    if len(name.encode("utf-8")) <= limit:
        return name
    suffix = _suffix(name)
    if len(suffix.encode("utf-8")) > limit // 4:
        suffix = ""
    stem = name[: len(name) - len(suffix)]
    while stem and len((stem + "…" + suffix).encode("utf-8")) > limit:
        stem = stem[:-1]
    return (stem.rstrip(". ") + "…" + suffix) if stem else suffix.lstrip(".")


class UniqueNames:
    """Hands out names no earlier one took, as a case-insensitive disk sees them: the second
    "Report.docx" becomes "Report (2).docx", and "report.DOCX" after it "report (3).DOCX"."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, name: str, *, folder: str = "") -> str:
        suffix = _suffix(name)
        stem = name[: len(name) - len(suffix)]
        candidate, number = name, 1
        while _key(folder, candidate) in self.taken:
            number += 1
            candidate = _fit(f"{stem} ({number}){suffix}", NAME_BYTES + 8)
        self.taken.add(_key(folder, candidate))
        return candidate


def _key(folder: str, name: str) -> str:
    return unicodedata.normalize("NFC", f"{folder}/{name}").casefold()


def file_label(version: SubmittedVersion) -> str:
    """A version's own name: the name it was sent under (with the stored file's extension when
    it had none), or the catalog's word for a text report."""
    if version.stored_path is None:
        return t("archive-text-name") + ".txt"
    name = version.original_name or t("archive-file-name")
    if not _suffix(name):
        name += _suffix(version.stored_path)
    return name


def _suffix(name: str) -> str:
    """The extension of the last part of `name` (".docx"), as pathlib reads it, or "";
    pathlib itself costs more than the rest of naming a season's files."""
    base = name.rpartition("/")[2]
    dot = base.rfind(".")
    return base[dot:] if 0 < dot < len(base) - 1 else ""


def plan_archive(
    instance: InstanceStatus,
    versions: Iterable[SubmittedVersion],
    *,
    all_versions: bool,
    timezone: ZoneInfo,
) -> ArchivePlan:
    """The entries for `instance`, units in the plan's order: each unit's latest version named
    "<unit short name> - <its name>", or with `all_versions` every version in a folder per unit
    named "v<N> - <its name>". Names are safe and unique; text reports become .txt files."""
    by_unit: dict[str, list[SubmittedVersion]] = {}
    for version in sorted(versions, key=lambda v: v.version):
        by_unit.setdefault(version.unit_key, []).append(version)
    names = UniqueNames()
    folders = UniqueNames()
    entries: list[ArchiveEntry] = []
    rows: list[SheetRow] = []
    for unit in instance.units:
        sent = by_unit.get(unit.unit_key, [])
        if not sent:
            rows.append(SheetRow(unit, None, None))
            continue
        latest = sent[-1]
        short = safe_name(latest.unit_short_name) or safe_name(latest.unit_key) or "_"
        latest_name = ""
        if all_versions:
            folder = folders.claim(short)
            for version in sent:
                own = safe_name(f"v{version.version} - {file_label(version)}")
                name = f"{folder}/{names.claim(own, folder=folder)}"
                entries.append(_entry(name, version, timezone))
                latest_name = name
        else:
            latest_name = names.claim(safe_name(f"{short} - {file_label(latest)}"))
            entries.append(_entry(latest_name, latest, timezone))
        rows.append(SheetRow(unit, latest, latest_name))
    return ArchivePlan(tuple(entries), tuple(rows))


def _entry(name: str, version: SubmittedVersion, timezone: ZoneInfo) -> ArchiveEntry:
    modified = local_time(version.submitted_at, timezone)
    if version.stored_path is None:
        text = version.text or ""
        # With a byte order mark: Windows' Notepad of older years then reads it as UTF-8.
        return BytesEntry(name, text.encode("utf-8-sig"), modified)
    return StoredEntry(name, version.stored_path, modified, version.size)


def local_time(moment: datetime, timezone: ZoneInfo) -> datetime:
    """`moment` as the plan's wall clock shows it: a zip stores no timezone."""
    return moment.astimezone(timezone).replace(tzinfo=None)


# ---- the status sheet -----------------------------------------------------------------------


def status_sheet_name() -> str:
    return t("archive-sheet-name") + ".csv"


def csv_status_sheet(sheet: StatusSheet) -> BytesEntry:
    """The status sheet as CSV, UTF-8 with a byte order mark so that Excel reads Vietnamese
    right; where the Excel workbook is wired (`Archives(workbook=...)`), that goes instead."""
    instance, tz = sheet.instance, sheet.timezone
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t("archive-sheet-report"), instance.report_name])
    writer.writerow([t("archive-sheet-round"), round_name(instance.instance_key)])
    writer.writerow([t("archive-sheet-deadline"), fmt.deadline(instance.deadline)])
    if instance.period_start is not None and instance.period_end is not None:
        period = t(
            "period-dates", start=fmt.day(instance.period_start), end=fmt.day(instance.period_end)
        )
        writer.writerow([t("archive-sheet-period"), period])
    writer.writerow([t("archive-sheet-made"), fmt.moment(sheet.made_at, tz)])
    writer.writerow([])
    writer.writerow(
        [
            t("archive-col-unit"),
            t("archive-col-contact"),
            t("archive-col-submitted-at"),
            t("archive-col-version"),
            t("archive-col-timeliness"),
            t("archive-col-receipt"),
            t("archive-col-file"),
            t("archive-col-note"),
        ]
    )
    for row in sheet.rows:
        writer.writerow(_sheet_cells(row, tz))
    return BytesEntry(
        status_sheet_name(),
        buffer.getvalue().encode("utf-8-sig"),
        local_time(sheet.made_at, tz),
    )


def _sheet_cells(row: SheetRow, tz: ZoneInfo) -> list[str]:
    unit, latest = row.unit, row.latest
    timeliness = timeliness_text(unit)
    if latest is None:
        return [unit.unit_name, "", "", "", timeliness, "", "", ""]
    note = latest.note or ""
    if row.missing:
        gone = t("archive-file-missing")
        note = f"{gone} {note}".strip()
    return [
        unit.unit_name,
        latest.contact_name or "",
        fmt.moment(latest.submitted_at, tz),
        str(latest.version),
        timeliness,
        latest.receipt_code,
        row.entry or "",
        note,
    ]


def timeliness_text(unit: UnitStatus) -> str:
    """On time, late by how much, or missing: as the status command says it."""
    late = fmt.duration(unit.late_by) if unit.late_by is not None else ""
    return t(f"status-{unit.state.value}", late=late)


def round_name(instance_key: str) -> str:
    return t("instance-once") if instance_key == "once" else instance_key


def archive_file_name(instance: InstanceStatus) -> str:
    """What the archive is called when sent: the report's name and its round."""
    if instance.instance_key == "once":
        return safe_name(f"{instance.report_name}.zip")
    return safe_name(f"{instance.report_name} - {instance.instance_key}.zip")


# ---- which round ----------------------------------------------------------------------------


def relevant_instance(instances: Sequence[InstanceStatus], now: datetime) -> InstanceStatus:
    """The round an export means when none is named: of the rounds anyone has sent something
    to (all rounds when nobody has), the one whose deadline is nearest to `now`, before or
    after; on a tie, the earlier. A monthly report exported just after its deadline gives the
    month that closed, not the empty month that opened."""
    started = [i for i in instances if any(u.submitted for u in i.units)] or list(instances)
    return nearest_instance(started, now=now)


# ---- the use case ---------------------------------------------------------------------------


class Archives:
    """Builds the archive of one report round, for the CLI and for chat."""

    def __init__(
        self,
        *,
        instances: ReportInstances,
        history: SubmissionHistory,
        writer: ArchiveWriter,
        timezone: ZoneInfo,
        sheet: SheetMaker = csv_status_sheet,
        workbook: WorkbookMaker | None = None,
    ) -> None:
        self.instances = instances
        self.history = history
        self.writer = writer
        self.timezone = timezone
        self.sheet = sheet
        self.workbook = workbook  # when set, the Excel status workbook replaces the CSV sheet

    async def choose(
        self, *, report_key: str | None, instance_key: str | None, now: datetime
    ) -> InstanceStatus:
        """The round meant: the named one, or the relevant one of the report (of every report
        when `report_key` is None). Raises UserError naming what there is to choose from."""
        try:
            instances = await self.instances.status(report_key=report_key, now=now)
        except LookupError:
            every = await self.instances.status(report_key=None, now=now)
            codes = ", ".join(dict.fromkeys(i.report_key for i in every)) or "—"
            raise UserError(
                "archive-unknown-report", report=report_key or "", codes=codes
            ) from None
        if not instances:
            raise UserError("archive-no-reports")
        if instance_key is None:
            return relevant_instance(instances, now)
        for instance in instances:
            # Typed in chat, where words are lower-cased, or as the plan shows it ("2024-H1").
            if instance.instance_key.casefold() == instance_key.casefold():
                return instance
        keys = ", ".join(i.instance_key for i in instances)
        raise UserError(
            "archive-unknown-round", round=instance_key, report=instances[0].report_key, keys=keys
        )

    async def export(
        self,
        instance: InstanceStatus,
        destination: Path,
        *,
        all_versions: bool,
        now: datetime,
        max_size: int | None = None,
    ) -> ArchiveResult:
        """Write the archive of `instance` to `destination`. With `max_size`, raises
        ArchiveTooBigError instead of writing one whose files clearly exceed it (and after
        writing, when the archive came out larger)."""
        versions = await self.history.versions(instance_id=instance.instance_id)
        plan = plan_archive(instance, versions, all_versions=all_versions, timezone=self.timezone)
        if max_size is not None:
            raw = sum(
                (e.size or 0) if isinstance(e, StoredEntry) else len(e.data) for e in plan.entries
            )
            # Office files are compressed already: what goes in is about what comes out.
            if raw > 2 * max_size:
                raise ArchiveTooBigError(instance, raw)

        book = None if self.workbook is None else await self.workbook(instance, now)

        def closing(missing: frozenset[str]) -> Sequence[ArchiveEntry]:
            if book is not None:
                name = t("archive-sheet-name") + ".xlsx"
                return [BytesEntry(name, book, local_time(now, self.timezone))]
            rows = tuple(
                SheetRow(r.unit, r.latest, r.entry, missing=r.entry in missing) for r in plan.rows
            )
            return [self.sheet(StatusSheet(instance, rows, now, self.timezone))]

        written = await self.writer.write(destination, plan.entries, closing=closing)
        if max_size is not None and written.size > max_size:
            raise ArchiveTooBigError(instance, written.size)
        return ArchiveResult(
            instance=instance,
            file_name=archive_file_name(instance),
            entries=len(plan.entries),
            size=written.size,
            missing=tuple(e.name for e in plan.entries if e.name in written.missing),
        )
