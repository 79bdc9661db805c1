"""The plan, as `baocao plan show|check|apply` work it: the plan applied, an uploaded plan
file checked with the same loader and words (problems with their line), what it would change,
and, once the Office confirms, applying it.

Between the check and the confirmation the plan's text travels in a hidden field of the
confirmation form, not in a file on the server: nothing is left to clean up when the Office
walks away, a restart in between loses nothing, and the text is checked again in full before
anything is written, so it is never trusted for having been checked once.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.core import formatting as fmt
from bot.core import texts
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.plan.errors import PlanInvalidError
from bot.core.plan.loader import MAX_PLAN_BYTES, plan_from_bytes, plan_from_data
from bot.core.plan.model import Plan, ReportSpec
from handlers.web.dashboard.common import actor, field_text, now, reader, round_label, worker
from handlers.web.pages import deps, form, render

# Starlette's form parser refuses a field over 1 MB by default; the hidden plan text may be as
# large as a plan file is allowed to be.
FIELD_LIMIT = MAX_PLAN_BYTES + 64 * 1024
NAME_LIMIT = 100  # characters of an uploaded file's name kept
SHOWN_KEYS = 8  # keys named in one line of changes


@dataclass(frozen=True, slots=True)
class InstanceLine:
    label: str
    deadline: str
    period: str
    reminders: list[str]


@dataclass(frozen=True, slots=True)
class ReportView:
    report: ReportSpec
    kind: str
    submitters: str
    receiver: str
    instances: list[InstanceLine]


@dataclass(frozen=True, slots=True)
class PlanView:
    """The plan as `baocao plan show` prints it."""

    plan: Plan
    file: str
    units: list[tuple[str, str, str, str]]  # key, name, short name, type in words
    reports: list[ReportView]


def plan_view(plan: Plan, file: str) -> PlanView:
    names = {unit.key: unit.short_name for unit in plan.units}
    reports = []
    for report in plan.reports:
        submitters = ", ".join(names[key] for key in report.submitters[:5])
        if len(report.submitters) > 5:
            submitters = t("cli-show-and-more", text=submitters, count=len(report.submitters) - 5)
        lines = []
        for instance in report.instances:
            reminders = texts.planned_reminders(instance)
            lines.append(
                InstanceLine(
                    label=round_label(instance.key),
                    deadline=fmt.deadline(instance.deadline),
                    period=fmt.period(instance.period),
                    reminders=reminders or [t("cli-show-no-reminders")],
                )
            )
        reports.append(
            ReportView(
                report=report,
                kind=t(f"report-kind-{report.kind.value}"),
                submitters=submitters,
                receiver=names[report.receiver],
                instances=lines,
            )
        )
    return PlanView(
        plan=plan,
        file=file,
        units=[
            (unit.key, unit.name, unit.short_name, t(f"unit-type-{unit.type.value}"))
            for unit in plan.units
        ],
        reports=reports,
    )


async def applied(request: Request) -> PlanView | None:
    stored = await deps(request).plans.applied()
    if stored is None:
        return None
    try:
        plan = plan_from_data(stored.data, stored.source, stored.path)
    except PlanInvalidError:
        return None
    return plan_view(plan, stored.path)


async def show(request: Request) -> Response:
    reader(request)
    return render(request, "dashboard/plan.html", view=await applied(request), done=[])


def upload_name(raw: str | None) -> str:
    """The uploaded file's own name, without any folder (either kind of slash), control
    characters or NUL, and not too long; "" when there is none."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return name[:NAME_LIMIT]


async def check(request: Request) -> Response:
    """Check an uploaded plan file; show its problems, or its warnings and what it would
    change with the form that applies it."""
    worker(request)
    if not await _parsed(request):
        return await _problems(request, [t("dash-plan-form-broken")])
    try:
        fields = await form(request)
        upload = fields.get("file")
        if not isinstance(upload, UploadFile) or not upload_name(upload.filename):
            return await _problems(request, [t("dash-plan-no-file")])
        name = upload_name(upload.filename)
        raw = await upload.read(MAX_PLAN_BYTES + 1)
        size = upload.size
    finally:
        await _close(request)
    return await _checked(request, raw, name, size)


async def _parsed(request: Request) -> bool:
    """Read the form with room for a whole plan in one field; False when the body is no form
    Starlette can read (cut off, malformed, a field over the limit)."""
    try:
        await request.form(max_part_size=FIELD_LIMIT)
    except HTTPException:
        return False
    return True


async def _close(request: Request) -> None:
    """Close the form's spooled files, read or refused: Starlette leaves that to the app."""
    await (await request.form()).close()


async def _checked(request: Request, raw: bytes, name: str, size: int | None) -> Response:
    try:
        plan = plan_from_bytes(raw, name, size=size, now=now(request))
    except PlanInvalidError as error:
        lines = [*error.render(), t("cli-plan-invalid", count=len(error.problems))]
        return await _problems(request, lines)
    warnings = [
        t("cli-warning", file=name, line=w.line or 1, text=t(w.key, **w.args))
        for w in plan.warnings
    ]
    current = await applied(request)
    summary = t(
        "cli-plan-ok",
        file=name,
        units=len(plan.units),
        reports=len(plan.reports),
        instances=sum(len(report.instances) for report in plan.reports),
        warnings=len(plan.warnings),
    )
    return render(
        request,
        "dashboard/plan_check.html",
        name=name,
        text=raw.decode("utf-8-sig"),
        summary=summary,
        warnings=warnings,
        changes=changes(current.plan if current else None, plan),
        view=plan_view(plan, name),
    )


async def _problems(request: Request, lines: list[str]) -> Response:
    return render(
        request,
        "dashboard/plan.html",
        status=400,
        view=await applied(request),
        problems=lines,
        done=[],
    )


async def apply(request: Request) -> Response:
    """Apply the plan text the confirmation form carries, checked again first."""
    signed_in = worker(request)
    if not await _parsed(request):
        return await _problems(request, [t("dash-plan-form-broken")])
    try:
        fields = await form(request)
    finally:
        await _close(request)  # a stray file part, if any: only the text fields are read
    name = upload_name(field_text(fields, "name")) or "ke-hoach.yaml"
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        return await _problems(request, [t("dash-plan-no-file")])
    raw = text.encode("utf-8")
    try:
        plan = plan_from_bytes(raw, name, now=now(request))
    except PlanInvalidError as error:
        lines = [*error.render(), t("cli-plan-invalid", count=len(error.problems))]
        return await _problems(request, lines)
    archive = field_text(fields, "archive") == "1"
    try:
        done = await deps(request).plans.apply(
            plan,
            path=t("dash-plan-uploaded-as", name=name),
            archive=archive,
            now=now(request),
            actor=actor(signed_in),
        )
    except UserError as error:
        return await _problems(request, [error.message()])
    return render(request, "dashboard/plan.html", view=await applied(request), done=done)


def changes(old: Plan | None, new: Plan) -> list[str]:
    """What applying `new` over `old` would change, one line per kind of change."""
    if old is None:
        return [t("dash-plan-change-first")]
    lines: list[str] = []
    old_units = {unit.key: unit for unit in old.units}
    new_units = {unit.key: unit for unit in new.units}
    _line(lines, "dash-plan-change-units-added", [k for k in new_units if k not in old_units])
    _line(lines, "dash-plan-change-units-dropped", [k for k in old_units if k not in new_units])
    _line(
        lines,
        "dash-plan-change-units-changed",
        [k for k, unit in new_units.items() if k in old_units and old_units[k] != unit],
    )
    old_reports = {report.key: report for report in old.reports}
    new_reports = {report.key: report for report in new.reports}
    _line(lines, "dash-plan-change-reports-added", [k for k in new_reports if k not in old_reports])
    dropped_reports = [k for k in old_reports if k not in new_reports]
    _line(lines, "dash-plan-change-reports-dropped", dropped_reports)
    _line(
        lines,
        "dash-plan-change-reports-changed",
        [k for k, r in new_reports.items() if k in old_reports and _differs(old_reports[k], r)],
    )
    added, dropped, moved = [], [], []
    for key, report in new_reports.items():
        before = {i.key: i for i in old_reports[key].instances} if key in old_reports else {}
        after = {i.key: i for i in report.instances}
        if key in old_reports:
            added += [f"{key}/{round_label(i)}" for i in after if i not in before]
            dropped += [f"{key}/{round_label(i)}" for i in before if i not in after]
            moved += [
                f"{key}/{round_label(i)}"
                for i, spec in after.items()
                if i in before and before[i].deadline != spec.deadline
            ]
    _line(lines, "dash-plan-change-instances-added", added)
    _line(lines, "dash-plan-change-instances-dropped", dropped)
    _line(lines, "dash-plan-change-instances-moved", moved)
    return lines or [t("dash-plan-change-none")]


def _differs(old: ReportSpec, new: ReportSpec) -> bool:
    """Whether a report changed in what it asks (its rounds are compared on their own)."""
    fields = ("name", "kind", "submitters", "receiver", "reminder_rules", "depends_on")
    return any(getattr(old, name) != getattr(new, name) for name in fields)


def _line(lines: list[str], key: str, keys: Sequence[str]) -> None:
    if keys:
        lines.append(t(key, count=len(keys), keys=_some(keys)))


def _some(keys: Iterable[str]) -> str:
    listed = list(keys)
    shown = ", ".join(listed[:SHOWN_KEYS])
    extra = len(listed) - SHOWN_KEYS
    return t("apply-and-more", keys=shown, count=extra) if extra > 0 else shown


def routes() -> list[BaseRoute]:
    return [
        Route("/van-phong/ke-hoach", show, name="dashboard-plan"),
        Route("/van-phong/ke-hoach/kiem-tra", check, methods=["POST"], name="dashboard-plan-check"),
        Route("/van-phong/ke-hoach/ap-dung", apply, methods=["POST"], name="dashboard-plan-apply"),
    ]
