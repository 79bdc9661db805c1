"""`baocao audit` (the trail, newest first, with filters) and `baocao audit verify` (the chain).

Registered on the main command by `register(app)`; the helpers of bot.cli are looked up when a
command runs, as in bot.cli_backup.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.core.i18n import t

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from storage.audit import ChainBreak

EXIT_BROKEN = 1
# The families of actions the storage writes ("contact" for contact.remove, contact.move...).
KINDS = (
    "invite",
    "contact",
    "submission",
    "export",
    "plan",
    "office_group",
    "web",
)
COLUMNS = (
    "audit-cli-col-id",
    "audit-cli-col-at",
    "audit-cli-col-actor",
    "audit-cli-col-action",
    "audit-cli-col-what",
)
DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

audit_app = typer.Typer(
    help=t("audit-cli-help"),
    invoke_without_command=True,
    options_metavar=t("cli-metavar-options"),
    subcommand_metavar=t("cli-metavar-command"),
)


def register(app: typer.Typer) -> None:
    """Add `audit` and `audit verify` to `app`."""
    app.add_typer(audit_app, name="audit")


@audit_app.callback()
def audit(
    ctx: typer.Context,
    person: Annotated[
        int | None,
        typer.Option(
            "--person",
            min=1,
            max=2**31 - 1,
            metavar=t("cli-metavar-contact"),
            help=t("audit-cli-opt-person"),
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", metavar=t("cli-metavar-unit"), help=t("audit-cli-opt-unit")),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", metavar=t("audit-cli-metavar-kind"), help=t("audit-cli-opt-kind")),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--from", metavar=t("audit-cli-metavar-date"), help=t("audit-cli-opt-from")),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--to", metavar=t("audit-cli-metavar-date"), help=t("audit-cli-opt-to")),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            min=1,
            max=1_000_000,
            metavar=t("cli-metavar-count"),
            help=t("audit-cli-opt-limit"),
        ),
    ] = 50,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from bot import cli
    from bot.core import formatting as fmt
    from bot.core.audit_words import actor_words, detail_words
    from bot.services import database
    from storage.audit import AuditFilter, find_audit
    from storage.personal import linked_contact_ids

    config = cli.settings(data_needed=True)
    tz = cli.local_zone(config)
    wanted_kind = None if kind is None else _kind(kind)
    start = None if since is None else _local_day(since, tz)
    end = None if until is None else _local_day(until, tz) + timedelta(days=1)
    if start is not None and end is not None and end <= start:
        cli.fail(t("audit-cli-dates-reversed", start=since or "", end=until or ""))

    async def listing() -> list[Any]:
        async with database(config) as engine:
            contacts = None if person is None else await linked_contact_ids(engine, person)
            wanted = AuditFilter(
                contact_ids=contacts,
                unit=None if unit is None else cli.plan_id(unit),
                kind=wanted_kind,
                since=start,
                until=end,
            )
            return await find_audit(engine, wanted, limit=limit)

    entries = cli.run(listing)
    if not entries:
        cli.out.print(t("audit-cli-none"), markup=False)
        return
    cli.print_list(
        COLUMNS,
        [
            (
                str(entry.id),
                fmt.moment(entry.at, tz),
                actor_words(entry.actor),
                entry.action,
                detail_words(entry),
            )
            for entry in entries
        ],
    )
    if len(entries) == limit:
        cli.out.print(t("audit-cli-more", limit=limit), markup=False)


@audit_app.command(
    "verify", help=t("audit-cli-verify-help"), options_metavar=t("cli-metavar-options")
)
def verify() -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as RichProgress

    from bot import cli
    from bot.services import database
    from storage.audit import ChainCheck, count_audit, verify_chain

    config = cli.settings(data_needed=True)
    bars = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=cli.err,
        transient=True,
        disable=not cli.err.is_interactive,  # never into a pipe or a log file
    )

    async def check() -> ChainCheck:
        async with database(config) as engine:
            total = await count_audit(engine)
            task = bars.add_task(t("audit-cli-verify-progress"), total=total or None)
            with bars:
                return await verify_chain(engine, advance=lambda done: bars.advance(task, done))

    result = cli.run(check)
    if result.broken is None:
        cli.out.print(t("audit-cli-verify-ok", count=result.rows), markup=False)
        return
    cli.out.print(_break_words(result.broken), markup=False)
    raise typer.Exit(EXIT_BROKEN)


def _break_words(broken: ChainBreak) -> str:
    if broken.kind == "altered":
        return t("audit-cli-verify-altered", row=broken.row_id or 0)
    if broken.kind == "inserted":
        return t("audit-cli-verify-inserted", row=broken.row_id or 0)
    if broken.row_id is None and broken.after_id is None:
        return t("audit-cli-verify-removed-all")
    if broken.row_id is None:
        return t("audit-cli-verify-removed-end", after=broken.after_id or 0)
    if broken.after_id is None:
        return t("audit-cli-verify-removed-start", row=broken.row_id)
    return t("audit-cli-verify-removed", after=broken.after_id, row=broken.row_id)


def _kind(typed: str) -> str:
    from bot import cli
    from bot.core.audit_words import ACTIONS

    kind = typed.strip().lower()
    if kind in KINDS or kind in ACTIONS:
        return kind
    cli.fail(t("audit-cli-bad-kind", kind=typed, kinds=", ".join(KINDS)))


def _local_day(typed: str, tz: ZoneInfo) -> datetime:
    """The start of a day typed as dd/mm/yyyy, in the Office's time zone."""
    from bot import cli

    found = DATE.fullmatch(typed.strip())
    try:
        if found is None:
            raise ValueError(typed)
        day = date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        cli.fail(t("audit-cli-bad-date", value=typed))
    return datetime.combine(day, time(0), tzinfo=tz)
