"""The open report rounds: the overview, one round unit by unit, its chart, its downloads, and
one unit's history across rounds."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core.archive import ArchiveTooBigError
from bot.core.chart import progress_chart
from bot.core.errors import UserError
from bot.core.export_desk import ExportWriteError
from bot.core.i18n import t
from bot.core.model import InstanceStatus, SubmissionState, UnitStatus
from bot.core.office import ContactView
from bot.core.statusbook import RegisterEntry
from bot.core.usecases.compiling import file_name as draft_file_name
from handlers.web.context import WebDeps, WebUser
from handlers.web.dashboard.common import (
    actor,
    find_round,
    now,
    reader,
    round_label,
    send_file,
    worker,
)
from handlers.web.pages import Refused, deps, render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """One round as the overview lists it."""

    status: InstanceStatus
    label: str
    deadline: str
    total: int
    reported: int
    late: int  # reported after the deadline
    overdue: int  # not reported, deadline passed
    waiting: int  # not reported, still in time


def summarise(status: InstanceStatus) -> RoundSummary:
    return RoundSummary(
        status=status,
        label=round_label(status.instance_key),
        deadline=fmt.deadline(status.deadline),
        total=len(status.units),
        reported=sum(1 for unit in status.units if unit.submitted),
        late=status.count(SubmissionState.LATE),
        overdue=status.count(SubmissionState.MISSING),
        waiting=status.count(SubmissionState.PENDING),
    )


def timeliness(state: SubmissionState, late_by: timedelta | None) -> str:
    """On time, late by how long, not yet, or overdue by how long: as the CLI says it."""
    late = fmt.duration(late_by) if late_by is not None else ""
    return t(f"status-{state.value}", late=late)


# The colour of each state on a round's page (classes of style.css).
STATE_CLASS = {
    SubmissionState.ON_TIME: "ok",
    SubmissionState.LATE: "late",
    SubmissionState.MISSING: "missing",
    SubmissionState.PENDING: "muted",
}


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit's line on a round's page."""

    unit: UnitStatus
    timeliness: str
    css: str
    when: str
    receipt: str
    contacts: str


def unit_rows(
    status: InstanceStatus,
    entries: Sequence[RegisterEntry],
    contacts: dict[str, list[str]],
    tz: ZoneInfo,
) -> list[UnitRow]:
    """Every unit of the round with its latest receipt and its contacts, from two lists read
    once for the whole round (no query per unit)."""
    latest: dict[str, RegisterEntry] = {}
    for entry in entries:  # oldest first: the last one seen is the latest
        latest[entry.unit_key] = entry
    # Most units share their words (on time; not yet, in time; overdue by the same days):
    # each is formatted once, not two thousand times.
    words: dict[tuple[SubmissionState, timedelta | None], str] = {}
    rows = []
    for unit in status.units:
        found = latest.get(unit.unit_key)
        said = (unit.state, _to_minute(unit.late_by))
        if said not in words:
            words[said] = timeliness(*said)
        rows.append(
            UnitRow(
                unit=unit,
                timeliness=words[said],
                css=STATE_CLASS[unit.state],
                when=fmt.moment(unit.latest_at, tz) if unit.latest_at else "",
                receipt=found.receipt_code if found else "",
                contacts=", ".join(contacts.get(unit.unit_key, ())),
            )
        )
    return rows


def rows_html(rows: Sequence[UnitRow]) -> Markup:
    """The round's table body. Written here rather than in the template: Jinja's autoescape
    wraps every value it prints, and for 2,000 units x 6 cells that was most of the page's
    time; markupsafe's `escape` (its C speed-up) on the same values costs a few milliseconds."""
    # Each cell names its column, for phones, where the rows stack and the header is hidden.
    when, version, receipt, people = (
        escape(t(key))
        for key in ("cli-col-when", "cli-col-version", "dash-col-receipt", "dash-col-contacts")
    )
    lines = []
    for row in rows:
        unit = row.unit
        number = "" if unit.latest_version is None else str(unit.latest_version)
        code = f"<code>{escape(row.receipt)}</code>" if row.receipt else ""
        lines.append(
            f'<tr><td><a href="/van-phong/don-vi/{quote(unit.unit_key)}">'
            f"{escape(unit.unit_name)}</a></td>"
            f'<td class="{row.css}">{escape(row.timeliness)}</td>'
            f'<td data-label="{when}">{escape(row.when)}</td>'
            f'<td data-label="{version}">{number}</td>'
            f'<td data-label="{receipt}">{code}</td>'
            f'<td data-label="{people}">{escape(row.contacts)}</td></tr>'
        )
    return Markup("\n".join(lines))


def _to_minute(late_by: timedelta | None) -> timedelta | None:
    """A delay as `fmt.duration` reads it: whole minutes."""
    return None if late_by is None else timedelta(minutes=late_by // timedelta(minutes=1))


async def overview(request: Request) -> Response:
    reader(request)
    statuses = await deps(request).office.status(report_key=None, now=now(request))
    return render(request, "dashboard/overview.html", rounds=[summarise(s) for s in statuses])


async def round_page(request: Request) -> Response:
    reader(request)
    web = deps(request)
    status = await find_round(request, request.path_params["instance_id"])
    register = web.exports.register
    entries = await register.register(instance_ids=[status.instance_id])
    contacts = await register.unit_contacts()
    return render(
        request,
        "dashboard/round.html",
        round=summarise(status),
        rows=rows_html(unit_rows(status, entries, contacts, web.settings.timezone)),
    )


async def chart(request: Request) -> Response:
    """The round's progress chart, drawn for this request in a worker thread (matplotlib
    blocks for a tenth of a second) into a staged file that is read and removed."""
    reader(request)
    web = deps(request)
    status = await find_round(request, request.path_params["instance_id"])
    picture = progress_chart(status, now=now(request), tz=web.settings.timezone)
    path = _staging(web, ".png")
    try:
        await asyncio.to_thread(web.charts.render, picture, path)
        data = await asyncio.to_thread(path.read_bytes)
    except OSError:
        raise Refused("dash-download-failed", status=500) from None
    finally:
        _discard(web, path)
    return Response(data, media_type="image/png", headers={"cache-control": "no-store"})


async def downloaded(
    request: Request, signed_in: WebUser, action: str, status: InstanceStatus, **detail: object
) -> None:
    """Record a download from the dashboard in the audit trail, as exports from the CLI and
    chat are: who took which round's data."""
    web = deps(request)
    if web.audit_log is not None:
        await web.audit_log.audit(
            actor=actor(signed_in),
            action=action,
            detail={"report": status.report_key, "instance": status.instance_key, **detail},
            now=now(request),
        )


async def excel(request: Request) -> Response:
    """The round's status workbook, as `baocao export --xlsx` writes it."""
    signed_in = reader(request)
    web = deps(request)
    status = await find_round(request, request.path_params["instance_id"])
    path = _staging(web, ".xlsx")
    try:
        done = await web.exports.write(
            report_key=status.report_key,
            instance_key=status.instance_key,
            path=path,
            now=now(request),
            tz=web.settings.timezone,
        )
        await downloaded(request, signed_in, "export.xlsx", status)
        return send_file(path, name=done.file_name, media_type=XLSX)
    except UserError as error:
        raise Refused(error.key, status=404, **error.params) from None
    except (ExportWriteError, OSError):
        raise Refused("dash-download-failed", status=500) from None
    finally:
        _discard(web, path)


async def archive(request: Request) -> Response:
    """The round's files in one zip (the latest version of each unit, or every version with
    ?tat-ca=1), with the status workbook, as `baocao export --zip` writes it."""
    signed_in = reader(request)
    web = deps(request)
    status = await find_round(request, request.path_params["instance_id"])
    every = request.query_params.get("tat-ca") == "1"
    path = _staging(web, ".zip")
    try:
        done = await web.archives.export(status, path, all_versions=every, now=now(request))
        await downloaded(request, signed_in, "export.zip", status, all_versions=every)
        return send_file(path, name=done.file_name, media_type="application/zip")
    except (ArchiveTooBigError, OSError):
        raise Refused("dash-download-failed", status=500) from None
    finally:
        _discard(web, path)


async def draft(request: Request) -> Response:
    """The round's compiled Word draft. Office only, as /tonghop is in chat."""
    worker(request)
    web = deps(request)
    status = await find_round(request, request.path_params["instance_id"])
    path = _staging(web, ".docx")
    try:
        done = await web.drafts.compile(
            report_key=status.report_key,
            instance_key=status.instance_key,
            target=path,
            now=now(request),
            tz=web.settings.timezone,
        )
        return send_file(path, name=draft_file_name(done), media_type=DOCX)
    except UserError as error:
        raise Refused(error.key, status=404, **error.params) from None
    except OSError:
        raise Refused("dash-download-failed", status=500) from None
    finally:
        _discard(web, path)


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One version a unit sent, on its history page."""

    entry: RegisterEntry
    when: str
    kind: str
    name: str
    timeliness: str


@dataclass(frozen=True, slots=True)
class UnitRound:
    summary: RoundSummary
    unit: UnitStatus
    timeliness: str
    versions: list[VersionRow]


async def unit_page(request: Request) -> Response:
    """A unit's history: every open round it reports to, every version it sent, and who
    speaks for it."""
    reader(request)
    web = deps(request)
    key = request.path_params["unit_key"]
    statuses = await web.office.status(report_key=None, now=now(request))
    mine = [(status, unit) for status in statuses for unit in status.units if unit.unit_key == key]
    entries = await web.exports.register.register(instance_ids=[s.instance_id for s, _ in mine])
    people = [c for c in await web.office.list_contacts() if c.unit_key == key]
    if not mine and not people:
        raise Refused("dash-unit-unknown", status=404, unit=key)
    tz = web.settings.timezone
    by_round: dict[int, list[VersionRow]] = {}
    for entry in entries:
        if entry.unit_key == key:
            by_round.setdefault(entry.instance_id, []).append(_version_row(entry, mine, tz))
    rounds = [
        UnitRound(
            summary=summarise(status),
            unit=unit,
            timeliness=timeliness(unit.state, unit.late_by),
            versions=by_round.get(status.instance_id, []),
        )
        for status, unit in mine
    ]
    name = mine[0][1].unit_name if mine else people[0].unit_name
    return render(
        request,
        "dashboard/unit.html",
        unit_key=key,
        unit_name=name,
        rounds=rounds,
        people=[_person(c, tz) for c in people],
    )


def _version_row(
    entry: RegisterEntry, mine: Sequence[tuple[InstanceStatus, UnitStatus]], tz: ZoneInfo
) -> VersionRow:
    due_end = next(s.due_end for s, _ in mine if s.instance_id == entry.instance_id)
    late = entry.submitted_at - due_end if entry.submitted_at >= due_end else None
    state = SubmissionState.LATE if late is not None else SubmissionState.ON_TIME
    return VersionRow(
        entry=entry,
        when=fmt.moment(entry.submitted_at, tz),
        kind=t(f"dash-kind-{entry.kind.value}"),
        name=entry.original_name or "",
        timeliness=timeliness(state, late),
    )


@dataclass(frozen=True, slots=True)
class Person:
    contact: ContactView
    role: str
    since: str
    state: str


def _person(contact: ContactView, tz: ZoneInfo) -> Person:
    return Person(
        contact=contact,
        role=t(f"role-{contact.role.value}"),
        since=fmt.moment(contact.created_at, tz),
        state=t("contact-active" if contact.active else "contact-removed"),
    )


def _staging(web: WebDeps, suffix: str) -> Path:
    return web.core.context.files.staging_path(suffix)


def _discard(web: WebDeps, path: Path) -> None:
    web.core.context.files.discard(path)


def routes() -> list[BaseRoute]:
    base = "/van-phong/bao-cao/{instance_id:int}"
    return [
        Route("/van-phong", overview, name="dashboard"),
        Route(base, round_page, name="dashboard-round"),
        Route(base + "/bieu-do.png", chart, name="dashboard-chart"),
        Route(base + "/tai-ve/excel", excel, name="dashboard-excel"),
        Route(base + "/tai-ve/zip", archive, name="dashboard-zip"),
        Route(base + "/tai-ve/tong-hop", draft, name="dashboard-draft"),
        Route("/van-phong/don-vi/{unit_key}", unit_page, name="dashboard-unit"),
    ]
