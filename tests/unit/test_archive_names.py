"""Names in the Office's archive: safe on every disk, unique, Vietnamese kept; which round."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.archive import NAME_BYTES, UniqueNames, relevant_instance, safe_name
from bot.core.model import InstanceStatus, SubmissionState, UnitStatus
from bot.core.plan.model import DueKind


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("Báo cáo 6 tháng.docx", "Báo cáo 6 tháng.docx"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..", ""),
        (".bashrc", "bashrc"),
        ("a\\b/c.pdf", "a_b_c.pdf"),
        ('hỏi<>:"|?*.txt', "hỏi_______.txt"),
        ("tab\there\x00\x1f.doc", "tab here.doc"),
        ("dấu chấm cuối. . .", "dấu chấm cuối"),
        ("CON.txt", "CON_.txt"),
        ("nul", "nul_"),
        ("  nhiều   khoảng   trắng  ", "nhiều khoảng trắng"),
        ("ẩn\u202etxt.exe", "ẩntxt.exe"),
    ],
)
def test_safe_name(given: str, safe: str) -> None:
    assert safe_name(given) == safe


def test_safe_names_are_composed_unicode() -> None:
    decomposed = unicodedata.normalize("NFD", "Tình hình.xlsx")
    assert decomposed != "Tình hình.xlsx"
    assert safe_name(decomposed) == "Tình hình.xlsx"


def test_a_long_name_is_cut_in_bytes_and_keeps_its_extension() -> None:
    name = safe_name("Báo cáo " + "tổng hợp ý kiến " * 40 + ".docx")
    assert len(name.encode("utf-8")) <= NAME_BYTES
    assert name.endswith("….docx") and name.startswith("Báo cáo tổng hợp")


def test_unique_names_ignore_case_and_count_on() -> None:
    names = UniqueNames()
    assert [
        names.claim("Báo cáo.docx"),
        names.claim("Báo cáo.docx"),
        names.claim("BÁO CÁO.DOCX"),
        names.claim("Báo cáo (2).docx"),
        names.claim("Không đuôi"),
        names.claim("không đuôi"),
        names.claim("Báo cáo.docx", folder="Phòng A"),
    ] == [
        "Báo cáo.docx",
        "Báo cáo (2).docx",
        "BÁO CÁO (3).DOCX",
        "Báo cáo (2) (2).docx",
        "Không đuôi",
        "không đuôi (2)",
        "Báo cáo.docx",
    ]


def round_(key: str, due: datetime, *, sent: bool) -> InstanceStatus:
    state = SubmissionState.ON_TIME if sent else SubmissionState.PENDING
    return InstanceStatus(
        instance_id=hash(key) % 1000,
        report_key="thang",
        report_name="Báo cáo tháng",
        instance_key=key,
        period_key=None,
        period_start=None,
        period_end=None,
        due_kind=DueKind.BEFORE,
        due_day=due.date(),
        due_time=None,
        due_end=due,
        units=(UnitStatus("a", "Phòng A", state, versions=1 if sent else 0),),
    )


def test_the_relevant_round_is_the_nearest_one_anyone_sent_to() -> None:
    now = datetime(2024, 6, 6, 3, tzinfo=UTC)
    may = round_("2024-05", datetime(2024, 6, 5, tzinfo=UTC), sent=True)
    june = round_("2024-06", datetime(2024, 7, 5, tzinfo=UTC), sent=False)
    april = round_("2024-04", datetime(2024, 5, 5, tzinfo=UTC), sent=True)
    assert relevant_instance([april, may, june], now) is may
    # Late in the month, the round about to close is nearer, once someone has sent to it.
    later = now + timedelta(days=25)
    june_started = round_("2024-06", datetime(2024, 7, 5, tzinfo=UTC), sent=True)
    assert relevant_instance([april, may, june_started], later) is june_started
    # Nobody sent anything yet: the nearest deadline.
    assert relevant_instance([round_("x", may.due_end, sent=False), june], now).instance_key == "x"
