"""Settings from the environment and `.env`, all prefixed `BAOCAO_`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SEED_PLAN = Path("plans/ke-hoach-dan-chu-co-so-2024.yaml")

# What a user may write for BAOCAO_DATABASE_URL, and the driver baocao runs it on. Only forms
# that name one database and one async driver without doubt are rewritten.
DATABASE_SCHEMES = {
    "postgresql+asyncpg": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "sqlite": "sqlite+aiosqlite",
}

_TOKEN_FORM = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")


class Settings(BaseSettings):
    """Everything `baocao` reads from its environment. `.env.example` documents each one.

    An empty value (`BAOCAO_TELEGRAM_TOKEN=` as copied from `.env.example`) means unset, for
    every setting: the default applies, as if the line were not there.
    """

    model_config = SettingsConfigDict(
        env_prefix="BAOCAO_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str | None = None  # e.g. a local Bot API server; None: api.telegram.org
    telegram_bot_username: str | None = None  # for invite links; asked from getMe when unset
    database_url: str | None = None  # None: SQLite in data_dir
    data_dir: Path = Path("data")
    data_group_read: bool = False  # let the data folder's group read it (0750/0640, not 0700/0600)
    timezone: str = "Asia/Ho_Chi_Minh"
    plan: Path = SEED_PLAN
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    invite_days: int = Field(default=14, ge=1, le=365)
    telegram_polling: bool = True  # receive messages here; one process per bot token may
    telegram_rate_limit: bool = True  # keep to Telegram's limits (30/s, 20/min per group)
    reminders: bool = True  # send reminders and summaries from this process
    reminder_tick: float = Field(default=5.0, gt=0, le=3600)  # seconds between dispatch passes
    reminder_lease: float = Field(default=60.0, gt=0)  # seconds a claim outlives its last renewal

    @field_validator(
        "telegram_token", "telegram_api_url", "telegram_bot_username", "database_url", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """Blank (spaces only) is unset too, and a value keeps no spaces around it."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("telegram_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        """A token is digits, a colon, then letters, digits, _ or -: anything else is a copying
        mistake (a quote, a space, half of it), said before Telegram is asked."""
        if value is not None and not _TOKEN_FORM.fullmatch(value.get_secret_value()):
            raise PydanticCustomError("baocao_token", "not a bot token")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.lower().startswith(("http://", "https://")):
            raise PydanticCustomError("baocao_api_url", "not an http(s) URL")
        scheme, _, rest = value.partition("://")
        if "/" not in rest.rstrip("/"):  # just the server: its Bot API lives under /bot
            return f"{scheme}://{rest.rstrip('/')}/bot"
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _strip_at(cls, value: str | None) -> str | None:
        return value.lstrip("@") or None if value is not None else None

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str | None) -> str | None:
        """`postgresql://...` and `sqlite:///x.db` as people write them, on our async drivers."""
        if value is None:
            return None
        scheme, separator, rest = value.partition("://")
        driver = DATABASE_SCHEMES.get(scheme.lower())
        if not separator or driver is None or not rest.strip("/"):
            raise PydanticCustomError("baocao_database_url", "unsupported database URL")
        if driver == "sqlite+aiosqlite" and (not rest.startswith("/") or rest.strip("/") == ""):
            raise PydanticCustomError("baocao_database_url", "a SQLite URL needs a file")
        return f"{driver}://{rest}"

    @field_validator("data_dir")
    @classmethod
    def _check_data_dir(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise PydanticCustomError("baocao_data_dir", "not a folder")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError("baocao_timezone", "unknown timezone") from None
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        """`BAOCAO_ADMINS=123,@nguyenvana` is a comma-separated list of ids or usernames."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        from storage.db import database_url_for

        return database_url_for(self.data_dir, group_read=self.data_group_read)
