"""Errors a user's input can cause in storage, where storage's callers have always found them.

They are the domain's (`bot.core.errors`): the Office's use cases raise and catch them too.
Each carries a catalog key and its arguments (`bot/core/locale/vi/storage.ftl`); render with
`bot.core.i18n.t(error.key, **error.params)`.
"""

from __future__ import annotations

from bot.core.errors import (
    ContactRoleError,
    InviteRoleError,
    InviteUsedError,
    NoAccountError,
    PlanConflictError,
    UnknownContactError,
    UnknownInstanceError,
    UnknownInviteError,
    UnknownReportError,
    UnknownUnitError,
)
from bot.core.errors import RecordError as StorageError

__all__ = [
    "ContactRoleError",
    "InviteRoleError",
    "InviteUsedError",
    "NoAccountError",
    "PlanConflictError",
    "StorageError",
    "UnknownContactError",
    "UnknownInstanceError",
    "UnknownInviteError",
    "UnknownReportError",
    "UnknownUnitError",
]
