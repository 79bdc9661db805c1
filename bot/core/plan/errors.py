"""Problems found in a plan file, each tied to a file, a line and a field."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.errors import UserError
from bot.core.i18n import t


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """One thing wrong in a plan file. `key` is a catalog key; `args` fill its variables."""

    key: str
    args: dict[str, str | int] = field(default_factory=dict)
    line: int | None = None
    field: str | None = None

    def message(self) -> str:
        return t(self.key, **self.args)

    def render(self, file: str) -> str:
        """The full sentence an Office clerk reads: where, which field, what is wrong."""
        text = self.message()
        if self.line is not None and self.field:
            return t(
                "plan-problem-at-field", file=file, line=self.line, field=self.field, text=text
            )
        if self.line is not None:
            return t("plan-problem-at-line", file=file, line=self.line, text=text)
        return t("plan-problem-in-file", file=file, text=text)


class PlanInvalidError(UserError):
    """A plan file that cannot be used. Nothing has been written when this is raised.

    Its own message counts the problems; `render()` gives each, where it is in the file."""

    def __init__(self, file: str, problems: list[PlanProblem]) -> None:
        super().__init__("plan-invalid", file=file, count=len(problems))
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.field or ""))

    def render(self) -> list[str]:
        return [problem.render(self.file) for problem in self.problems]
