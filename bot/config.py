"""Settings from the environment and `.env`, all prefixed `BAOCAO_`."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit
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

# Query parameters of a PostgreSQL URL: libpq's names (what psql and hosting panels print) become
# asyncpg's; asyncpg's own pass through. Any other name would reach asyncpg as an argument it
# does not take, a crash at the first connection.
_LIBPQ_TO_ASYNCPG = {"sslmode": "ssl", "connect_timeout": "timeout"}
_ASYNCPG_QUERY = {
    "ssl",
    "timeout",
    "command_timeout",
    "statement_cache_size",
    "prepared_statement_cache_size",
    "target_session_attrs",
    "passfile",
    "direct_tls",
}

# BAOCAO_ names in .env that are not settings but are still read: by tests and for bug reports.
OTHER_NAMES = frozenset({"BAOCAO_DEBUG", "BAOCAO_TEST_POSTGRES_URL"})

_TOKEN_FORM = re.compile(r"[0-9]+:[A-Za-z0-9_-]+")
_USERNAME_FORM = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")  # Telegram's: 5 to 32 characters
# Zalo's bot tokens are digits, a colon and a long key; any visible ASCII without spaces or
# quotes is accepted, so that a copying mistake (a space, quotes) is said before Zalo is asked.
_ZALO_TOKEN_FORM = re.compile(r"[A-Za-z0-9:_\-.]{10,300}")
_WEBHOOK_SECRET_FORM = re.compile(r"[A-Za-z0-9_-]{8,256}")  # what Zalo accepts as secret_token
ZALO_API_URL = "https://bot-api.zaloplatforms.com"


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
    # CA certificates (a PEM/DER file or a folder of them) that signers' certificates are
    # checked against; None: trust in a submitted PDF's signer is reported as not checked.
    trust_roots: Path | None = None
    # The web app: where it listens, how its links are written behind a proxy (None:
    # http://WEB_HOST:WEB_PORT), the largest file one upload may carry, and whether this process
    # serves it at all (off for a second process on the same database).
    web: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    public_url: str | None = None
    web_max_mb: int = Field(default=200, ge=1, le=100_000)
    # Zalo: the bot's token, its Bot API server, and, to receive by webhook through the web
    # app rather than by polling, the secret Zalo sends with every call. The bot's public
    # link (https://zalo.me/...), when known, is what invite QR codes open.
    zalo_token: SecretStr | None = None
    zalo_api_url: str = ZALO_API_URL
    zalo_webhook_secret: SecretStr | None = None
    zalo_bot_link: str | None = None
    zalo_polling: bool = True  # receive messages here (without a webhook); one process per token
    # Telegram by webhook through the web app (several instances behind a load balancer): the
    # secret Telegram sends with every call. `webhook` (or `baocao run --webhook`) puts every
    # configured chat platform in webhook mode, and then each one's secret is required.
    telegram_webhook_secret: SecretStr | None = None
    webhook: bool = False
    # Telegram's limits (30 messages a second, 20 a minute per group) are the bot's, not a
    # process's: with `shared_rate_limit` every instance draws from one budget in the
    # database (handlers/telegram/limiter.py); `telegram_rate` is the overall rate it keeps.
    shared_rate_limit: bool = True
    telegram_rate: float = Field(default=29.4, gt=0, le=30)
    # Daily backups at 02:00 local time (storage/backup.py): the newest `backup_keep` are kept
    # in `backup_dir` (None: data_dir/sao-luu); 0 turns them off.
    backup_dir: Path | None = None
    backup_keep: int = 7
    # /metrics (bot/ops.py): when set, Prometheus reads it from anywhere with this Bearer
    # token; unset, only from this machine and not through a proxy.
    metrics_token: SecretStr | None = None
    # Whom a contact asks about their personal data (the registration notice, /dulieu), e.g.
    # the Office and its phone number; None: the Office, unnamed.
    privacy_contact: str | None = None

    @field_validator(
        "telegram_token",
        "telegram_api_url",
        "telegram_bot_username",
        "database_url",
        "zalo_token",
        "zalo_webhook_secret",
        "telegram_webhook_secret",
        "zalo_bot_link",
        "metrics_token",
        "privacy_contact",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """Blank (spaces only) is unset too, and a value keeps no spaces around it."""
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("public_url", mode="before")
    @classmethod
    def _check_public_url(cls, value: object) -> object:
        """An http(s) address without a query: sign-in links are written under it."""
        if isinstance(value, str):
            value = value.strip().rstrip("/") or None
        if value is None:
            return None
        if not isinstance(value, str):
            raise PydanticCustomError("baocao_public_url", "not an http(s) URL")
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise PydanticCustomError("baocao_public_url", "not an http(s) URL")
        if parts.query or parts.fragment or " " in value:
            raise PydanticCustomError("baocao_public_url", "not an http(s) URL")
        return value

    @field_validator("telegram_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        """A token is digits, a colon, then letters, digits, _ or -: anything else is a copying
        mistake (a quote, a space, half of it), said before Telegram is asked."""
        if value is not None and not _TOKEN_FORM.fullmatch(value.get_secret_value()):
            raise PydanticCustomError("baocao_token", "not a bot token")
        return value

    @field_validator("zalo_token")
    @classmethod
    def _check_zalo_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _ZALO_TOKEN_FORM.fullmatch(value.get_secret_value()):
            raise PydanticCustomError("baocao_zalo_token", "not a Zalo bot token")
        return value

    @field_validator("zalo_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET_FORM.fullmatch(value.get_secret_value()):
            raise PydanticCustomError("baocao_zalo_webhook_secret", "not a webhook secret")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_telegram_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram takes 1 to 256 of A-Z a-z 0-9 _ -; fewer than 8 would be guessed."""
        if value is not None and not _WEBHOOK_SECRET_FORM.fullmatch(value.get_secret_value()):
            raise PydanticCustomError("baocao_telegram_webhook_secret", "not a webhook secret")
        return value

    @field_validator("zalo_api_url", mode="before")
    @classmethod
    def _check_zalo_api_url(cls, value: object) -> object:
        """The server only (its methods live under /bot<TOKEN>/), http(s); blank: Zalo's."""
        if isinstance(value, str):
            value = value.strip().rstrip("/") or ZALO_API_URL
            parts = urlsplit(value)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise PydanticCustomError("baocao_zalo_api_url", "not an http(s) URL")
            if parts.query or parts.fragment or " " in value:
                raise PydanticCustomError("baocao_zalo_api_url", "not an http(s) URL")
        return value

    @field_validator("zalo_bot_link")
    @classmethod
    def _check_bot_link(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in value:
            raise PydanticCustomError("baocao_zalo_bot_link", "not an http(s) URL")
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
        """`@name` and a copied `https://t.me/name` are the name; one Telegram could not give
        a bot (it needs 5 to 32 letters, digits or _, ending in "bot") would print dead links."""
        if value is None:
            return None
        for prefix in ("https://", "http://", "t.me/", "telegram.me/"):
            value = value.removeprefix(prefix)
        name = value.rstrip("/").lstrip("@")
        if not _USERNAME_FORM.fullmatch(name) or not name.lower().endswith("bot"):
            raise PydanticCustomError("baocao_bot_username", "not a bot username")
        return name

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
        if driver == "sqlite+aiosqlite":
            if not rest.startswith("/") or rest.strip("/") == "" or "?" in rest:
                # A query (?mode=ro) would be ignored by the driver, with an English warning.
                raise PydanticCustomError("baocao_database_url", "a SQLite URL needs a file")
            # SQLite creates the file, not its folder; aiosqlite's failed open can outlive the
            # event loop and print a thread's traceback. A missing folder is a typo: named.
            folder = Path(rest[1:]).parent
            if not folder.is_dir():
                raise PydanticCustomError(
                    "baocao_database_folder", "no such folder", {"folder": str(folder)}
                )
            return f"{driver}://{rest}"
        return f"{driver}://{_postgresql_rest(rest)}"

    @field_validator("reminder_lease")
    @classmethod
    def _check_lease(cls, value: float) -> float:
        """A lease is added to the clock's datetimes: past a day it would only keep a dead
        process's reminders; infinity overflows them and stops the reminders at start."""
        if value > 86_400:
            raise PydanticCustomError("baocao_lease", "lease longer than a day")
        return value

    @field_validator("trust_roots")
    @classmethod
    def _check_trust_roots(cls, value: Path | None) -> Path | None:
        """A path that is not there is a typo: said at start, not found out from receipts
        that quietly report every signer's authority as not checked."""
        if value is None:
            return None
        value = value.expanduser()
        try:
            there = value.exists()
        except OSError:
            there = False
        if not there:
            raise PydanticCustomError("baocao_trust_roots", "no such file or folder")
        return value

    @field_validator("backup_keep", mode="before")
    @classmethod
    def _check_backup_keep(cls, value: object) -> object:
        """A count from 0 to 1000, said in words for any other value (a unit, a minus)."""
        text = str(value).strip() if isinstance(value, str | int) else ""
        if not text.isdigit() or isinstance(value, bool) or int(text) > 1000:
            raise PydanticCustomError("baocao_backup_keep", "not a count of backups")
        return int(text)

    @field_validator("backup_dir")
    @classmethod
    def _check_backup_dir(cls, value: Path | None) -> Path | None:
        if value is None:
            return None
        value = value.expanduser()
        try:
            is_file = value.exists() and not value.is_dir()
        except OSError:
            return value
        if is_file:
            raise PydanticCustomError("baocao_backup_dir", "not a folder")
        return value

    @field_validator("data_dir", "plan")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        """`~/baocao` as in a shell: .env is read by no shell, and the folder `~` that would
        otherwise appear beside baocao is never what was meant."""
        return value.expanduser()

    @field_validator("data_dir")
    @classmethod
    def _check_data_dir(cls, value: Path) -> Path:
        try:
            is_file = value.exists() and not value.is_dir()
        except OSError:  # cannot even look (a name too long, no access): opening it says why
            return value
        if is_file:
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

    @field_validator("admins")
    @classmethod
    def _check_admins(cls, value: list[str]) -> list[str]:
        """Each admin is a Telegram user id (digits) or a username (`@` added if left out):
        anything else, a `;` list or a name too short for Telegram, would match nobody."""
        admins = []
        for entry in value:
            if entry.isdigit():
                admins.append(entry)
            elif _USERNAME_FORM.fullmatch(entry.removeprefix("@")):
                admins.append("@" + entry.removeprefix("@"))
            else:
                raise PydanticCustomError("baocao_admins", "not an admin", {"entry": entry})
        return admins

    def resolved_backup_dir(self) -> Path:
        """Where the daily backups go."""
        return self.backup_dir if self.backup_dir is not None else self.data_dir / "sao-luu"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        from storage.db import database_url_for

        return database_url_for(self.data_dir, group_read=self.data_group_read)


def _postgresql_rest(rest: str) -> str:
    """The part after `postgresql://`, checked as far as it can be without connecting: a port
    that is a number, brackets that close, query parameters asyncpg takes (libpq's renamed)."""
    try:
        parts = urlsplit("//" + rest)
        parts.port  # noqa: B018  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        raise PydanticCustomError("baocao_database_url", "unreadable server part") from None
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        name = _LIBPQ_TO_ASYNCPG.get(name, name)
        if name not in _ASYNCPG_QUERY:
            raise PydanticCustomError("baocao_database_url", "unknown URL parameter")
        query.append((name, value))
    base = rest.partition("?")[0]
    if parts.netloc.count("@") > 1:
        # A password with an unencoded @: the server follows the last @, as in every URL
        # parser but SQLAlchemy's, which would take the rest of the password for the server.
        userinfo, _, server = parts.netloc.rpartition("@")
        base = userinfo.replace("@", "%40") + "@" + server + base[len(parts.netloc) :]
    return f"{base}?{urlencode(query)}" if query else base


def unknown_names(env_file: Path = Path(".env")) -> list[tuple[str, str | None]]:
    """BAOCAO_ names in `env_file` that baocao does not read, each with the setting it most
    likely means: settings ignore unknown names, so a misspelt one would leave its setting at
    the default without a word."""
    if not env_file.is_file():
        return []
    from dotenv import dotenv_values

    known = {name.upper() for name in Settings.model_fields}
    found = []
    for name in dotenv_values(env_file, encoding="utf-8"):
        upper = name.strip().upper()
        if upper.startswith("BAOCAO_") and upper not in OTHER_NAMES:
            word = upper.removeprefix("BAOCAO_")
            if word not in known:
                likely = _likely_setting(word, sorted(known))
                found.append((name.strip(), f"BAOCAO_{likely}" if likely else None))
    return found


def _likely_setting(word: str, known: list[str]) -> str | None:
    """The setting a mistyped name most likely means: the one it is the end or start of
    (TOKEN: TELEGRAM_TOKEN), else the closest spelling (DATABSE_URL: DATABASE_URL)."""
    part = [name for name in known if name.endswith("_" + word) or name.startswith(word + "_")]
    if len(part) > 1 and word == "TOKEN":
        # The bot token was BAOCAO_TOKEN once: Zalo's and the metrics' came after it.
        part = [name for name in part if name == "TELEGRAM_TOKEN"]
    if len(part) == 1:
        return part[0]
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.7)
    return close[0] if close else None
