"""`baocao backup FILE`, `baocao restore FILE`, `baocao verify`: with progress bars on a terminal.

Registered on the main command by `register(app)`; the helpers of bot.cli (settings, `run`,
`fail`, the consoles) are looked up when a command runs, so that this module and bot.cli may
be imported in either order.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

from bot.core.i18n import t

if TYPE_CHECKING:
    from storage.backup import FileProblem

# The phases storage.backup reports, and the words for each.
PHASES = {
    "database": "backup-progress-database",
    "files": "backup-progress-files",
    "check": "backup-progress-check",
    "restore": "backup-progress-restore",
    "verify": "backup-progress-verify",
}
EXIT_PROBLEMS = 1


class Bars:
    """storage.backup.Progress as a bar on stderr: only on an interactive terminal, never into a
    pipe or a log file (rich's own test of the stream when the console was made: a tty whose
    TERM is not dumb), and gone when the work ends so that only the result stays on screen."""

    def __init__(self, console: Console) -> None:
        self.bars = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=False),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_interactive,
        )
        self._task: TaskID | None = None

    def phase(self, name: str, total: int) -> None:
        if self._task is not None:
            self.bars.remove_task(self._task)
        self._task = self.bars.add_task(t(PHASES[name]), total=total or None)
        self.bars.refresh()  # a short phase is seen too, not only those past the refresh rate

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self.bars.advance(self._task, amount)

    def __enter__(self) -> Bars:
        self.bars.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.bars.stop()


def register(app: typer.Typer) -> None:
    """Add the three commands to `app`."""
    options: dict[str, Any] = {"options_metavar": t("cli-metavar-options")}
    app.command("backup", help=t("backup-cli-help"), **options)(backup)
    app.command("restore", help=t("backup-cli-restore-help"), **options)(restore)
    app.command("verify", help=t("backup-cli-verify-help"), **options)(verify)


def backup(
    file: Annotated[
        Path, typer.Argument(metavar=t("cli-metavar-file"), help=t("backup-cli-arg-file"))
    ],
) -> None:
    from bot import cli
    from bot.backups import make_backup
    from bot.core import formatting as fmt
    from bot.services import output_problem

    config = cli.settings(data_needed=True)
    problem = output_problem(file, example="sao-luu.tar")
    if problem is not None:
        name, args = problem
        cli.fail(t(name, **args))
    if file.exists():
        cli.fail(t("backup-error-exists", file=str(file)))
    at = cli.now()
    with Bars(cli.err) as bars:
        result = cli.run(lambda: make_backup(config, file, now=at, progress=bars))
    cli.out.print(
        t(
            "backup-cli-written",
            file=str(file),
            database=_kind(result.database),
            revision=result.schema_revision or "-",
            files=result.files,
            size=fmt.megabytes(result.size),
        ),
        markup=False,
    )


def restore(
    file: Annotated[
        Path,
        typer.Argument(metavar=t("cli-metavar-file"), help=t("backup-cli-arg-restore-file")),
    ],
) -> None:
    from bot import cli
    from bot.backups import restore as restore_into
    from bot.core import formatting as fmt

    config = cli.settings()
    if not file.is_file():
        cli.fail(t("backup-error-no-file", file=str(file)))
    tz = cli.local_zone(config)
    with Bars(cli.err) as bars:
        manifest, revision = cli.run(lambda: restore_into(config, file, progress=bars))
    try:
        created = fmt.moment(datetime.fromisoformat(manifest.created_at), tz)
    except ValueError:
        created = manifest.created_at
    cli.out.print(
        t(
            "backup-cli-restored",
            file=str(file),
            created=created,
            database=_kind(manifest.database),
            files=manifest.files,
            revision=revision or "-",
        ),
        markup=False,
    )


def verify() -> None:
    from bot import cli
    from bot.backups import verify_files
    from bot.core.archive import round_name

    config = cli.settings(data_needed=True)
    with Bars(cli.err) as bars:
        count, problems = cli.run(lambda: verify_files(config, progress=bars))
    if not problems:
        cli.out.print(t("backup-cli-verify-ok", count=count), markup=False)
        return
    cli.out.print(
        t("backup-cli-verify-problems", problems=len(problems), count=count), markup=False
    )
    for found in problems:
        what = _problem_text(found)
        line = t(
            "backup-cli-verify-line",
            unit=found.unit,
            report=found.report,
            round=round_name(found.instance_key),
            version=found.version,
            receipt=found.receipt_code,
            what=what,
        )
        cli.out.print(line, markup=False)
    raise typer.Exit(EXIT_PROBLEMS)


def _problem_text(found: FileProblem) -> str:
    if found.problem == "missing":
        return t("backup-problem-missing")
    if found.problem == "size":
        actual, expected = found.actual_size or 0, found.expected_size or 0
        return t("backup-problem-size", actual=actual, expected=expected)
    if found.problem == "hash":
        return t("backup-problem-hash")
    if found.problem == "unreadable":
        return t("backup-problem-unreadable")
    return t("backup-problem-path")


def _kind(database: str) -> str:
    return "SQLite" if database == "sqlite" else "PostgreSQL"
