"""Errors the user caused: each names a catalog message, so the user never reads a traceback.

One type for the whole product: `UserError` names its message when raised; a `RecordError` (a
unit, report, invite or contact that is missing or does not fit) is a UserError that carries
its key on its class. One handler turns any of them into words.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.i18n import t


class UserError(Exception):
    """A domain error for the person at the keyboard: `key` names the message, `params` fill it."""

    def __init__(self, key: str, **params: str | int) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def message(self) -> str:
        return t(self.key, **self.params)


class RecordError(UserError):
    """A record the user named is missing or does not fit: the class's `key` names the message
    (in `locale/vi/storage.ftl`), `params` fill it in."""

    key: str = "storage-error"

    def __init__(self, **params: str | int) -> None:
        super().__init__(type(self).key, **params)


class UnknownUnitError(RecordError, LookupError):
    """No active unit has this key. Params: unit."""

    key = "storage-unknown-unit"

    def __init__(self, unit: str) -> None:
        super().__init__(unit=unit)
        self.unit = unit


class UnknownReportError(RecordError, LookupError):
    """No active report has this key. Params: report."""

    key = "storage-unknown-report"

    def __init__(self, report: str) -> None:
        super().__init__(report=report)
        self.report = report


class UnknownInstanceError(RecordError, LookupError):
    """No active report instance has this id. Params: instance."""

    key = "storage-unknown-instance"

    def __init__(self, instance: int) -> None:
        super().__init__(instance=str(instance))
        self.instance = instance


class UnknownInviteError(RecordError, LookupError):
    """No invite has this code. Params: code."""

    key = "storage-unknown-invite"

    def __init__(self, code: str) -> None:
        super().__init__(code=code)
        self.code = code


class InviteUsedError(RecordError):
    """The invite was used already and can no longer be revoked. Params: code."""

    key = "storage-invite-used"

    def __init__(self, code: str) -> None:
        super().__init__(code=code)
        self.code = code


class InviteRoleError(RecordError, ValueError):
    """The role does not fit the unit's type. Params: unit, role, unit_type."""

    key = "storage-invite-role"

    def __init__(self, unit: str, role: str, unit_type: str) -> None:
        super().__init__(unit=unit, role=role, unit_type=unit_type)


class PlanConflictError(RecordError):
    """The plan drops units, reports or instances that have submissions; nothing was written.

    Params: count, units, unit_count, reports, report_count, instances, instance_count
    (the lists are comma-separated keys; an instance is "report-key/instance-key").
    """

    key = "storage-plan-conflict"

    def __init__(
        self, *, units: Sequence[str], reports: Sequence[str], instances: Sequence[str]
    ) -> None:
        self.units = tuple(units)
        self.reports = tuple(reports)
        self.instances = tuple(instances)
        super().__init__(
            count=len(self.units) + len(self.reports) + len(self.instances),
            units=", ".join(self.units),
            unit_count=len(self.units),
            reports=", ".join(self.reports),
            report_count=len(self.reports),
            instances=", ".join(self.instances),
            instance_count=len(self.instances),
        )


class UnknownContactError(RecordError, LookupError):
    """No contact has this id. Params: contact."""

    key = "storage-unknown-contact"

    def __init__(self, contact: int) -> None:
        super().__init__(contact=str(contact))
        self.contact = contact


class NoAccountError(RecordError, LookupError):
    """The contact's person has no active account on that platform. Params: contact, platform
    (the platform's name in words)."""

    key = "storage-no-account"

    def __init__(self, *, contact: int, platform: str) -> None:
        super().__init__(contact=str(contact), platform=platform)
        self.contact = contact


class ContactRoleError(RecordError, ValueError):
    """A contact cannot move to a unit whose type does not fit their role.

    Params: contact, name, unit, role, unit_type.
    """

    key = "storage-contact-role"

    def __init__(self, *, contact: int, name: str, unit: str, role: str, unit_type: str) -> None:
        super().__init__(contact=str(contact), name=name, unit=unit, role=role, unit_type=unit_type)
        self.contact = contact
