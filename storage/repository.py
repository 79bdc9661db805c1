"""Every record the chat use cases need, in one object: implements bot.core.ports.Repository.

Each aggregate has its own module and class (contacts, office groups, report instances,
submissions, pending steps, the audit trail); this class is their union, as the Repository port
is the union of theirs. It also carries the roster (storage.roster), which the Office's use
cases reach on their own. Each use case that writes runs in one `write_session` (BEGIN IMMEDIATE
on SQLite, row locks on PostgreSQL) inside one of them, so nothing is ever half-written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.audit import SqlAuditLog
from storage.contacts import SqlContactBook
from storage.files import LocalFileStore
from storage.instances import SqlReportInstances
from storage.office_groups import SqlOfficeGroups
from storage.pending import SqlPendingSteps
from storage.personal import SqlPersonalRecords
from storage.roster import SqlRoster
from storage.signature_records import SqlSignatureRecords
from storage.submissions import SqlSubmissions

if TYPE_CHECKING:
    from bot.core.ports import FileStore, Repository


class SqlRepository(
    SqlContactBook,
    SqlRoster,
    SqlOfficeGroups,
    SqlReportInstances,
    SqlSubmissions,
    SqlPendingSteps,
    SqlAuditLog,
    SqlSignatureRecords,
    SqlPersonalRecords,
):
    """Contacts, invites, instances, submissions and pending steps in the database.

    `files` receives submitted files; a submission row and its stored file land together.
    """

    def __init__(self, engine: AsyncEngine, files: LocalFileStore) -> None:
        # Every part reads `engine`; only submissions also store `files`.
        self.engine = engine
        self.files = files


if TYPE_CHECKING:

    def _implements_ports(
        repository: SqlRepository, files: LocalFileStore
    ) -> tuple[Repository, FileStore]:
        return repository, files
