"""Errors the user caused: each names a catalog message, so the user never reads a traceback.

One type for the whole product: the records' refusals (`storage.errors.StorageError`) are
UserErrors too, so one handler turns any of them into words.
"""

from __future__ import annotations

from bot.core.i18n import t


class UserError(Exception):
    """A domain error for the person at the keyboard: `key` names the message, `params` fill it."""

    def __init__(self, key: str, **params: str | int) -> None:
        super().__init__(key, params)
        self.key = key
        self.params = params

    def message(self) -> str:
        return t(self.key, **self.params)
