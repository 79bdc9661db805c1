"""Every storage error has a Vietnamese message that renders with the params it carries."""

from __future__ import annotations

import pytest

from bot.core.i18n import Catalog
from storage.errors import (
    ContactRoleError,
    InviteRoleError,
    InviteUsedError,
    NoAccountError,
    PlanConflictError,
    StorageError,
    UnknownContactError,
    UnknownInstanceError,
    UnknownInviteError,
    UnknownReportError,
    UnknownUnitError,
)

SELECTORS = {"role", "unit_type"}  # choose wording, are not printed as such

EXAMPLES: list[StorageError] = [
    UnknownUnitError("kh"),
    UnknownReportError("dan-chu"),
    UnknownInstanceError(7),
    UnknownInviteError("abc"),
    InviteUsedError("abc"),
    InviteRoleError(unit="kh", role="office", unit_type="unit"),
    InviteRoleError(unit="vp", role="leader", unit_type="office"),
    PlanConflictError(units=["kh"], reports=[], instances=["dan-chu/2024-H1"]),
    PlanConflictError(units=[], reports=["dan-chu"], instances=[]),
    UnknownContactError(12),
    NoAccountError(contact=12, platform="Zalo"),
    ContactRoleError(contact=3, name="Trần Thị B", unit="kh", role="office", unit_type="unit"),
    ContactRoleError(contact=4, name="Lê Văn C", unit="vp", role="leader", unit_type="office"),
]


def test_every_error_class_has_an_example() -> None:
    def subclasses(cls: type) -> set[type]:
        found: set[type] = set()
        direct_subclasses: list[type] = cls.__subclasses__()
        for direct in direct_subclasses:
            found |= {direct, *subclasses(direct)}
        return found

    assert subclasses(StorageError) == {type(e) for e in EXAMPLES}


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: f"{e.key}")
def test_message_renders(error: StorageError) -> None:
    text = Catalog("vi").t(error.key, **error.params)
    assert text and "{" not in text
    for name, value in error.params.items():
        if isinstance(value, str) and name not in SELECTORS:
            for part in value.split(", "):
                assert part in text


def test_conflict_message_reads_well() -> None:
    error = PlanConflictError(units=["kh", "tc"], reports=[], instances=["dan-chu/2024-H1"])
    text = Catalog("vi").t(error.key, **error.params)
    assert "3 mục" in text
    assert "- Đơn vị: kh, tc" in text
    assert "- Báo cáo: không có" in text
