"""Errors a user's input can cause in storage: each carries a catalog key and its arguments.

The catalog is `bot/core/locale/vi/storage.ftl`;
render with `bot.core.i18n.t(error.key, **error.params)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.errors import UserError


class StorageError(UserError):
    """What the records refuse: one kind of the domain's one error type, its key per class."""

    key: str = "storage-error"

    def __init__(self, **params: str | int) -> None:
        super().__init__(type(self).key, **params)


class UnknownUnitError(StorageError, LookupError):
    """No active unit has this key. Params: unit."""

    key = "storage-unknown-unit"

    def __init__(self, unit: str) -> None:
        super().__init__(unit=unit)
        self.unit = unit


class UnknownReportError(StorageError, LookupError):
    """No active report has this key. Params: report."""

    key = "storage-unknown-report"

    def __init__(self, report: str) -> None:
        super().__init__(report=report)
        self.report = report


class UnknownInstanceError(StorageError, LookupError):
    """No active report instance has this id. Params: instance."""

    key = "storage-unknown-instance"

    def __init__(self, instance: int) -> None:
        super().__init__(instance=str(instance))
        self.instance = instance


class UnknownInviteError(StorageError, LookupError):
    """No invite has this code. Params: code."""

    key = "storage-unknown-invite"

    def __init__(self, code: str) -> None:
        super().__init__(code=code)
        self.code = code


class InviteUsedError(StorageError):
    """The invite was used already and can no longer be revoked. Params: code."""

    key = "storage-invite-used"

    def __init__(self, code: str) -> None:
        super().__init__(code=code)
        self.code = code


class InviteRoleError(StorageError, ValueError):
    """The role does not fit the unit's type. Params: unit, role, unit_type."""

    key = "storage-invite-role"

    def __init__(self, unit: str, role: str, unit_type: str) -> None:
        super().__init__(unit=unit, role=role, unit_type=unit_type)


class PlanConflictError(StorageError):
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


class UnknownContactError(StorageError, LookupError):
    """No contact has this id. Params: contact."""

    key = "storage-unknown-contact"

    def __init__(self, contact: int) -> None:
        super().__init__(contact=str(contact))
        self.contact = contact


class ContactRoleError(StorageError, ValueError):
    """A contact cannot move to a unit whose type does not fit their role.

    Params: contact, name, unit, role, unit_type.
    """

    key = "storage-contact-role"

    def __init__(self, *, contact: int, name: str, unit: str, role: str, unit_type: str) -> None:
        super().__init__(contact=str(contact), name=name, unit=unit, role=role, unit_type=unit_type)
        self.contact = contact
