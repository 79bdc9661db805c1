"""Read a plan file: YAML with line numbers, pydantic validation, cross-checks, then deadlines.

`load_plan(path)` either returns a complete `Plan` or raises `PlanInvalidError` listing every
problem with its line and field; it never writes anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.core.i18n import t
from bot.core.plan.errors import PlanInvalidError, PlanProblem
from bot.core.plan.model import (
    CalendarSpec,
    Deadline,
    DueKind,
    InstanceSpec,
    Organisation,
    Period,
    Plan,
    PlanSettings,
    PlanWarning,
    ReminderKind,
    ReminderRule,
    ReportSpec,
    UnitSpec,
    UnitType,
)
from bot.core.plan.schema import PlanIn, ReportIn, parse_reminder
from bot.core.rules.calendar import WorkingCalendar
from bot.core.rules.deadlines import (
    cutoff_too_late,
    due_end,
    is_late,
    last_day,
    period_near,
    plan_reminders,
    recurring_deadlines,
    reminder_after_deadline,
)

MAX_PLAN_BYTES = 2 * 1024 * 1024
DEFAULT_REMINDERS = ("3wd", "1d", "last_day", "overdue")
ALL_UNITS = frozenset({"all", "tat-ca"})

Path_ = tuple[str | int, ...]


def load_plan(path: Path | str, *, now: datetime | None = None) -> Plan:
    """Read and check the plan at `path`; with `now`, also warn about deadlines already past."""
    path = Path(path)
    name = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError:
        raise PlanInvalidError(name, [PlanProblem("plan-error-no-file")]) from None
    except IsADirectoryError:
        raise PlanInvalidError(name, [PlanProblem("plan-error-is-directory")]) from None
    except OSError:
        raise PlanInvalidError(name, [PlanProblem("plan-error-unreadable")]) from None
    size = path.stat().st_size if len(raw) > MAX_PLAN_BYTES else len(raw)
    return plan_from_bytes(raw, name, size=size, now=now)


def plan_from_bytes(
    raw: bytes, file: str, *, size: int | None = None, now: datetime | None = None
) -> Plan:
    """Check a plan file's bytes, as read from disk or uploaded; `size` is the whole file's
    when only its first MAX_PLAN_BYTES + 1 bytes were read. The text is UTF-8 (a BOM is fine)."""
    size = len(raw) if size is None else size
    if size > MAX_PLAN_BYTES:
        problem = PlanProblem(
            "plan-error-too-big",
            {"size": f"{size / 1024 / 1024:.1f}", "limit": str(MAX_PLAN_BYTES // 1024 // 1024)},
            line=1,
        )
        raise PlanInvalidError(file, [problem])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise PlanInvalidError(file, [PlanProblem("plan-error-encoding", line=line)]) from None
    return parse_plan(text, file, now=now)


def parse_plan(text: str, file: str = "<plan>", *, now: datetime | None = None) -> Plan:
    """Check plan `text`; `file` only names it in messages, `now` is as in `load_plan`."""
    document = _read_yaml(text, file)
    try:
        data = _plain(document, budget=[len(text) + 100])
    except _TooManyValues:
        raise PlanInvalidError(file, [PlanProblem("plan-error-aliases", line=1)]) from None
    except _TooDeep:
        raise PlanInvalidError(file, [PlanProblem("plan-error-too-deep", line=1)]) from None
    return _check(data, lambda: _LineIndex(document), file, text, now)


def plan_from_data(data: str, source: str, file: str) -> Plan:
    """Rebuild a stored plan from its JSON content (`Plan.data`), without parsing YAML again.

    Falls back to the source text if the content was stored by an older version.
    """
    try:
        content = json.loads(data)
    except ValueError:
        return parse_plan(source, file)
    return _check(content, lambda: _LineIndex(_read_yaml(source, file)), file, source)


def _check(
    data: Any, lines: Callable[[], _LineIndex], file: str, text: str, now: datetime | None = None
) -> Plan:
    try:
        plan_in = PlanIn.model_validate(data)
    except ValidationError as error:
        index = lines()
        problems = [_from_pydantic(e, index, data) for e in error.errors()]
        raise PlanInvalidError(file, problems) from None
    return _Compiler(plan_in, lines, data, file, text, now).compile()


# ---- YAML with line numbers --------------------------------------------------------------------


def _read_yaml(text: str, file: str) -> CommentedMap:
    if "\x00" in text:
        raise PlanInvalidError(file, [PlanProblem("plan-error-binary", line=1)])
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(text)
    except DuplicateKeyError as error:
        line = _mark_line(error)
        raise PlanInvalidError(file, [PlanProblem("plan-error-duplicate-key", line=line)]) from None
    except MarkedYAMLError as error:
        raise PlanInvalidError(file, [_syntax_problem(error, text)]) from None
    except YAMLError:
        raise PlanInvalidError(file, [PlanProblem("plan-error-yaml-other", line=1)]) from None
    except RecursionError:  # the YAML parser recurses once per level of nesting
        raise PlanInvalidError(file, [PlanProblem("plan-error-too-deep", line=1)]) from None
    if document is None:
        raise PlanInvalidError(file, [PlanProblem("plan-error-empty", line=1)])
    if not isinstance(document, CommentedMap):
        raise PlanInvalidError(file, [PlanProblem("plan-error-not-mapping", line=1)])
    return document


def _syntax_problem(error: MarkedYAMLError, text: str) -> PlanProblem:
    """A syntax error; a Tab on the line gets its own message, since YAML's is no help there."""
    lines = text.splitlines()
    for mark in (error.problem_mark, error.context_mark):
        if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]:
            column = lines[mark.line].index("\t") + 1
            return PlanProblem("plan-error-tab", {"column": column}, line=mark.line + 1)
    mark = error.problem_mark or error.context_mark
    column = (mark.column + 1) if mark is not None else 1
    return PlanProblem("plan-error-yaml", {"column": column}, line=_mark_line(error))


def _mark_line(error: MarkedYAMLError) -> int:
    mark = error.problem_mark or error.context_mark
    return mark.line + 1 if mark is not None else 1


# A plan nests five levels at most (reports, a report, its instances, one, its reminders);
# far deeper is a broken or wrong file, and Python's stack would give out first.
MAX_DEPTH = 50


def _plain(node: Any, *, budget: list[int], depth: int = 0) -> Any:
    """The document as plain dicts and lists, aliases copied out.

    Written out, every value takes at least a character of the file; only aliases make more
    values than characters, and nested aliases make exponentially more (ten levels of ten
    stand for 10^10 values in a kilobyte). `budget` holds how many values may still come.
    """
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooManyValues
    if depth > MAX_DEPTH:
        raise _TooDeep
    if isinstance(node, CommentedMap):
        return {
            str(key): _plain(value, budget=budget, depth=depth + 1) for key, value in node.items()
        }
    if isinstance(node, CommentedSeq):
        return [_plain(item, budget=budget, depth=depth + 1) for item in node]
    return node


class _TooDeep(Exception):
    """The document nests deeper than any plan does."""


class _TooManyValues(Exception):
    """The document's aliases expand past what the file could hold written out."""


class _LineIndex:
    """Line (1-based) of every mapping key and sequence item, by its path in the document."""

    def __init__(self, root: CommentedMap) -> None:
        self.lines: dict[Path_, int] = {(): root.lc.line + 1}
        self._walk(root, ())

    def _walk(self, node: Any, path: Path_) -> None:
        if isinstance(node, CommentedMap):
            for key in node:
                child = (*path, str(key))
                self.lines[child] = node.lc.key(key)[0] + 1
                self._walk(node[key], child)
        elif isinstance(node, CommentedSeq):
            for position in range(len(node)):
                child = (*path, position)
                self.lines[child] = node.lc.item(position)[0] + 1
                self._walk(node[position], child)

    def line(self, path: Path_) -> int:
        """The line of `path`, or of its nearest ancestor that is in the file."""
        while path not in self.lines:
            path = path[:-1]
        return self.lines[path]


def _field_name(path: Path_, data: Any) -> str:
    """`reports[bc-6-thang].due_before`: list items by their id when they have one."""
    text = ""
    node = data
    for part in path:
        if isinstance(part, int):
            label = str(part + 1)
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                item_id = node[part].get("id")
                if isinstance(item_id, str) and item_id.strip():
                    label = item_id.strip()
            text += f"[{label}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(root)"


_PYDANTIC_KEYS = {
    "missing": "plan-error-missing",
    "extra_forbidden": "plan-error-unknown-field",
    "int_type": "plan-error-not-a-number",
    "int_parsing": "plan-error-not-a-number",
    "int_from_float": "plan-error-not-a-number",
    "greater_than_equal": "plan-error-too-small",
    "less_than_equal": "plan-error-too-large",
    "too_short": "plan-error-empty-list",
    "bool_type": "plan-error-not-bool",
    "bool_parsing": "plan-error-not-bool",
    "list_type": "plan-error-not-list",
    "model_type": "plan-error-not-section",
    "dict_type": "plan-error-not-section",
    "model_attributes_type": "plan-error-not-section",
    "string_type": "plan-error-not-text",
}


def _from_pydantic(error: Any, index: _LineIndex, data: Any) -> PlanProblem:
    loc: Path_ = tuple(p if isinstance(p, int) else str(p) for p in error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    args: dict[str, str | int] = {}
    if kind.startswith("plan-error-"):
        key = kind
        args = {str(name): str(value) for name, value in ctx.items()}
    else:
        key = _PYDANTIC_KEYS.get(kind, "plan-error-invalid")
        if kind == "greater_than_equal":
            args = {"limit": str(ctx.get("ge"))}
        elif kind == "less_than_equal":
            args = {"limit": str(ctx.get("le"))}
        elif kind == "extra_forbidden" or kind == "missing":
            args = {"name": str(loc[-1])}
    return PlanProblem(key, args, line=index.line(loc), field=_field_name(loc, data))


# ---- cross-checks and deadlines ----------------------------------------------------------------


class _Compiler:
    def __init__(
        self,
        plan: PlanIn,
        lines: Callable[[], _LineIndex],
        data: Any,
        file: str,
        text: str,
        now: datetime | None = None,
    ) -> None:
        self.plan = plan
        self.now = now
        self._lines = lines
        self._index: _LineIndex | None = None
        self.data = data
        self.file = file
        self.text = text
        self.problems: list[PlanProblem] = []
        self.warnings: list[PlanWarning] = []
        self.tz = ZoneInfo(plan.organisation.timezone)
        self.calendar = WorkingCalendar(
            days_off=plan.calendar.days_off, makeup_days=plan.calendar.makeup_days
        )

    @property
    def index(self) -> _LineIndex:
        """Line numbers are only needed to report a problem, so they are found only then."""
        if self._index is None:
            self._index = self._lines()
        return self._index

    def problem(self, key: str, path: Path_, /, **args: str | int) -> None:
        self.problems.append(
            PlanProblem(
                key, dict(args), line=self.index.line(path), field=_field_name(path, self.data)
            )
        )

    def warn(self, key: str, path: Path_, /, **args: str | int) -> None:
        self.warnings.append(PlanWarning(key, dict(args), line=self.index.line(path)))

    def compile(self) -> Plan:
        units = self._units()
        unit_keys = {unit.key: unit for unit in units}
        self._calendar_warnings()
        reports = [spec for spec in self._reports(unit_keys) if spec is not None]
        self._cascades(reports)
        if self.problems:
            raise PlanInvalidError(self.file, self.problems)
        self._past_deadlines(reports)
        settings = self.plan.settings
        organisation = self.plan.organisation
        return Plan(
            organisation=Organisation(
                name=organisation.name,
                short_name=organisation.short_name or organisation.name,
                timezone=organisation.timezone,
            ),
            calendar=CalendarSpec(
                days_off=frozenset(self.plan.calendar.days_off),
                makeup_days=frozenset(self.plan.calendar.makeup_days),
            ),
            settings=PlanSettings(
                reminder_time=settings.reminder_time,
                work_start=settings.working_hours[0],
                work_end=settings.working_hours[1],
                cutoff_day=settings.cutoff_day,
                summaries=frozenset(settings.summaries),
                summary_time=settings.summary_time,
            ),
            units=tuple(units),
            reports=tuple(reports),
            warnings=tuple(sorted(self.warnings, key=lambda w: w.line or 0)),
            source=self.text,
            digest=hashlib.sha256(self.text.encode("utf-8")).hexdigest(),
            data=json.dumps(self.data, ensure_ascii=False, default=_json_value),
        )

    def _units(self) -> list[UnitSpec]:
        seen: set[str] = set()
        units: list[UnitSpec] = []
        offices: list[int] = []
        for position, unit in enumerate(self.plan.units):
            path: Path_ = ("units", position, "id")
            if unit.id in seen:
                self.problem("plan-error-duplicate-unit", path, id=unit.id)
                continue
            if unit.id in ALL_UNITS:
                self.problem("plan-error-reserved-id", path, id=unit.id)
                continue
            seen.add(unit.id)
            if unit.type is UnitType.OFFICE:
                offices.append(position)
            units.append(UnitSpec(unit.id, unit.name, unit.short_name or unit.name, unit.type))
        if not offices:
            self.problem("plan-error-no-office", ("units",))
        for position in offices[1:]:
            self.problem("plan-error-two-offices", ("units", position, "type"))
        return units

    def _calendar_warnings(self) -> None:
        # What the day would be without the plan's own make-up days: a holiday is worth a
        # warning of its own, a plain weekday is already worked.
        national = WorkingCalendar(days_off=self.plan.calendar.days_off)
        for position, day in enumerate(self.plan.calendar.makeup_days):
            if day.weekday() >= 5:
                continue
            path: Path_ = ("calendar", "makeup_days", position)
            name = national.holiday_name(day)
            if name is not None:
                self.warn("plan-warning-makeup-holiday", path, date=_dmy(day), name=name)
            else:
                self.warn("plan-warning-makeup-weekday", path, date=_dmy(day))

    def _due_on_days_off(self, report: ReportIn, base: Path_, deadlines: list[Deadline]) -> None:
        """A `due_on` deadline on a day off: whoever counts on the last working day is caught."""
        days = [
            d.day
            for d in deadlines
            if d.kind is DueKind.ON and not self.calendar.is_working_day(d.day)
        ]
        if not days:
            return
        shown = [
            t("date-with-weekday", date=_dmy(day), weekday=self._day_off_name(day))
            for day in days[:3]
        ]
        self.warn(
            "plan-warning-due-on-day-off",
            (*base, "due_on"),
            report=report.id,
            days=", ".join(shown),
            more=len(days) - len(shown),
            working=_dmy(self.calendar.previous_working_day(days[0])),
        )

    def _day_off_name(self, day: date) -> str:
        return self.calendar.holiday_name(day) or t(f"weekday-{day.weekday()}")

    def _past_deadlines(self, reports: list[ReportSpec]) -> None:
        """One warning for the whole plan when deadlines have passed: an old plan chases daily."""
        if self.now is None:
            return
        past = [
            (report, instance)
            for report in reports
            for instance in report.instances
            if is_late(self.now, instance.due_end)
        ]
        if not past:
            return
        names = list(dict.fromkeys(report.key for report, _ in past))
        latest = max(instance.last_day for _, instance in past)
        first = next(i for i, r in enumerate(self.plan.reports) if r.id == names[0])
        field = "due_on" if self.plan.reports[first].due_on is not None else "due_before"
        self.warn(
            "plan-warning-past",
            ("reports", first, field),
            count=len(past),
            total=sum(len(report.instances) for report in reports),
            reports=", ".join(names[:5]),
            more=max(len(names) - 5, 0),
            latest=_dmy(latest),
        )

    def _reports(self, units: dict[str, UnitSpec]) -> Iterator[ReportSpec | None]:
        seen: set[str] = set()
        for position, report in enumerate(self.plan.reports):
            base: Path_ = ("reports", position)
            if report.id in seen:
                self.problem("plan-error-duplicate-report", (*base, "id"), id=report.id)
                continue
            seen.add(report.id)
            yield self._report(report, base, units)

    def _report(
        self, report: ReportIn, base: Path_, units: dict[str, UnitSpec]
    ) -> ReportSpec | None:
        before_count = len(self.problems)
        if report.receiver not in units:
            self.problem("plan-error-unknown-unit", (*base, "receiver"), id=report.receiver)
        submitters = self._submitters(report, base, units)
        first = self._first_deadline(report, base)
        rules = self._rules(report, base)
        if report.period is not None and report.period.every is None and report.repeat is not None:
            self.problem("plan-error-period-dates-repeat", (*base, "period"))
        if report.repeat is not None:
            for rule in rules:
                if rule.kind is ReminderKind.AT:
                    self.problem(
                        "plan-error-at-with-repeat", (*base, "reminders"), value=_rule_text(rule)
                    )
        if first is None or len(self.problems) > before_count:
            return None
        instances = self._instances(report, base, first, rules)
        if instances is None:
            return None
        return ReportSpec(
            key=report.id,
            name=report.name,
            kind=report.kind,
            submitters=tuple(submitters),
            receiver=report.receiver,
            forward_files=report.forward_files,
            depends_on=tuple(report.depends_on),
            reminder_rules=tuple(rules),
            instances=tuple(instances),
            every=report.repeat.every if report.repeat else None,
            escalate_after_days=report.escalate_after_days,
            late_list=report.late_list,
        )

    def _submitters(self, report: ReportIn, base: Path_, units: dict[str, UnitSpec]) -> list[str]:
        path: Path_ = (*base, "submitters")
        if not report.submitters:
            self.problem("plan-error-no-submitters", path)
            return []
        if len(report.submitters) == 1 and report.submitters[0] in ALL_UNITS:
            chosen = [
                key
                for key, unit in units.items()
                if unit.type is UnitType.UNIT and key != report.receiver
            ]
            if not chosen:
                self.problem("plan-error-no-submitters", path)
            return chosen
        chosen = []
        for position, key in enumerate(report.submitters):
            item: Path_ = (*path, position)
            if key in ALL_UNITS:
                self.problem("plan-error-all-mixed", item)
            elif key not in units:
                self.problem("plan-error-unknown-unit", item, id=key)
            elif key == report.receiver:
                self.problem("plan-error-receiver-submits", item, id=key)
            elif key in chosen:
                self.problem("plan-error-duplicate-submitter", item, id=key)
            else:
                chosen.append(key)
        return chosen

    def _first_deadline(self, report: ReportIn, base: Path_) -> Deadline | None:
        if report.due_before is not None and report.due_on is not None:
            self.problem("plan-error-due-both", (*base, "due_on"))
            return None
        if report.due_before is not None:
            return Deadline(DueKind.BEFORE, report.due_before, report.due_time)
        if report.due_on is not None:
            return Deadline(DueKind.ON, report.due_on, report.due_time)
        self.problem("plan-error-due-missing", base)
        return None

    def _rules(self, report: ReportIn, base: Path_) -> list[ReminderRule]:
        given = report.reminders
        if given is None:
            given = self.plan.settings.reminders
        if given is None:
            given = [parse_reminder(text) for text in DEFAULT_REMINDERS]
        seen: set[str] = set()
        rules = []
        for position, rule in enumerate(given):
            if rule.key in seen:
                self.problem("plan-error-duplicate-reminder", (*base, "reminders", position))
                continue
            seen.add(rule.key)
            rules.append(rule)
        return rules

    def _instances(
        self, report: ReportIn, base: Path_, first: Deadline, rules: list[ReminderRule]
    ) -> list[InstanceSpec] | None:
        repeat = report.repeat
        if repeat is None:
            deadlines = [first]
        else:
            try:
                deadlines = recurring_deadlines(
                    first, repeat.every, count=repeat.count, until=repeat.until
                )
            except ValueError:
                self.problem("plan-error-repeat-too-many", (*base, "repeat"))
                return None
            if not deadlines:
                self.problem("plan-error-repeat-empty", (*base, "repeat", "until"))
                return None
        self._due_on_days_off(report, base, deadlines)
        instances: list[InstanceSpec] = []
        keys: set[str] = set()
        settings = self.plan.settings
        for deadline in deadlines:
            end = due_end(deadline, self.tz)
            last = last_day(deadline)
            period = self._period(report, deadline, last)
            key = "once" if repeat is None else (period.key if period else deadline.day.isoformat())
            if key in keys:
                self.problem("plan-error-duplicate-instance", (*base, "period"), key=key)
                return None
            keys.add(key)
            reminders, overdue_from = plan_reminders(
                rules,
                deadline,
                tz=self.tz,
                calendar=self.calendar,
                reminder_time=settings.reminder_time,
            )
            for position, rule in enumerate(rules):
                if reminder_after_deadline(
                    rule,
                    deadline,
                    tz=self.tz,
                    calendar=self.calendar,
                    reminder_time=settings.reminder_time,
                ):
                    self.problem(
                        "plan-error-reminder-after",
                        (*base, "reminders", position),
                        value=_rule_text(rule),
                        deadline=_dmy(last),
                    )
                    return None
            if period is not None and cutoff_too_late(period, last, self.calendar):
                self.warn(
                    "plan-warning-cutoff",
                    (*base, "period") if report.period else (*base, "id"),
                    report=report.id,
                    end=_dmy(period.end),
                    deadline=_dmy(last),
                )
            instances.append(
                InstanceSpec(
                    key=key,
                    deadline=deadline,
                    due_end=end,
                    last_day=last,
                    period=period,
                    reminders=reminders,
                    overdue_from=overdue_from,
                )
            )
        return instances

    def _period(self, report: ReportIn, deadline: Deadline, last: date) -> Period | None:
        cutoff = self.plan.settings.cutoff_day
        if report.period is not None:
            if report.period.every is not None:
                return period_near(report.period.every, last, cutoff)
            assert report.period.from_ is not None and report.period.to is not None
            return Period("custom", report.period.from_, report.period.to)
        if report.repeat is not None:
            return period_near(report.repeat.every, last, cutoff)
        return None

    def _cascades(self, reports: list[ReportSpec]) -> None:
        by_key = {report.key: report for report in reports}
        positions = {report.id: i for i, report in enumerate(self.plan.reports)}
        cyclic = self._cycles(by_key, positions)
        for report in reports:
            base: Path_ = ("reports", positions[report.key])
            for position, dependency in enumerate(report.depends_on):
                path: Path_ = (*base, "depends_on", position)
                if dependency == report.key:
                    self.problem("plan-error-cycle", path, chain=f"{report.key} → {report.key}")
                elif dependency not in by_key:
                    if dependency not in positions:
                        self.problem("plan-error-unknown-report", path, id=dependency)
                elif not cyclic:
                    self._cascade_order(report, by_key[dependency], path)

    def _cascade_order(self, report: ReportSpec, dependency: ReportSpec, path: Path_) -> None:
        theirs = {instance.key: instance for instance in dependency.instances}
        for instance in report.instances:
            match = theirs.get(instance.key)
            if match is None and len(dependency.instances) == 1:
                match = dependency.instances[0]
            if match is not None and instance.due_end <= match.due_end:
                self.problem(
                    "plan-error-cascade-order",
                    path,
                    report=report.key,
                    dependency=dependency.key,
                    deadline=_dmy(instance.last_day),
                    dependency_deadline=_dmy(match.last_day),
                )
                return

    def _cycles(self, by_key: dict[str, ReportSpec], positions: dict[str, int]) -> bool:
        """Report every cycle of `depends_on` once; True if there was any."""
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        reported: set[frozenset[str]] = set()

        def visit(key: str, trail: list[str]) -> None:
            state[key] = 1
            for dependency in by_key[key].depends_on:
                if dependency not in by_key or dependency == key:
                    continue
                if state.get(dependency) == 1:
                    cycle = [*trail[trail.index(dependency) :], dependency]
                    members = frozenset(cycle)
                    if members not in reported:
                        reported.add(members)
                        self.problem(
                            "plan-error-cycle",
                            ("reports", positions[key], "depends_on"),
                            chain=" → ".join(cycle),
                        )
                elif dependency not in state:
                    visit(dependency, [*trail, dependency])
            state[key] = 2

        for key in by_key:
            if key not in state:
                visit(key, [key])
        return bool(reported)


def _json_value(value: Any) -> str:
    """YAML dates become ISO dates, which the schema reads back as the same dates."""
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a plan")


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _rule_text(rule: ReminderRule) -> str:
    """A reminder rule as the plan wrote it: 7d, 90s, or a date as dd/mm/yyyy [HH:MM]."""
    if rule.kind is ReminderKind.AT and rule.at_date is not None:
        text = _dmy(rule.at_date)
        return f"{text} {rule.at_time.strftime('%H:%M')}" if rule.at_time else text
    return rule.key
