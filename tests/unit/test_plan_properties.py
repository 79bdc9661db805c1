"""Properties of the plan parser over generated plans: whatever an Office clerk types, the
parser answers with a Plan or a PlanInvalidError whose every line is Vietnamese from the
catalog, never another exception; the same text always gives the same answer."""

from __future__ import annotations

import re

import hypothesis_profiles  # noqa: F401 - loads the shared settings profile
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.core.plan.errors import PlanInvalidError
from bot.core.plan.loader import parse_plan
from bot.core.plan.model import Plan

# A Vietnamese sentence has at least one letter of its own (ă, ơ, ư, đ, or a tone mark).
VIETNAMESE = re.compile(
    r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]"
)

ids = st.sampled_from(["van-phong", "phong-a", "phong-b", "ban-gd", "x", "", "Phòng A", "1"])
scalars = st.one_of(
    ids,
    st.sampled_from(["05/06/2024", "31/02/2024", "2024-06-05", "hôm nay", "7d", "3wd", "0d"]),
    st.integers(-5, 40).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).map(
        lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'
    ),
    st.sampled_from(["~", "[]", "{}", "yes", "&a x", "*a", "!!binary x", "[phong-a, phong-b]"]),
)
unit_keys = st.sampled_from(["id", "name", "type", "short_name", "parent", "bogus"])
report_keys = st.sampled_from(
    [
        "id",
        "name",
        "kind",
        "submitters",
        "receiver",
        "due_before",
        "due_on",
        "every",
        "reminders",
        "forward_files",
        "depends_on",
        "bogus",
    ]
)


def entries(keys: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    field_line = st.tuples(keys, scalars).map(lambda kv: f"    {kv[0]}: {kv[1]}")
    return st.lists(field_line, min_size=1, max_size=6).map(
        lambda lines: "  - " + "\n".join(lines)[4:]
    )


@st.composite
def plans(draw: st.DrawFn) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append(f"organisation:\n  name: {draw(scalars)}")
    units = draw(st.lists(entries(unit_keys), max_size=4))
    parts.append("units:\n" + "\n".join(units) if units else "units: []")
    reports = draw(st.lists(entries(report_keys), max_size=3))
    parts.append("reports:\n" + "\n".join(reports) if reports else "reports: []")
    if draw(st.booleans()):
        parts.append(f"{draw(st.sampled_from(['calendar', 'timezone', 'x']))}: {draw(scalars)}")
    return "\n".join(draw(st.permutations(parts))) + "\n"


def outcome(text: str) -> Plan | PlanInvalidError:
    try:
        return parse_plan(text, "ke-hoach.yaml")
    except PlanInvalidError as error:
        return error


def assert_vietnamese(error: UserError) -> None:
    lines = [error.message()] + (error.render() if isinstance(error, PlanInvalidError) else [])
    for line in lines:
        assert line.strip() and VIETNAMESE.search(line), line
        assert "Traceback" not in line and "{" not in line, line
        assert not re.search(r"\bplan-[a-z-]+\b", line), line  # a key Fluent printed as is


@given(plans())
def test_a_generated_plan_gives_a_plan_or_vietnamese_problems(text: str) -> None:
    result = outcome(text)
    if isinstance(result, PlanInvalidError):
        assert result.problems
        assert_vietnamese(result)
    else:
        assert result.units and all(unit.id for unit in result.units)


@given(st.text(max_size=300))
def test_any_text_at_all_never_escapes_as_another_error(text: str) -> None:
    try:
        parse_plan(text, "ke-hoach.yaml")
    except UserError as error:
        assert_vietnamese(error)


@given(plans())
def test_the_same_text_always_gives_the_same_answer(text: str) -> None:
    first, second = outcome(text), outcome(text)
    if isinstance(first, PlanInvalidError):
        assert isinstance(second, PlanInvalidError)
        assert first.render() == second.render()
    else:
        assert first == second
