"""The `baocao` command: check and apply the plan, invite contacts, see who has reported."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import math
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from pydantic import ValidationError
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from bot.cli_audit import register as register_audit
from bot.cli_backup import register as register_backup
from bot.cli_personal import register as register_personal
from bot.cli_webhook import register as register_webhook
from bot.config import SEED_PLAN, Settings, unknown_names
from bot.core import formatting as fmt
from bot.core import texts
from bot.core.errors import UserError
from bot.core.i18n import t
from bot.core.plan.errors import PlanInvalidError
from bot.core.plan.loader import load_plan, plan_from_data
from bot.core.plan.model import Deadline, Plan, Role, UnitType

T = TypeVar("T")

if TYPE_CHECKING:
    from bot.app import Runtime
    from bot.core.usecases import ReportBot
    from storage.status import InstanceStatus, UnitStatus

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_BAD_INPUT = 2
# Numbers the database can hold: a row id is a 32-bit integer on PostgreSQL, and SQLite
# overflows past 64 bits. Beyond them a typo is a usage mistake, not a crash.
MAX_ID = 2**31 - 1
MAX_LIMIT = 1_000_000

_METAVARS: dict[str, Any] = {
    "options_metavar": t("cli-metavar-options"),
    "subcommand_metavar": t("cli-metavar-command"),
}
app = typer.Typer(help=t("cli-help"), no_args_is_help=True, add_completion=False, **_METAVARS)
plan_app = typer.Typer(help=t("cli-plan-help"), no_args_is_help=True, **_METAVARS)
db_app = typer.Typer(help=t("cli-db-help"), no_args_is_help=True, **_METAVARS)
contact_app = typer.Typer(help=t("cli-contact-help"), no_args_is_help=True, **_METAVARS)
web_app = typer.Typer(help=t("cli-web-help"), no_args_is_help=True, **_METAVARS)
app.add_typer(plan_app, name="plan")
app.add_typer(db_app, name="db")
app.add_typer(contact_app, name="contact")
app.add_typer(web_app, name="web")
register_backup(app)  # backup, restore, verify
register_webhook(app)  # webhook set, delete, info
register_audit(app)  # audit, audit verify
register_personal(contact_app)  # contact export, contact forget


def fail(text: str) -> NoReturn:
    """Tell the user what is wrong with what they gave, and stop with status 2."""
    err.print(text, markup=False)
    raise typer.Exit(EXIT_BAD_INPUT)


# Settings whose mistakes deserve more than "this value is not valid": the forms accepted.
# A database URL is not repeated back: it may carry a password.
_SETTING_ERRORS = {
    "baocao_database_url": "cli-error-database-url",
    "baocao_api_url": "cli-error-telegram-api-url",
    "baocao_token": "cli-error-telegram-token",
    "baocao_bot_username": "cli-error-bot-username",
    "baocao_public_url": "cli-error-public-url",
    "baocao_zalo_token": "cli-error-zalo-token",
    "baocao_zalo_api_url": "cli-error-zalo-api-url",
    "baocao_zalo_webhook_secret": "cli-error-zalo-webhook-secret",
    "baocao_telegram_webhook_secret": "cli-error-telegram-webhook-secret",
    "baocao_zalo_bot_link": "cli-error-zalo-bot-link",
    "baocao_backup_keep": "cli-error-backup-keep",
}


def settings(*, data_needed: bool = False) -> Settings:
    """The settings, or one line naming the first one that is wrong, and status 2.

    `data_needed`: the command only reads or changes what is there, so a data folder without
    a database is the wrong folder (or no plan applied yet), said before one is made.
    """
    try:
        unknown = unknown_names()
        config = Settings()
    except UnicodeDecodeError:  # .env saved in another encoding (UTF-16 by some editors)
        fail(t("cli-error-env-encoding"))
    except ValidationError as error:
        first = error.errors()[0]
        name = "BAOCAO_" + str(first["loc"][0]).upper() if first["loc"] else "BAOCAO_*"
        if first["type"] == "baocao_admins":
            fail(t("cli-error-admins", value=str((first.get("ctx") or {})["entry"])))
        if first["type"] == "baocao_database_folder":
            fail(t("cli-error-database-folder", folder=str((first.get("ctx") or {})["folder"])))
        if first["type"] == "baocao_timezone":
            fail(t("cli-error-timezone", value=str(first["input"])))
        if first["type"] == "baocao_trust_roots":
            fail(t("cli-error-trust-roots", path=str(first["input"])))
        if first["type"] == "baocao_data_dir":
            fail(t("cli-error-data-dir", folder=str(first["input"])))
        if first["type"] == "baocao_backup_dir":
            fail(t("cli-error-backup-dir", folder=str(first["input"])))
        fail(t(_SETTING_ERRORS.get(first["type"], "cli-error-setting"), name=name))
    if unknown:  # said even when the settings load: the name meant is left at its default
        written, meant = unknown[0]
        if meant is None:
            fail(t("cli-error-unknown-setting-no-match", name=written))
        fail(t("cli-error-unknown-setting", name=written, meant=meant))
    if data_needed:
        need_data(config)
    return config


def need_data(config: Settings) -> None:
    if not has_data(config):
        fail(t("cli-error-no-data-here", folder=str(config.data_dir.resolve())))


def has_data(config: Settings) -> bool:
    """Whether there is a database to read: a configured URL, or the data folder's SQLite."""
    try:
        return config.database_url is not None or (config.data_dir / "baocao.db").is_file()
    except OSError:  # cannot even look (another user's folder): opening it will say why
        return True


def local_zone(config: Settings) -> ZoneInfo:
    try:
        return ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(t("cli-error-timezone", value=config.timezone))


def now() -> datetime:
    return datetime.now(UTC)


def _database_error() -> type[Exception]:
    from sqlalchemy.exc import DBAPIError

    return DBAPIError


def run(coroutine_factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one use case; what the user got wrong becomes a message and status 2."""
    try:
        return asyncio.run(coroutine_factory())
    except UserError as error:  # a storage refusal too: one error type, one catalog key
        fail(error.message())
    except (OSError, _database_error()) as error:
        from storage.db import database_problem

        config = Settings()  # loaded before; the URL without making the data folder again
        url = config.database_url or f"sqlite+aiosqlite:///{config.data_dir / 'baocao.db'}"
        key, args = database_problem(error, url)
        fail(t(key, **args))


def plan_id(typed: str) -> str:
    """A unit or report id as typed: ids are lower case by the plan's rule, so capitals and
    the spaces a copy from a table brings cannot mean another one."""
    return typed.strip().lower()


def read_plan(path: Path) -> Plan:
    try:
        # Given the time, the plan warns about its deadlines already past (an old year's plan).
        return load_plan(path, now=now())
    except PlanInvalidError as error:
        for line in error.render():
            err.print(line, markup=False)
        err.print(t("cli-plan-invalid", count=len(error.problems)), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def print_warnings(plan: Plan, file: str) -> None:
    for warning in plan.warnings:
        text = t(warning.key, **warning.args)
        line = t("cli-warning", file=file, line=warning.line or 1, text=text)
        err.print(line, markup=False)


# ---- plan ---------------------------------------------------------------------------------------


@plan_app.command(
    "check", help=t("cli-plan-check-help"), options_metavar=_METAVARS["options_metavar"]
)
def plan_check(
    file: Annotated[
        Path, typer.Argument(metavar=t("cli-metavar-file"), help=t("cli-arg-plan-file"))
    ],
) -> None:
    plan = read_plan(file)
    print_warnings(plan, str(file))
    instances = sum(len(report.instances) for report in plan.reports)
    out.print(
        t(
            "cli-plan-ok",
            file=str(file),
            units=len(plan.units),
            reports=len(plan.reports),
            instances=instances,
            warnings=len(plan.warnings),
        ),
        markup=False,
    )


@plan_app.command(
    "apply", help=t("cli-plan-apply-help"), options_metavar=_METAVARS["options_metavar"]
)
def plan_apply(
    file: Annotated[
        Path, typer.Argument(metavar=t("cli-metavar-file"), help=t("cli-arg-plan-file"))
    ],
    archive: Annotated[bool, typer.Option("--archive", help=t("cli-opt-archive"))] = False,
) -> None:
    from bot.services import apply_plan_file

    config = settings()  # a mistyped setting is named before the plan's own warnings
    plan = read_plan(file)
    print_warnings(plan, str(file))
    result = run(lambda: apply_plan_file(config, plan, path=str(file), archive=archive, at=now()))
    for line in result:
        out.print(line, markup=False)


@plan_app.command(
    "show", help=t("cli-plan-show-help"), options_metavar=_METAVARS["options_metavar"]
)
def plan_show(
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar=t("cli-metavar-file-optional"), help=t("cli-arg-plan-file-optional")
        ),
    ] = None,
) -> None:
    if file is not None:
        plan, source = read_plan(file), str(file)
    else:
        from bot.services import applied_plan

        config = settings(data_needed=True)
        stored = run(lambda: applied_plan(config))
        if stored is None:
            fail(t("cli-error-no-plan-applied"))
        source = stored.path
        try:
            plan = plan_from_data(stored.data, stored.source, source)
        except PlanInvalidError:
            fail(t("cli-error-stored-plan-invalid", file=source))
    show_plan(plan, source)


def print_list(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain aligned list, for lists that may run to thousands of rows (a rich Table is slow).

    Columns are padded by their width on screen, so Vietnamese letters line up.
    """
    titles = [t(header) for header in headers]
    widths = [cell_len(title) for title in titles]
    for row in rows:
        widths = [max(width, cell_len(cell)) for width, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths, strict=True)
        ]
        return "  ".join(padded).rstrip()

    text = [line(titles), "  ".join("─" * width for width in widths)]
    text.extend(line(row) for row in rows)
    out.print("\n".join(text), markup=False, highlight=False)


def show_plan(plan: Plan, source: str) -> None:
    out.print(t("cli-show-title", name=plan.organisation.name, file=source), markup=False)
    out.print(t("cli-show-units", count=len(plan.units)), markup=False)
    unit_types = {kind: t(f"unit-type-{kind.value}") for kind in UnitType}
    print_list(
        ("cli-col-id", "cli-col-name", "cli-col-short-name", "cli-col-unit-type"),
        [(unit.key, unit.name, unit.short_name, unit_types[unit.type]) for unit in plan.units],
    )
    names = {unit.key: unit.short_name for unit in plan.units}
    for report in plan.reports:
        out.print()
        submitters = ", ".join(names[key] for key in report.submitters[:5])
        if len(report.submitters) > 5:
            submitters = t("cli-show-and-more", text=submitters, count=len(report.submitters) - 5)
        out.print(
            t(
                "cli-show-report",
                id=report.key,
                name=report.name,
                kind=t(f"report-kind-{report.kind.value}"),
                submitters=submitters,
                receiver=names[report.receiver],
            ),
            markup=False,
        )
        if report.depends_on:
            out.print(t("cli-show-depends", reports=", ".join(report.depends_on)), markup=False)
        table = Table(show_lines=False)
        for header in (
            "cli-col-instance",
            "cli-col-deadline",
            "cli-col-period",
            "cli-col-reminders",
        ):
            table.add_column(t(header))
        for instance in report.instances:
            reminders = texts.planned_reminders(instance)
            table.add_row(
                t("instance-once") if instance.key == "once" else instance.key,
                fmt.deadline(instance.deadline),
                fmt.period(instance.period),
                "\n".join(reminders) or t("cli-show-no-reminders"),
            )
        out.print(table)


# ---- calendar -----------------------------------------------------------------------------------


@app.command("calendar", help=t("cli-calendar-help"), options_metavar=_METAVARS["options_metavar"])
def calendar(
    year: Annotated[
        int,
        typer.Argument(metavar=t("cli-metavar-year"), help=t("cli-arg-year"), min=2000, max=2099),
    ],
    file: Annotated[
        Path | None,
        typer.Option("--plan", metavar=t("cli-metavar-file"), help=t("cli-opt-calendar-plan")),
    ] = None,
) -> None:
    from bot.core.rules.calendar import WorkingCalendar, package_version

    source = "-"
    spec = None
    if file is not None:
        plan = read_plan(file)
        spec, source = plan.calendar, str(file)
    else:
        from bot.services import applied_plan

        config = settings()
        # Without data the calendar is the law's and the announced swaps', and makes none.
        stored = run(lambda: applied_plan(config)) if has_data(config) else None
        if stored is not None:
            try:
                spec = plan_from_data(stored.data, stored.source, stored.path).calendar
            except PlanInvalidError:
                fail(t("cli-error-stored-plan-invalid", file=stored.path))
            source = stored.path
    working_calendar = WorkingCalendar() if spec is None else WorkingCalendar.from_spec(spec)
    days = working_calendar.special_days(year)
    out.print(
        t("cli-calendar-title", year=str(year), version=package_version(), plan=source),
        markup=False,
    )
    rows = []
    for day in days:
        if not day.working:
            kind = "cli-calendar-off"
        elif day.day.weekday() >= 5:
            kind = "cli-calendar-makeup"
        else:
            kind = "cli-calendar-working"
        basis = (
            t("cli-calendar-package-too", source=day.source) if day.package_agrees else day.source
        )
        rows.append((fmt.day_with_weekday(day.day), t(kind), day.name, basis))
    print_list(("cli-col-date", "cli-col-day-kind", "cli-col-day-name", "cli-col-basis"), rows)
    weekdays_off = sum(1 for day in days if not day.working and day.day.weekday() < 5)
    makeup = sum(1 for day in days if day.working and day.day.weekday() >= 5)
    out.print(
        t("cli-calendar-summary", year=str(year), off=weekdays_off, makeup=makeup), markup=False
    )


# ---- invites ------------------------------------------------------------------------------------


# `baocao invite revoke CODE`: the word takes the unit's place, so that invite stays one command.
REVOKE = "revoke"
INVITE_SAMPLE = "sample"  # a code for asking, before an invite is made, whether links work
ROLE_CHOICES = "|".join(role.value for role in Role)


@app.command("invite", help=t("cli-invite-help"), options_metavar=_METAVARS["options_metavar"])
def invite(
    unit: Annotated[
        str | None, typer.Argument(metavar=t("cli-metavar-unit"), help=t("cli-arg-unit"))
    ] = None,
    code: Annotated[
        str | None,
        typer.Argument(metavar=t("cli-metavar-invite-code"), help=t("cli-arg-invite-code")),
    ] = None,
    role: Annotated[
        str, typer.Option("--role", metavar=ROLE_CHOICES, help=t("cli-opt-role"))
    ] = Role.HEAD.value,
    days: Annotated[
        int | None, typer.Option("--days", min=1, max=365, help=t("cli-opt-days"))
    ] = None,
    qr: Annotated[Path | None, typer.Option("--qr", help=t("cli-opt-qr"))] = None,
    same_as: Annotated[
        int | None,
        typer.Option(
            "--same-as",
            metavar=t("cli-metavar-contact"),
            help=t("cli-opt-same-as"),
            min=1,
            max=MAX_ID,
        ),
    ] = None,
) -> None:
    from bot.platforms import invite_links, zalo_invites
    from bot.services import create_invite, qr_problem

    config = settings()
    tz = local_zone(config)
    if unit == REVOKE:
        if code is None:
            fail(t("cli-invite-revoke-no-code"))
        need_data(config)
        revoke(config, code.strip(), tz)
        return
    if code is not None:
        fail(t("cli-invite-extra-argument", value=code))
    if unit is None and same_as is None:
        fail(t("cli-invite-no-unit"))
    if unit is not None and same_as is not None:
        fail(t("cli-invite-same-as-unit", contact=str(same_as), value=unit))
    try:
        chosen = Role(role.strip().lower())
    except ValueError:
        roles = ", ".join(f"{choice.value} ({t(f'role-{choice.value}')})" for choice in Role)
        fail(t("cli-error-role", value=role, roles=roles))
    problem = None if qr is None else qr_problem(qr)
    if problem is not None:
        key, args = problem
        fail(t(key, **args))
    need_data(config)  # after the arguments' own mistakes, before asking Telegram
    links = invite_links(config)
    zalo = zalo_invites(config)

    def link_for(code: str) -> str | None:
        return None if links is None else run(lambda: links.invite_link(code))

    # Asked before the invite is made (getMe, when the username is not set), so that a bot
    # that cannot be reached leaves no code behind; the platform remembers the answer.
    sample = link_for(INVITE_SAMPLE)
    zalo_name = None if zalo is None else run(zalo.bot_name)
    if sample is None and qr is not None and zalo is None:
        fail(t("cli-error-qr-needs-username"))
    ttl = timedelta(days=days or config.invite_days)
    key = "" if unit is None else plan_id(unit)
    created = run(
        lambda: create_invite(config, unit_key=key, role=chosen, ttl=ttl, at=now(), same_as=same_as)
    )
    out.print(
        t(
            "cli-invite-created",
            unit=created.unit_name,
            role=t(f"role-{created.role}"),
            code=created.code,
            expires=fmt.moment(created.expires_at, tz),
        ),
        markup=False,
    )
    link = None if sample is None else link_for(created.code)
    if link is None and (zalo is None or config.telegram_token is not None):
        out.print(t("cli-invite-no-username", code=created.code), markup=False)
    if link is not None:
        out.print(t("cli-invite-link", link=link), markup=False)
        if qr is not None:
            write_invite_qr(link, qr)
            out.print(t("cli-invite-qr-written", file=str(qr)), markup=False)
    if zalo is not None:
        # Zalo has no link that carries a code: the person finds the bot and sends the code.
        out.print(t("cli-invite-zalo", name=zalo_name or "baocao", code=created.code), markup=False)
        if zalo.link is not None:
            out.print(t("cli-invite-zalo-link", link=zalo.link), markup=False)
        if qr is not None:
            target = qr if link is None else qr.with_name(f"{qr.stem}-zalo{qr.suffix}")
            write_invite_qr(zalo.link or created.code, target)
            key = "cli-invite-zalo-qr-link" if zalo.link else "cli-invite-zalo-qr-code"
            out.print(t(key, file=str(target)), markup=False)


def write_invite_qr(content: str, path: Path) -> None:
    from bot.services import write_qr

    try:
        write_qr(content, path)
    except OSError:  # the folder changed since it was checked (full, removed)
        fail(t("cli-error-qr-write-failed", file=str(path)))


def revoke(config: Settings, code: str, tz: ZoneInfo) -> None:
    from bot.services import revoke_invite

    at = now()
    view, just_now = run(lambda: revoke_invite(config, code=code, at=at))
    if not just_now:
        revoked = fmt.moment(view.revoked_at or at, tz)
        out.print(t("cli-invite-revoked-before", code=view.code, when=revoked), markup=False)
        return
    out.print(
        t("cli-invite-revoked", code=view.code, unit=view.unit_name, role=t(f"role-{view.role}")),
        markup=False,
    )


@app.command("invites", help=t("cli-invites-help"), options_metavar=_METAVARS["options_metavar"])
def invites(
    show_all: Annotated[bool, typer.Option("--all", help=t("cli-opt-invites-all"))] = False,
) -> None:
    from bot.services import list_invites

    config = settings(data_needed=True)
    tz = local_zone(config)
    rows = run(lambda: list_invites(config, at=now()))
    if not show_all:
        rows = [row for row in rows if row.status == "open"]
    if not rows:
        out.print(t("cli-invites-none" if show_all else "cli-invites-none-open"), markup=False)
        return
    print_list(
        INVITE_COLUMNS,
        [
            (
                row.code,
                row.unit_name,
                t(f"role-{row.role}"),
                t(f"invite-status-{row.status}"),
                fmt.moment(row.expires_at, tz),
                row.used_by_name or "",
            )
            for row in rows
        ],
    )


INVITE_COLUMNS = (
    "cli-col-code",
    "cli-col-unit",
    "cli-col-role",
    "cli-col-status",
    "cli-col-expires",
    "cli-col-used-by",
)


# ---- status -------------------------------------------------------------------------------------


@app.command("status", help=t("cli-status-help"), options_metavar=_METAVARS["options_metavar"])
def status(
    report: Annotated[
        str | None, typer.Argument(metavar=t("cli-metavar-report"), help=t("cli-arg-report"))
    ] = None,
) -> None:
    from bot.services import report_status

    config = settings(data_needed=True)
    tz = local_zone(config)
    at = now()
    key = None if report is None else plan_id(report)
    instances = run(lambda: report_status(config, report_key=key, at=at))
    if not instances:
        out.print(t("cli-status-empty"), markup=False)
        return
    print_status(instances, tz)


def print_status(instances: Sequence[InstanceStatus], tz: ZoneInfo) -> None:
    for instance in instances:
        deadline = Deadline(instance.due_kind, instance.due_day, instance.due_time)
        out.print(
            t(
                "cli-status-title",
                name=instance.report_name,
                instance=instance_name(instance.instance_key),
                deadline=fmt.deadline(deadline),
                done=sum(1 for row in instance.units if row.submitted),
                total=len(instance.units),
            ),
            markup=False,
        )
        print_list(STATUS_COLUMNS, [status_cells(row, tz) for row in instance.units])
        print_signatures(instance, tz)
        out.print()


def print_signatures(instance: InstanceStatus, tz: ZoneInfo) -> None:
    """Who signed each unit's latest PDF, under the table (nothing for unsigned files)."""
    from bot.core.signatures import signature_text

    for row in instance.units:
        for check in row.signatures:
            line = signature_text(check, tz)
            out.print(
                t("cli-signature-line", unit=row.unit_name, version=row.latest_version, line=line),
                markup=False,
            )


STATUS_COLUMNS = (
    "cli-col-unit",
    "cli-col-submitted",
    "cli-col-when",
    "cli-col-version",
    "cli-col-timeliness",
)


def instance_name(key: str) -> str:
    return t("instance-once") if key == "once" else key


def status_cells(row: UnitStatus, tz: ZoneInfo) -> tuple[str, ...]:
    late = fmt.duration(row.late_by) if row.late_by is not None else ""
    timeliness = t(f"status-{row.state.value}", late=late)
    if row.latest_at is None:
        return (row.unit_name, t("status-no"), "", "", timeliness)
    return (
        row.unit_name,
        t("status-yes"),
        fmt.moment(row.latest_at, tz),
        str(row.latest_version),
        timeliness,
    )


# ---- export --------------------------------------------------------------------------------------


@app.command("export", help=t("cli-export-help"), options_metavar=_METAVARS["options_metavar"])
def export(
    report: Annotated[
        str, typer.Argument(metavar=t("cli-metavar-report"), help=t("cli-arg-export-report"))
    ],
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", metavar=t("cli-metavar-file"), help=t("cli-opt-export-xlsx")),
    ] = None,
    zip_file: Annotated[
        Path | None,
        typer.Option("--zip", metavar=t("cli-metavar-file"), help=t("archive-cli-opt-zip")),
    ] = None,
    all_versions: Annotated[
        bool, typer.Option("--all-versions", help=t("archive-cli-opt-all-versions"))
    ] = False,
    instance: Annotated[
        str | None,
        typer.Option(
            "--instance", metavar=t("cli-metavar-instance"), help=t("cli-opt-export-instance")
        ),
    ] = None,
) -> None:
    from bot.services import output_problem

    config = settings()
    key = plan_id(report)
    if xlsx is None and zip_file is None:
        fail(t("cli-export-no-file", report=key))
    for path, example in ((xlsx, "tinh-hinh.xlsx"), (zip_file, "bao-cao.zip")):
        problem = None if path is None else output_problem(path, example=example)
        if problem is not None:
            name, args = problem
            fail(t(name, **args))
    need_data(config)
    at = now()
    round_key = None if instance is None else instance.strip()
    if xlsx is not None:
        export_workbook(config, key, round_key, xlsx, at)
    if zip_file is not None:
        export_archive(config, key, round_key, zip_file, all_versions, at)


def export_workbook(
    config: Settings, key: str, instance: str | None, path: Path, at: datetime
) -> None:
    from bot.services import export_xlsx

    done = run(lambda: export_xlsx(config, report_key=key, instance_key=instance, path=path, at=at))
    out.print(
        t(
            "cli-export-written",
            file=str(path),
            instances=len(done.instances),
            units=len(done.instances[0].units),
            versions=done.versions,
        ),
        markup=False,
    )


def export_archive(
    config: Settings, key: str, instance: str | None, path: Path, all_versions: bool, at: datetime
) -> None:
    from bot.core.archive import round_name
    from bot.services import export_zip

    result = run(
        lambda: export_zip(
            config,
            report_key=key,
            instance_key=instance,
            destination=path,
            all_versions=all_versions,
            at=at,
        )
    )
    chosen = result.instance
    out.print(
        t(
            "archive-cli-round",
            report=chosen.report_name,
            round=round_name(chosen.instance_key),
            deadline=fmt.deadline(chosen.deadline),
        ),
        markup=False,
    )
    for name in result.missing:
        err.print(t("archive-cli-missing", name=name), markup=False)
    out.print(
        t(
            "archive-cli-written",
            file=str(path),
            count=result.entries - len(result.missing),
            done=sum(1 for unit in chosen.units if unit.submitted),
            total=len(chosen.units),
            size=fmt.megabytes(result.size),
        ),
        markup=False,
    )


# ---- chart --------------------------------------------------------------------------------------


@app.command("chart", help=t("cli-chart-help"), options_metavar=_METAVARS["options_metavar"])
def chart(
    report: Annotated[
        str, typer.Argument(metavar=t("cli-metavar-report"), help=t("cli-arg-chart-report"))
    ],
    png: Annotated[
        Path, typer.Option("--png", metavar=t("cli-metavar-file"), help=t("cli-opt-chart-png"))
    ],
    instance: Annotated[
        str | None,
        typer.Option(
            "--instance", metavar=t("cli-metavar-instance"), help=t("cli-opt-chart-instance")
        ),
    ] = None,
) -> None:
    from bot.core.chart import progress_chart
    from bot.core.model import nearest_instance
    from bot.services import output_problem, report_status, write_chart

    config = settings()
    tz = local_zone(config)
    problem = output_problem(png, example="tien-do.png")
    if problem is not None:
        name, args = problem
        fail(t(name, **args))
    need_data(config)
    at = now()
    key = plan_id(report)
    instances = run(lambda: report_status(config, report_key=key, at=at))
    if not instances:
        fail(t("cli-chart-no-instances", report=key))
    names = ", ".join(instance_name(one.instance_key) for one in instances)
    if instance is None:
        chosen = nearest_instance(instances, now=at)
    else:
        wanted = instance.strip()
        found = [
            one
            for one in instances
            if wanted in (one.instance_key, instance_name(one.instance_key))
        ]
        if not found:
            fail(t("cli-chart-unknown-instance", report=key, instance=wanted, instances=names))
        chosen = found[0]
    try:
        write_chart(progress_chart(chosen, now=at, tz=tz), png)
    except OSError:  # the folder changed since it was checked (full, removed)
        fail(t("cli-chart-write-failed", file=str(png)))
    out.print(
        t(
            "cli-chart-written",
            name=chosen.report_name,
            instance=instance_name(chosen.instance_key),
            deadline=fmt.deadline(chosen.deadline),
            file=str(png),
        ),
        markup=False,
    )
    others = [one for one in instances if one is not chosen]
    if others and instance is None:
        out.print(
            t(
                "cli-chart-other-instances",
                count=len(others),
                instances=", ".join(instance_name(one.instance_key) for one in others),
            ),
            markup=False,
        )


# ---- contacts ------------------------------------------------------------------------------------


@app.command("contacts", help=t("cli-contacts-help"), options_metavar=_METAVARS["options_metavar"])
def contacts(
    show_all: Annotated[bool, typer.Option("--all", help=t("cli-opt-contacts-all"))] = False,
) -> None:
    from bot.services import list_contacts

    config = settings(data_needed=True)
    tz = local_zone(config)
    rows = run(lambda: list_contacts(config))
    if not show_all:
        rows = [row for row in rows if row.active]
    if not rows:
        out.print(t("cli-contacts-none"), markup=False)
        return
    print_list(
        CONTACT_COLUMNS,
        [
            (
                str(row.id),
                row.display_name + (f" (@{row.username})" if row.username else ""),
                row.unit_name,
                t(f"role-{row.role.value}"),
                row.platform,
                t("contact-active" if row.active else "contact-removed"),
                fmt.moment(row.created_at, tz),
            )
            for row in rows
        ],
    )


CONTACT_COLUMNS = (
    "cli-col-contact-id",
    "cli-col-person",
    "cli-col-unit",
    "cli-col-role",
    "cli-col-platform",
    "cli-col-status",
    "cli-col-registered",
)


@contact_app.command(
    "remove", help=t("cli-contact-remove-help"), options_metavar=_METAVARS["options_metavar"]
)
def contact_remove(
    contact_id: Annotated[
        int,
        typer.Argument(
            metavar=t("cli-metavar-contact"), help=t("cli-arg-contact"), min=1, max=MAX_ID
        ),
    ],
) -> None:
    from bot.services import remove_contact

    config = settings(data_needed=True)
    at = now()
    contact, told, ended = run(lambda: remove_contact(config, contact_id=contact_id, at=at))
    out.print(
        t("cli-contact-removed", name=contact.display_name, unit=contact.unit_name), markup=False
    )
    if ended:
        out.print(t("cli-contact-steps-ended"), markup=False)
    out.print(t("cli-contact-told" if told else "cli-contact-not-told"), markup=False)


@contact_app.command(
    "move", help=t("cli-contact-move-help"), options_metavar=_METAVARS["options_metavar"]
)
def contact_move(
    contact_id: Annotated[
        int,
        typer.Argument(
            metavar=t("cli-metavar-contact"), help=t("cli-arg-contact"), min=1, max=MAX_ID
        ),
    ],
    unit: Annotated[str, typer.Argument(metavar=t("cli-metavar-unit"), help=t("cli-arg-unit"))],
) -> None:
    from bot.services import move_contact

    config = settings(data_needed=True)
    at = now()
    contact, told, ended = run(
        lambda: move_contact(config, contact_id=contact_id, unit_key=plan_id(unit), at=at)
    )
    out.print(
        t("cli-contact-moved", name=contact.display_name, unit=contact.unit_name), markup=False
    )
    if ended:
        out.print(t("cli-contact-steps-ended"), markup=False)
    out.print(t("cli-contact-told" if told else "cli-contact-not-told"), markup=False)


@contact_app.command(
    "reach", help=t("cli-contact-reach-help"), options_metavar=_METAVARS["options_metavar"]
)
def contact_reach(
    contact_id: Annotated[
        int,
        typer.Argument(
            metavar=t("cli-metavar-contact"), help=t("cli-arg-contact"), min=1, max=MAX_ID
        ),
    ],
    platform: Annotated[
        str,
        typer.Argument(metavar=t("cli-metavar-platform"), help=t("cli-arg-platform")),
    ],
) -> None:
    from bot.core.texts import platform_name
    from bot.services import reach_on

    config = settings(data_needed=True)
    name = platform.strip().lower()
    contact = run(lambda: reach_on(config, contact_id=contact_id, platform=name, at=now()))
    out.print(
        t(
            "cli-contact-reached",
            name=contact.display_name,
            platform=platform_name(contact.platform),
        ),
        markup=False,
    )


# ---- reminders ----------------------------------------------------------------------------------

if TYPE_CHECKING:
    from storage.reminders import ReminderLine


@app.command(
    "reminders", help=t("cli-reminders-help"), options_metavar=_METAVARS["options_metavar"]
)
def reminders(
    missed_only: Annotated[
        bool, typer.Option("--missed", help=t("cli-opt-reminders-missed"))
    ] = False,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=1,
            max=MAX_LIMIT,
            metavar=t("cli-metavar-count"),
            help=t("cli-opt-reminders-limit"),
        ),
    ] = 20,
) -> None:
    from bot.services import database
    from storage.outbox import SqlOutbox
    from storage.reminders import ReminderOverview, ReminderStore

    config = settings(data_needed=True)
    tz = local_zone(config)

    async def overview() -> tuple[ReminderOverview, dict[str, int], dict[str, datetime]]:
        async with database(config) as engine:
            outbox = SqlOutbox(engine)
            return (
                await ReminderStore(engine).overview(limit=limit),
                await outbox.waiting(),
                await outbox.waiting_since(),
            )

    found, waiting, since = run(overview)
    if missed_only:
        if not found.missed_total:
            out.print(t("cli-reminders-no-missed"), markup=False)
            return
        print_reminders("cli-reminders-missed", found.missed, found.missed_total, tz, "missed")
        return
    if not (found.upcoming_total or found.sent_total or found.missed_total):
        out.print(t("cli-reminders-none"), markup=False)
    else:
        print_reminders("cli-reminders-upcoming", found.upcoming, found.upcoming_total, tz, "due")
        print_reminders("cli-reminders-sent", found.sent, found.sent_total, tz, "sent")
        print_reminders("cli-reminders-missed", found.missed, found.missed_total, tz, "missed")
    if waiting:
        # Messages for people on a platform no running process served when their reminder
        # went out: they wait for a process that does (a console contact's `baocao chat`).
        out.print(t("cli-reminders-outbox", count=sum(waiting.values())), markup=False)
        print_list(
            OUTBOX_COLUMNS,
            [
                (platform, str(count), fmt.moment(since[platform], tz) if platform in since else "")
                for platform, count in waiting.items()
            ],
        )
        out.print()
    if found.unreachable:
        out.print(t("cli-reminders-unreachable", count=len(found.unreachable)), markup=False)
        print_list(
            UNREACHABLE_COLUMNS,
            [
                (
                    person.display_name,
                    person.unit_name,
                    person.platform,
                    fmt.moment(person.since, tz),
                )
                for person in found.unreachable
            ],
        )


def print_reminders(
    title: str, lines: Sequence[ReminderLine], total: int, tz: ZoneInfo, shape: str
) -> None:
    """One list of `baocao reminders`: its title with the total, the rows, how many more."""
    out.print(t(title, count=total), markup=False)
    if not lines:
        return
    columns = {"due": DUE_COLUMNS, "sent": SENT_COLUMNS, "missed": MISSED_COLUMNS}[shape]
    rows = []
    for line in lines:
        cells = [fmt.moment(line.due_at, tz), *reminder_cells(line)]
        if shape == "sent":
            cells.append(fmt.moment(line.sent_at, tz) if line.sent_at else "")
        elif shape == "missed":
            cells.append(t(MISS_REASONS.get(line.note or "", "cli-reminder-missed-other")))
        rows.append(cells)
    print_list(columns, rows)
    if total > len(lines):
        out.print(t("cli-reminders-more", count=total - len(lines), total=total), markup=False)
    out.print()


def reminder_cells(line: ReminderLine) -> list[str]:
    """The report (and its instance), who the reminder goes to, and what kind it is."""
    from bot.core.rules.reminders import UNIT_KINDS, Kind

    report = line.report_name
    if line.instance_key != "once":
        report += f" ({line.instance_key})"
    if line.kind in UNIT_KINDS:
        to = line.unit_name or ""
    elif line.kind in (Kind.ESCALATION, Kind.DIGEST):
        to = t("cli-reminder-to-leadership")
    else:
        to = t("cli-reminder-to-office")
    if line.kind is Kind.UNIT and line.rule_key == "last_day":
        kind = t("cli-reminder-kind-last-day")
    elif line.kind is Kind.UNIT:
        kind = t("cli-reminder-kind-unit", rule=line.rule_key)
    else:
        kind = t(REMINDER_KINDS[line.kind.value])
    return [report, to, kind]


REMINDER_KINDS = {
    "overdue": "cli-reminder-kind-overdue",
    "summary": "cli-reminder-kind-summary",
    "late_list": "cli-reminder-kind-late-list",
    "escalation": "cli-reminder-kind-escalation",
    "digest": "cli-reminder-kind-digest",
    "ready": "cli-reminder-kind-ready",
}
MISS_REASONS = {
    "deadline_passed": "cli-reminder-missed-deadline-passed",
    "after_hours": "cli-reminder-missed-after-hours",
}
DUE_COLUMNS = ("cli-col-reminder-at", "cli-col-report", "cli-col-recipient", "cli-col-kind")
SENT_COLUMNS = (*DUE_COLUMNS, "cli-col-sent-at")
MISSED_COLUMNS = (*DUE_COLUMNS, "cli-col-reason")
OUTBOX_COLUMNS = ("cli-col-platform", "cli-col-waiting", "cli-col-waiting-since")
UNREACHABLE_COLUMNS = ("cli-col-person", "cli-col-unit", "cli-col-platform", "cli-col-since")


# ---- the compiled draft -------------------------------------------------------------------------


@app.command("compile", help=t("cli-compile-help"), options_metavar=_METAVARS["options_metavar"])
def compile_report(
    report: Annotated[
        str,
        typer.Argument(metavar=t("cli-metavar-report"), help=t("cli-arg-compile-report")),
    ],
    docx: Annotated[
        Path,
        typer.Option("--docx", metavar=t("cli-metavar-file"), help=t("cli-opt-compile-docx")),
    ],
    instance: Annotated[
        str | None,
        typer.Option(
            "--instance",
            metavar=t("cli-metavar-instance"),
            help=t("cli-opt-compile-instance"),
        ),
    ] = None,
) -> None:
    from bot.core.drafts import NOTE_KEYS, instance_label
    from bot.services import compile_draft, output_problem

    config = settings(data_needed=True)
    target = docx.expanduser()
    if target.suffix.lower() != ".docx" and not target.is_dir():
        fail(t("compile-error-not-docx", file=str(target)))
    problem = output_problem(target, example="tong-hop.docx")
    if problem is not None:
        key, args = problem
        fail(t(key, **args))
    at = now()
    chosen = None if instance is None else instance.strip()
    compiled = run(
        lambda: compile_draft(
            config, report_key=plan_id(report), instance_key=chosen, target=target, at=at
        )
    )
    shown = compiled.instance
    out.print(
        t(
            "cli-compile-done",
            file=str(target),
            name=shown.report_name,
            instance=instance_label(shown.instance_key),
            done=compiled.done,
            total=compiled.total,
        ),
        markup=False,
    )
    out.print(
        t(
            "cli-compile-parts",
            documents=compiled.documents,
            texts=compiled.texts,
            annexed=compiled.annexed,
        ),
        markup=False,
    )
    for unit, name, why in compiled.unread:
        reason = t(NOTE_KEYS[why])
        err.print(t("cli-compile-unread", name=name, unit=unit, why=reason), markup=False)
    if compiled.others:
        keys = ", ".join(instance_label(other) for other in compiled.others)
        out.print(t("cli-compile-other-instances", keys=keys), markup=False)


# ---- chatting from the terminal --------------------------------------------------------------


@app.command("chat", help=t("cli-chat-help"), options_metavar=_METAVARS["options_metavar"])
def chat(
    who: Annotated[
        str,
        typer.Option("--as", metavar=t("cli-metavar-chat-as"), help=t("cli-opt-chat-as")),
    ],
) -> None:
    from bot.app import quiet_libraries, serve
    from bot.services import applied_plan, create_invite, list_contacts
    from handlers.console.messenger import PLATFORM as CONSOLE
    from handlers.console.platform import ConsolePlatform, Person

    config = settings(data_needed=True)
    stored = run(lambda: applied_plan(config))
    if stored is None:
        fail(t("cli-chat-no-plan"))
    plan = plan_from_data(stored.data, stored.source, stored.path)
    known = run(lambda: list_contacts(config))
    typed = plan_id(who)
    name: str | None = None
    user_id: str | None = None
    if typed.isdigit():
        contact = next((c for c in known if str(c.id) == typed and c.active), None)
        if contact is None:
            fail(t("cli-chat-no-contact", number=typed))
        unit_key, role, name = contact.unit_key, contact.role, contact.display_name
        if contact.platform == CONSOLE:
            user_id = contact.user_id
    elif typed in {Role.OFFICE.value, Role.LEADER.value}:
        kind = UnitType.OFFICE if typed == Role.OFFICE.value else UnitType.LEADERSHIP
        unit = next((u for u in plan.units if u.type is kind), None)
        if unit is None:
            fail(t("cli-chat-no-unit-of-kind", role=t(f"role-{typed}")))
        unit_key, role = unit.key, Role(typed)
    else:
        if typed not in {u.key for u in plan.units}:
            units = ", ".join(u.key for u in plan.units)
            fail(t("cli-chat-unknown-unit", unit=who.strip(), units=units))
        unit_key, role = typed, Role.HEAD
    # One console person per unit and role, so that chatting again continues the same contact.
    user_id = user_id or f"{role.value}:{unit_key}"
    name = name or t("cli-chat-person", unit=plan.unit(unit_key).name)
    here = any(c.platform == CONSOLE and c.user_id == user_id and c.active for c in known)
    code = None
    if not here:  # registered through a real invite, as a person on any platform is
        at = now()
        ttl = timedelta(hours=1)
        code = run(lambda: create_invite(config, unit_key=unit_key, role=role, ttl=ttl, at=at)).code
    person = Person(user_id=user_id, display_name=name, invite=code)
    stopping = asyncio.Event()

    def console(core: ReportBot) -> ConsolePlatform:
        return ConsolePlatform(core=core, person=person, on_end=stopping.set)

    # Telegram, when set, only sends: its people's reminders still go out from here, and the
    # bot that polls keeps polling.
    # The web app stays with `baocao run`: a console chat opens no port.
    chatting = config.model_copy(update={"telegram_polling": False, "web": False})
    quiet_libraries()  # the terminal is the person's chat: no library chatter in it
    run(lambda: serve(chatting, stopping, platforms=[console]))


@app.command("demo", help=t("cli-demo-help"), options_metavar=_METAVARS["options_metavar"])
def demo(
    speed: Annotated[
        float,
        typer.Option(
            "--speed",
            metavar=t("cli-metavar-speed"),
            help=t("cli-opt-demo-speed"),
            show_default=False,
        ),
    ] = 1.0,
    keep: Annotated[
        Path | None,
        typer.Option("--keep", metavar=t("cli-metavar-folder"), help=t("cli-opt-demo-keep")),
    ] = None,
) -> None:
    import tempfile
    import time

    from bot import demo as season
    from bot.services import report_status
    from storage.files import secure_data_dir

    if not 0 < speed <= 1000:
        fail(t("demo-speed-invalid"))
    began = time.monotonic()
    with contextlib.ExitStack() as stack:
        if keep is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="baocao-demo-")))
        else:
            folder = keep_folder(keep)
        config = season.settings(folder)
        secure_data_dir(config.data_dir)
        plan = read_plan(season.SEED)
        script = season.Script.for_plan(plan)
        tz = script.tz
        start, end = fmt.day(script.start.date()), fmt.day(script.end.date())
        out.print(t("demo-intro", start=start, end=end), markup=False)
        out.print()
        out.print(t("demo-step-plan"), markup=False)
        for line in run(lambda: season.prepare(config, plan, script)):
            out.print(line, markup=False)
        out.print()
        show_plan(plan, str(SEED_PLAN))
        out.print()

        def note(text: str) -> None:
            out.print(text, markup=False)
            out.print()

        try:
            run(lambda: season.play(config, script, speed=speed, note=note))
        except season.DemoStopped:
            said = t("demo-stopped") if keep is None else t("demo-stopped-kept", folder=str(folder))
            err.print(said, markup=False)
            raise typer.Exit(130) from None
        out.print(t("demo-step-status"), markup=False)
        key = script.report.key
        print_status(run(lambda: report_status(config, report_key=key, at=script.end)), tz)
        days = (script.end.date() - script.start.date()).days + 1
        seconds = f"{time.monotonic() - began:.0f}"
        out.print(t("demo-end", seconds=seconds, days=days), markup=False)
        if keep is None:
            out.print(t("demo-end-removed"), markup=False)
        else:
            data = str(config.data_dir)
            out.print(t("demo-end-kept", folder=str(folder), data=data), markup=False)
        out.print(t("demo-next"), markup=False)


def keep_folder(path: Path) -> Path:
    """The folder `--keep` names, made if missing; one that holds anything is refused, so that a
    demo never mixes with the Office's data."""
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        fail(t("demo-keep-not-folder", folder=str(path)))
    if path.is_dir() and any(path.iterdir()):
        fail(t("demo-keep-not-empty", folder=str(path)))
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


# ---- the bot ---------------------------------------------------------------------------------


@app.command("run", help=t("cli-run-help"), options_metavar=_METAVARS["options_metavar"])
def run_bot(
    apply_plan: Annotated[bool, typer.Option("--apply-plan", help=t("cli-opt-apply-plan"))] = False,
    webhook: Annotated[bool, typer.Option("--webhook", help=t("cli-opt-webhook"))] = False,
) -> None:
    from bot.app import configure_logging, secrets_of, serve
    from bot.platforms import configured, has_chat
    from bot.services import apply_plan_at_start, upgrade_database

    config = settings()
    if webhook:
        config = config.model_copy(update={"webhook": True})
    if not configured(config):
        fail(t("run-no-token"))
    run(lambda: upgrade_database(config))
    if apply_plan:
        plan = read_plan(config.plan)
        print_warnings(plan, str(config.plan))
        at = now()
        for line in run(lambda: apply_plan_at_start(config, plan, path=str(config.plan), at=at)):
            out.print(line, markup=False)
    configure_logging(secrets=secrets_of(config))

    async def announce(runtime: Runtime) -> None:
        """Where the web app is, and a way in for the Office, printed to this terminal only."""
        if runtime.web is None:
            return
        issued = await runtime.web_access.issue(
            role=Role.OFFICE, display_name=t("signin-office-name"), created_by="start"
        )
        out.print(t("run-web-address", address=runtime.web.settings.base_url), markup=False)
        # Rounded up: a link made a moment ago for 15 minutes is said to last 15, not 14.
        minutes = math.ceil((issued.expires_at - runtime.clock()).total_seconds() / 60)
        out.print(t("run-web-office-link", link=issued.url, minutes=minutes), markup=False)
        if not has_chat(config):
            out.print(t("run-web-add-token"), markup=False)
        sys.stdout.flush()  # to a log file or a pipe too, now rather than at exit

    try:
        run(lambda: serve(config, started=announce))
    except typer.Exit:  # what `run` made of the user's mistakes: already said
        raise
    except Exception:
        # A fault of baocao, not of the settings: its stack goes to the log (the token cut
        # out), the Office gets words.
        logging.getLogger("baocao").critical("baocao stopped on an error", exc_info=True)
        err.print(t("run-crashed"), markup=False)
        raise typer.Exit(1) from None
    out.print(t("run-stopped"), markup=False)


# ---- database -----------------------------------------------------------------------------------


@db_app.command(
    "upgrade", help=t("cli-db-upgrade-help"), options_metavar=_METAVARS["options_metavar"]
)
def db_upgrade() -> None:
    from bot.services import upgrade_database

    config = settings()
    revision = run(lambda: upgrade_database(config))
    out.print(t("cli-db-upgraded", revision=revision or "-"), markup=False)


# ---- the web app ---------------------------------------------------------------------------------


@web_app.command(
    "login", help=t("cli-web-login-help"), options_metavar=_METAVARS["options_metavar"]
)
def web_login(
    contact_id: Annotated[
        int | None,
        typer.Argument(
            metavar=t("cli-metavar-contact"), help=t("cli-arg-web-contact"), min=1, max=MAX_ID
        ),
    ] = None,
) -> None:
    from bot.web import sign_in_link

    config = settings(data_needed=True)
    tz = local_zone(config)
    at = now()
    issued = run(lambda: sign_in_link(config, contact_id=contact_id, at=at))
    out.print(
        t(
            "cli-web-login-link",
            name=issued.display_name,
            role=t(f"role-{issued.role.value}"),
            expires=fmt.moment(issued.expires_at, tz),
        ),
        markup=False,
    )
    out.print(issued.url, markup=False)


@web_app.command(
    "logout-all", help=t("cli-web-logout-all-help"), options_metavar=_METAVARS["options_metavar"]
)
def web_logout_all() -> None:
    from bot.web import sign_everyone_out

    config = settings(data_needed=True)
    at = now()
    count = run(lambda: sign_everyone_out(config, at=at))
    out.print(t("cli-web-logged-out", count=count), markup=False)


# ---- the command line itself in Vietnamese -------------------------------------------------------


def _localize_typer() -> None:
    """Typer's own words (panel titles, the help option, usage errors) come from the catalog.

    Typer has no translation hook for these, so its module-level strings are replaced here
    once, before any help is printed.
    """
    from typer import rich_utils
    from typer._click.core import Command
    from typer._click.formatting import HelpFormatter

    rich_utils.ARGUMENTS_PANEL_TITLE = t("cli-panel-arguments")
    rich_utils.OPTIONS_PANEL_TITLE = t("cli-panel-options")
    rich_utils.COMMANDS_PANEL_TITLE = t("cli-panel-commands")
    rich_utils.ERRORS_PANEL_TITLE = t("cli-panel-error")
    rich_utils.REQUIRED_LONG_STRING = t("cli-required")
    rich_utils.DEFAULT_STRING = t("cli-default")
    rich_utils.ABORTED_TEXT = t("cli-aborted")
    usage = t("cli-usage") + " "
    rich_utils.OptionHighlighter.highlights = [
        pattern.replace("Usage: ", usage) for pattern in rich_utils.OptionHighlighter.highlights
    ]
    original_write_usage = HelpFormatter.write_usage

    def write_usage(
        self: HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        original_write_usage(self, prog, args, usage if prefix is None else prefix)

    HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
    original_help_option = Command.get_help_option

    def get_help_option(self: Command, ctx: Any) -> Any:
        option = original_help_option(self, ctx)
        if option is not None:
            option.help = t("cli-help-option")
        return option

    Command.get_help_option = get_help_option  # type: ignore[method-assign]

    # The kind of value each option takes, which typer prints as "<int range>", "<path>"...
    from typer.core import _TyperParameter

    original_display_type = _TyperParameter.display_type

    def display_type(self: _TyperParameter, ctx: Any) -> str:
        shown = original_display_type(self, ctx)
        key = _VALUE_KINDS.get(shown.strip("<>").removesuffix(" range"))
        if key is None:
            return shown
        return "" if key == "-" else f"<{t(key)}>"  # a flag takes no value: nothing to name

    _TyperParameter.display_type = display_type  # type: ignore[method-assign]


# typer's names of the kinds of values, and the catalog's words for them ("-": say nothing).
_VALUE_KINDS = {
    "bool": "-",
    "int": "cli-value-number",
    "float": "cli-value-number",
    "str": "cli-value-text",
    "path": "cli-value-path",
    "file": "cli-value-path",
    "directory": "cli-value-path",
}


def _usage_error_text(error: Any) -> str:
    from typer._click import exceptions as click_errors

    ctx = error.ctx
    name = ""
    param = getattr(error, "param", None)
    if param is not None:
        is_option = bool(param.opts) and param.opts[0].startswith("-")
        name = param.opts[0] if is_option else (param.metavar or param.name.upper())
    if isinstance(error, click_errors.MissingParameter):
        return t("cli-usage-missing", name=name)
    if isinstance(error, click_errors.NoSuchOption):
        return t("cli-usage-no-such-option", name=error.option_name)
    if isinstance(error, click_errors.BadParameter):
        return t("cli-usage-bad-value", name=name or "?")
    if ctx is not None and isinstance(ctx.command, typer.core.TyperGroup):
        return t("cli-usage-unknown-command")
    return t("cli-usage-error")


def main(argv: list[str] | None = None) -> int:
    """Console entry point; returns the exit status (2 for anything the user typed wrong)."""
    from typer._click import exceptions as click_errors

    # A terminal that cannot show Vietnamese (PYTHONIOENCODING=latin-1, an old console) gets
    # "?" for what it cannot show, rather than a command that stops half-way.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    _localize_typer()
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="baocao", standalone_mode=False)
    except click_errors.NoArgsIsHelpError:
        return EXIT_BAD_INPUT
    except click_errors.UsageError as error:
        err.print(_usage_error_text(error), markup=False)
        if error.ctx is not None:
            err.print(t("cli-usage-hint", command=error.ctx.command_path), markup=False)
        return EXIT_BAD_INPUT
    except typer.Abort:
        err.print(t("cli-aborted"), markup=False)
        return 1
    except Exception as error:  # a bug, not the Office's doing: words for them, the stack on demand
        err.print(t("cli-crashed", error=type(error).__name__), markup=False)
        if os.environ.get("BAOCAO_DEBUG"):
            _print_stack(error)
        return 1
    return result if isinstance(result, int) else 0


def _print_stack(error: BaseException) -> None:
    """The traceback, for whoever fixes the bug, with the bot token cut out of it."""
    import traceback

    from bot.app import RedactSecrets

    token = os.environ.get("BAOCAO_TELEGRAM_TOKEN", "")
    try:
        configured = Settings().telegram_token
    except Exception:  # the settings may be what is broken; the environment's token is enough
        configured = None
    secrets = [token, configured.get_secret_value() if configured else ""]
    text = "".join(traceback.format_exception(error))
    err.print(RedactSecrets(secrets).clean(text), markup=False)
