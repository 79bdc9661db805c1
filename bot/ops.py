"""Operations: the health checks behind /healthz and what the web app is given for operators.

The checks are cheap enough for a load balancer probing every few seconds: one `SELECT 1`
with a short timeout, and one small file created and removed in the file store's staging
area (the folder every upload lands in first, on the shared store in a two-machine setup).
A change of state is logged once, in one line; a probe that finds things as they were says
nothing, so that the log is not one line per probe.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from storage.files import LocalFileStore

log = logging.getLogger("baocao.ops")

# A database that takes longer than this to answer SELECT 1 is as good as down for the
# load balancer; the same for a file store that takes this long to create a small file.
CHECK_TIMEOUT = 2.0


class Health:
    """The database answers, and the file store takes a new file."""

    def __init__(
        self, engine: AsyncEngine, files: LocalFileStore, *, timeout: float = CHECK_TIMEOUT
    ) -> None:
        self.engine = engine
        self.files = files
        self.timeout = timeout
        self._last: dict[str, bool] = {}
        # A file store that hangs (an NFS server gone) keeps its thread: probes meanwhile
        # report it failing rather than pile up threads the charts and downloads need.
        self._writing: asyncio.Future[None] | None = None

    async def check(self) -> dict[str, bool]:
        """Each part's state, checked now (both at once)."""
        database, files = await asyncio.gather(self._database(), self._files())
        results = {"database": database, "files": files}
        for part, fine in results.items():
            # A failure was said by the check itself, with its kind of error.
            if fine and not self._last.get(part, True):
                log.info("health: %s answers again", part)
            self._last[part] = fine
        return results

    async def _database(self) -> bool:
        try:
            async with asyncio.timeout(self.timeout), self.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except Exception as error:
            self._failed("database", error)
            return False
        return True

    async def _files(self) -> bool:
        if self._writing is not None and not self._writing.done():
            self._failed("files", TimeoutError())
            return False
        self._writing = asyncio.ensure_future(asyncio.to_thread(self._write_and_remove))
        # Its error is read here when awaited in time, and dropped when it comes too late.
        self._writing.add_done_callback(lambda done: done.cancelled() or done.exception())
        try:
            await asyncio.wait_for(asyncio.shield(self._writing), self.timeout)
        except Exception as error:
            self._failed("files", error)
            return False
        return True

    def _write_and_remove(self) -> None:
        path = self.files.staging_path(".tmp")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, b"ok")
        finally:
            os.close(descriptor)
            self.files.discard(path)

    def _failed(self, part: str, error: BaseException) -> None:
        """Say once, in one line, that `part` stopped answering and the kind of error (not
        its text: a driver's message may carry the server's address or the user name)."""
        if self._last.get(part, True):
            kind = "timeout" if isinstance(error, TimeoutError) else type(error).__name__
            log.warning("health: %s does not answer (%s)", part, kind)
