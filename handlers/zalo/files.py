"""Files published for a few minutes at an unguessable URL of the web app, for Zalo to fetch.

Zalo's `sendPhoto` takes a URL, never bytes, and Zalo bots cannot send documents at all: a chart
goes out as a photo Zalo's servers fetch from here, an export as a link the person opens. Each
file is kept under the data folder, in a folder of its own, with a small JSON beside it (its
name, type, expiry and fetches so far); it is served to at most `max_fetches` requests within
`ttl`, then swept. Only what was meant for that chat is ever published here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

FOLDER = "zalo_tep"
ROUTE = "/zalo/tep"
TTL = timedelta(minutes=10)
MAX_FETCHES = 3  # Zalo's servers may fetch a photo more than once (a retry, a preview)
_TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class Published:
    path: Path
    name: str
    content_type: str


def _key(token: str) -> str | None:
    """Where a token's file lies: the hash of the token, so the folder's listing gives no URL."""
    if not token or len(token) > 128 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()


class OneTimeFiles:
    """The published files, on disk; every method blocks briefly (call from a thread)."""

    def __init__(
        self,
        folder: Path,
        base_url: str,
        *,
        ttl: timedelta = TTL,
        max_fetches: int = MAX_FETCHES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.folder = folder
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl
        self.max_fetches = max_fetches
        self._clock = clock

    def publish(self, source: Path, *, name: str, content_type: str) -> str:
        """Copy `source` in and return the URL it is served at for `ttl`."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.sweep()
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        key = _key(token)
        assert key is not None
        data = self.folder / f"{key}.bin"
        with source.open("rb") as reading, data.open("xb") as writing:
            shutil.copyfileobj(reading, writing)
        os.chmod(data, 0o600)
        expires = self._clock() + self.ttl
        self._write_meta(
            key, {"name": name, "type": content_type, "expires": expires.isoformat(), "fetches": 0}
        )
        return f"{self.base_url}{ROUTE}/{token}"

    def take(self, token: str) -> Published | None:
        """The file for `token`, counting one fetch; None when unknown, expired or used up."""
        key = _key(token)
        if key is None:
            return None
        meta = self._read_meta(key)
        if meta is None:
            return None
        try:
            expires = datetime.fromisoformat(str(meta["expires"]))
            fetches = int(meta["fetches"])  # type: ignore[call-overload]
        except (KeyError, TypeError, ValueError):
            self._remove(key)
            return None
        if self._clock() >= expires or fetches >= self.max_fetches:
            self._remove(key)
            return None
        meta["fetches"] = fetches + 1
        self._write_meta(key, meta)
        data = self.folder / f"{key}.bin"
        if not data.is_file():
            self._remove(key)
            return None
        return Published(path=data, name=str(meta["name"]), content_type=str(meta["type"]))

    def sweep(self) -> int:
        """Remove what has expired or was fetched its last time; how many files went."""
        if not self.folder.is_dir():
            return 0
        now = self._clock()
        removed = 0
        for meta_path in self.folder.glob("*.json"):
            key = meta_path.stem
            meta = self._read_meta(key)
            try:
                done = meta is None or (
                    now >= datetime.fromisoformat(str(meta["expires"]))
                    or int(meta["fetches"]) >= self.max_fetches  # type: ignore[call-overload]
                )
            except (KeyError, TypeError, ValueError):
                done = True
            if done:
                self._remove(key)
                removed += 1
        # A file whose JSON was never written (a crash between the two): old enough, it goes.
        for data in self.folder.glob("*.bin"):
            if not (self.folder / f"{data.stem}.json").exists():
                with contextlib.suppress(OSError):
                    age = now.timestamp() - data.stat().st_mtime
                    if age > self.ttl.total_seconds():
                        data.unlink()
        return removed

    def _read_meta(self, key: str) -> dict[str, object] | None:
        try:
            meta = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return meta if isinstance(meta, dict) else None

    def _write_meta(self, key: str, meta: dict[str, object]) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(meta, stream)
            os.replace(temporary, self.folder / f"{key}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def _remove(self, key: str) -> None:
        for suffix in (".json", ".bin"):
            with contextlib.suppress(OSError):
                (self.folder / f"{key}{suffix}").unlink()
