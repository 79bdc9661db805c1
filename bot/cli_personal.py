"""`baocao contact export N` and `baocao contact forget N`: a person's data, for Vietnam's Law
91/2025/QH15 on personal data protection (the right to see one's data and to have it erased).

Registered on `baocao contact` by `register(contact_app)`; bot.cli's helpers are looked up
when a command runs, as in bot.cli_backup.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.core.i18n import t

EXIT_DECLINED = 1


def register(contact_app: typer.Typer) -> None:
    options: dict[str, Any] = {"options_metavar": t("cli-metavar-options")}
    contact_app.command("export", help=t("personal-cli-export-help"), **options)(export)
    contact_app.command("forget", help=t("personal-cli-forget-help"), **options)(forget)


ContactId = Annotated[
    int,
    typer.Argument(
        metavar=t("cli-metavar-contact"), help=t("cli-arg-contact"), min=1, max=2**31 - 1
    ),
]


def export(
    contact_id: ContactId,
    file: Annotated[
        Path | None,
        typer.Option("--file", metavar=t("cli-metavar-file"), help=t("personal-cli-opt-file")),
    ] = None,
) -> None:
    from bot import cli
    from bot.services import database, output_problem
    from storage.personal import export_person

    config = cli.settings(data_needed=True)
    if file is not None:
        problem = output_problem(file, example="du-lieu-ca-nhan.json")
        if problem is not None:
            name, args = problem
            cli.fail(t(name, **args))
        if file.exists():
            cli.fail(t("personal-cli-file-exists", file=str(file)))
    at = cli.now()

    async def go() -> dict[str, Any]:
        async with database(config) as engine:
            return await export_person(engine, contact_id=contact_id, now=at)

    data = cli.run(go)
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    if file is None:
        cli.out.print(text, markup=False, highlight=False, end="", soft_wrap=True)
        return
    _write_private(file, text)
    cli.out.print(t("personal-cli-exported", file=str(file), contact=contact_id), markup=False)


def _write_private(path: Path, text: str) -> None:
    """Personal data on disk: readable by the owner only (0600), whatever the umask."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def forget(
    contact_id: ContactId,
    yes: Annotated[bool, typer.Option("--yes", help=t("personal-cli-opt-yes"))] = False,
) -> None:
    from bot import cli
    from bot.services import database
    from storage.personal import forget_person

    config = cli.settings(data_needed=True)
    if not yes and not typer.confirm(t("personal-cli-confirm", contact=contact_id), default=False):
        cli.err.print(t("personal-cli-declined"), markup=False)
        raise typer.Exit(EXIT_DECLINED)
    at = cli.now()

    async def go() -> list[int]:
        async with database(config) as engine:
            return await forget_person(engine, contact_id=contact_id, now=at)

    ids = cli.run(go)
    cli.out.print(
        t(
            "personal-cli-forgotten",
            contact=contact_id,
            accounts=", ".join(f"#{one}" for one in ids),
            count=len(ids),
        ),
        markup=False,
    )
