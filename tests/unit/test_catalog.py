"""The message catalog: every key the code asks for exists and every variable it needs is given."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fluent.syntax import FluentParser
from fluent.syntax import ast as fluent_ast
from fluent.syntax.visitor import Visitor

from bot.core.i18n import LOCALE_DIR, Catalog, MessageError, catalog
from bot.core.plan.model import ReportKind, Role, UnitType

ROOT = Path(__file__).parents[2]
PACKAGES = ("bot", "handlers", "scheduler", "storage")
# Keys built at run time from a prefix and a value: every value must have its message.
DYNAMIC = {
    "weekday-": [str(day) for day in range(7)],
    "unit-type-": [kind.value for kind in UnitType],
    "report-kind-": [kind.value for kind in ReportKind],
    "role-": [role.value for role in Role],
    "invite-status-": ["open", "used", "expired", "revoked"],
    "status-": ["on_time", "late", "missing", "pending"],
    "period-half-": ["1", "2"],
    "start-": ["unknown", "used", "expired", "revoked"],
    "status-line-": ["on_time", "late", "missing", "pending"],
    "platform-": ["telegram", "zalo", "web", "console"],
}
KEY = re.compile(r"^[a-z]+(?:-[a-z0-9_]+)+$")


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from (ROOT / package).rglob("*.py")


class _Variables(Visitor):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_VariableReference(self, node: fluent_ast.VariableReference) -> None:
        self.names.add(node.id.name)


def message_variables() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    parser = FluentParser()
    for path in sorted((LOCALE_DIR / "vi").glob("*.ftl")):
        resource = parser.parse(path.read_text(encoding="utf-8"))
        for entry in resource.body:
            assert not isinstance(entry, fluent_ast.Junk), f"{path.name}: {entry.content!r}"
            if isinstance(entry, fluent_ast.Message):
                assert entry.id.name not in found, f"{entry.id.name} is defined twice"
                visitor = _Variables()
                visitor.visit(entry)
                found[entry.id.name] = visitor.names
    return found


VARIABLES = message_variables()
PREFIXES = {key.split("-")[0] for key in VARIABLES}


def literal_keys() -> Iterator[tuple[Path, int, str]]:
    """Every string literal in the code that has the shape of a catalog key with a known prefix."""
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if KEY.match(value) and value.split("-")[0] in PREFIXES:
                    yield path, node.lineno, value


def test_every_key_in_the_code_is_in_the_catalog() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {key}"
        for path, line, key in literal_keys()
        if key not in VARIABLES and not any(key.startswith(prefix) for prefix in DYNAMIC)
    ]
    assert missing == []


@pytest.mark.parametrize("prefix", sorted(DYNAMIC))
def test_every_runtime_key_is_in_the_catalog(prefix: str) -> None:
    assert [prefix + value for value in DYNAMIC[prefix] if prefix + value not in VARIABLES] == []


def t_calls() -> Iterator[tuple[Path, int, str, set[str] | None]]:
    """Calls `t("key", name=...)` with a literal key; None when arguments come from **kwargs."""
    for path in source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id != "t" or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            names = {keyword.arg for keyword in node.keywords}
            given = None if None in names else {name for name in names if name}
            yield path, node.lineno, str(node.args[0].value), given


def test_every_variable_a_message_needs_is_given() -> None:
    problems = []
    calls = list(t_calls())
    assert len(calls) > 50
    for path, line, key, given in calls:
        if given is None:
            continue
        lacking = VARIABLES.get(key, set()) - given
        if lacking:
            problems.append(f"{path.relative_to(ROOT)}:{line}: {key} lacks {sorted(lacking)}")
    assert problems == []


def test_every_message_formats_with_its_variables() -> None:
    vi = catalog()
    for key, names in VARIABLES.items():
        text = vi.t(key, **{name: "1" for name in names})
        assert text.strip(), key
        assert "{" not in text.replace("{}", ""), key


def test_a_missing_key_or_variable_fails_loudly() -> None:
    vi = Catalog()
    with pytest.raises(MessageError):
        vi.t("khong-co-khoa-nay")
    with pytest.raises(MessageError):
        vi.t("cli-invite-qr-written")


def test_no_vietnamese_text_in_code() -> None:
    vietnamese = re.compile(
        "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐ]", re.IGNORECASE
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in source_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if vietnamese.search(line)
    ]
    assert offenders == []


# ---- the web app's templates and scripts: the same rules as the code ---------------------------

TEMPLATES = ROOT / "handlers" / "web" / "templates"
STATIC = ROOT / "handlers" / "web" / "static"
TEMPLATE_T = re.compile(r"""\bt\(\s*["']([a-z0-9-]+)["']""")


def template_calls(path: Path) -> Iterator[tuple[str, str]]:
    """Each `t("key", ...)` in a template: its key and the text of its other arguments."""
    text = path.read_text(encoding="utf-8")
    for match in TEMPLATE_T.finditer(text):
        depth, end = 1, match.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        yield match.group(1), text[match.end() : end - 1]


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_every_key_in_the_templates_is_in_the_catalog() -> None:
    files = template_files()
    assert files, "no templates found"
    missing = [
        f"{path.relative_to(ROOT)}: {key}"
        for path in files
        for key, _ in template_calls(path)
        if key not in VARIABLES
    ]
    assert missing == []


def test_templates_give_every_variable_a_message_needs() -> None:
    problems = []
    for path in template_files():
        for key, rest in template_calls(path):
            if "**" in rest:
                continue
            given = set(re.findall(r"\b([a-z_]+)\s*=(?!=)", rest))
            lacking = VARIABLES.get(key, set()) - given
            if lacking:
                problems.append(f"{path.relative_to(ROOT)}: {key} lacks {sorted(lacking)}")
    assert problems == []


def test_no_vietnamese_text_in_templates_or_scripts() -> None:
    vietnamese = re.compile(
        "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđĐ]", re.IGNORECASE
    )
    files = [*template_files(), *sorted(STATIC.glob("*.js"))]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if vietnamese.search(line)
    ]
    assert offenders == []


def test_a_catalog_parses_only_the_files_it_is_asked_from() -> None:
    """Each process starts quicker: the files are scanned for their keys, and parsed when one
    of their messages is first asked for (all of them for a message that refers to another)."""
    fresh = Catalog()
    assert fresh.t("web-title") and len(fresh._parsed) == 1
    assert fresh.has("reminder-how") and not fresh.has("khong-co-khoa-nay")
    assert len(fresh._parsed) == 2
    with pytest.raises(MessageError):
        fresh.t("cli-invite-qr-written")  # a variable missing: every file parsed, then the error
    assert len(fresh._parsed) == len(fresh.files)
