"""One error type: whatever the user got wrong carries a catalog key and its values."""

from __future__ import annotations

from bot.core.errors import UserError
from bot.core.plan.errors import PlanInvalidError, PlanProblem
from storage import errors


def test_every_refusal_of_the_records_is_a_user_error_with_words() -> None:
    refusals = [
        errors.UnknownUnitError("phong-x"),
        errors.UnknownInviteError("ABC"),
        errors.InviteUsedError("ABC"),
        errors.PlanConflictError(units=["phong-a"], reports=[], instances=[]),
        errors.ContactRoleError(contact=3, name="An", unit="vp", role="head", unit_type="office"),
    ]
    for error in refusals:
        assert isinstance(error, UserError)
        assert error.key == type(error).key
        text = error.message()
        assert text and error.key not in text and "{" not in text


def test_a_plan_that_cannot_be_used_is_a_user_error_too() -> None:
    error = PlanInvalidError(
        "ke-hoach.yaml", [PlanProblem("plan-error-no-file"), PlanProblem("plan-error-is-directory")]
    )
    assert isinstance(error, UserError)
    assert error.message() == "Tệp kế hoạch ke-hoach.yaml có 2 lỗi, chưa ghi gì vào hệ thống."
    assert len(error.render()) == 2
