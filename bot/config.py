"""Settings from the environment and `.env`, all prefixed `BAOCAO_`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SEED_PLAN = Path("plans/ke-hoach-dan-chu-co-so-2024.yaml")


class Settings(BaseSettings):
    """Everything `baocao` reads from its environment. `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_prefix="BAOCAO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str | None = None  # e.g. a local Bot API server; None: api.telegram.org
    telegram_bot_username: str | None = None  # for invite links; asked from getMe when unset
    database_url: str | None = None  # None: SQLite in data_dir
    data_dir: Path = Path("data")
    timezone: str = "Asia/Ho_Chi_Minh"
    plan: Path = SEED_PLAN
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    invite_days: int = Field(default=14, ge=1, le=365)
    telegram_polling: bool = True  # receive messages here; one process per bot token may
    telegram_rate_limit: bool = True  # keep to Telegram's limits (30/s, 20/min per group)
    reminders: bool = True  # send reminders and summaries from this process
    reminder_tick: float = Field(default=5.0, gt=0, le=3600)  # seconds between dispatch passes
    reminder_lease: float = Field(default=60.0, gt=0)  # seconds a claim outlives its last renewal

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

        return database_url_for(self.data_dir)
