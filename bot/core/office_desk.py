"""The Office's own actions, outside chat: the plan, invites, contacts and who has reported.

The CLI reaches them through `bot.services`, which opens the database and builds the adapters;
what the Office did wrong comes back as a UserError or RecordError with its catalog key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.core.errors import InviteUsedError, UnknownInviteError, UnknownUnitError, UserError
from bot.core.i18n import t
from bot.core.model import Contact, InstanceStatus
from bot.core.office import ContactView, InviteView
from bot.core.plan.changes import AppliedPlan, ApplyResult
from bot.core.plan.model import Plan, Role
from bot.core.ports import (
    Invites,
    Notifier,
    PlanRecords,
    ReminderPlanting,
    ReportInstances,
    Roster,
    WebAccess,
)

# The audit's actor for a plan applied by `baocao run --apply-plan` (BAOCAO_PLAN), as opposed
# to the Office's own `baocao plan apply` ("cli").
START_ACTOR = "start"


class OfficeDesk:
    """Invites, the roster and report status, as the Office works them."""

    def __init__(
        self,
        *,
        invites: Invites,
        roster: Roster,
        instances: ReportInstances,
        plans: PlanRecords,
        notifier: Notifier,
        web: WebAccess | None = None,
    ) -> None:
        self.invites = invites
        self.roster = roster
        self.instances = instances
        self.plans = plans
        self.notifier = notifier
        # A moved or removed contact's web sessions end: they spoke for the unit left.
        self.web = web

    async def create_invite(
        self,
        *,
        unit_key: str,
        role: Role,
        ttl: timedelta,
        now: datetime,
        actor: str = "cli",
        same_as: int | None = None,
    ) -> InviteView:
        """A new invite for `unit_key` in `role`, open for `ttl`; `actor` goes in the audit.
        With `same_as`, for that contact's person on another platform (their unit and role)."""
        try:
            if same_as is not None:
                return await self.invites.create_invite(
                    unit_key=unit_key, role=role, now=now, ttl=ttl, actor=actor, same_as=same_as
                )
            return await self.invites.create_invite(
                unit_key=unit_key, role=role, now=now, ttl=ttl, actor=actor
            )
        except UnknownUnitError:
            # Before any plan there is no unit at all: say what to do first.
            if not await self.plans.has_plan():
                raise UserError("invite-error-no-plan", unit=unit_key) from None
            raise

    async def revoke_invite(
        self, *, code: str, now: datetime, actor: str = "cli"
    ) -> tuple[InviteView, bool]:
        """Revoke an unused invite. Returns it, and whether it was revoked now (not before)."""
        try:
            view = await self.invites.revoke_invite(code=code, now=now, actor=actor)
        except UnknownInviteError:
            raise UserError("cli-invite-revoke-unknown", code=code) from None
        except InviteUsedError:
            (used,) = [v for v in await self.invites.invites(now=now) if v.code == code]
            raise UserError(
                "cli-invite-revoke-used", code=code, name=used.used_by_name or "?"
            ) from None
        return view, view.revoked_at == now

    async def list_invites(self, *, now: datetime) -> list[InviteView]:
        return await self.invites.invites(now=now)

    async def status(self, *, report_key: str | None, now: datetime) -> list[InstanceStatus]:
        """Who has reported, per active instance (of one report, or of all)."""
        return await self.instances.status(report_key=report_key, now=now)

    async def round_status(self, *, instance_id: int, now: datetime) -> InstanceStatus | None:
        """Who has reported to one active instance; None when it is not one."""
        return await self.instances.round_status(instance_id=instance_id, now=now)

    async def list_contacts(self) -> list[ContactView]:
        return await self.roster.contacts()

    async def remove_contact(
        self, *, contact_id: int, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, bool, int]:
        """Take a contact off the bot; the person is told. Returns the contact, whether told,
        and how many of their waiting steps ended."""
        contact, ended = await self.roster.remove_contact(
            contact_id=contact_id, now=now, actor=actor
        )
        await self._end_web_sessions(contact_id, now)
        text = _with_ended(t("contact-removed-notice", unit=contact.unit_name), ended)
        return contact, await self.notifier.notify(contact, text), ended

    async def move_contact(
        self, *, contact_id: int, unit_key: str, now: datetime, actor: str = "cli"
    ) -> tuple[Contact, bool, int]:
        """Move a contact to another unit; the person is told. Returns the contact, whether
        told, and how many of their waiting steps ended (they were started for the unit
        left)."""
        contact, ended = await self.roster.move_contact(
            contact_id=contact_id, unit_key=unit_key, now=now, actor=actor
        )
        await self._end_web_sessions(contact_id, now)
        text = t(
            "contact-moved-notice", unit=contact.unit_name, role=t(f"role-{contact.role.value}")
        )
        return contact, await self.notifier.notify(contact, _with_ended(text, ended)), ended

    async def reach_on(
        self, *, contact_id: int, platform: str, now: datetime, actor: str = "cli"
    ) -> Contact:
        """Have reminders and summaries reach the contact's person on `platform`; their
        account there. Raises UnknownContactError and NoAccountError."""
        return await self.roster.reach_on(
            contact_id=contact_id, platform=platform, now=now, actor=actor
        )

    async def _end_web_sessions(self, contact_id: int, now: datetime) -> None:
        if self.web is not None:
            await self.web.end_contact_sessions(contact_id=contact_id, now=now)


class PlanDesk:
    """Applying the plan, by hand or at start, and telling the Office what changed.

    `same_file` says whether two paths as typed name one file (the caller knows the folder
    they are relative to).
    """

    def __init__(
        self,
        *,
        plans: PlanRecords,
        reminders: ReminderPlanting,
        same_file: Callable[[str, str], bool],
    ) -> None:
        self.plans = plans
        self.reminders = reminders
        self.same_file = same_file

    async def apply(
        self, plan: Plan, *, path: str, archive: bool, now: datetime, actor: str = "cli"
    ) -> list[str]:
        """Apply `plan`, plant its reminders, and describe what changed, one line per kind
        of change."""
        result = await self.plans.apply_plan(plan, path=path, archive=archive, now=now, actor=actor)
        planted = await self.reminders.plant(plan, now=now)
        return describe_apply(result, path=path, planted=planted)

    async def apply_at_start(self, plan: Plan, *, path: str, now: datetime) -> list[str]:
        """Apply BAOCAO_PLAN on start only if its file changed since it was applied from
        `path`.

        A plan the Office applied by hand from another file since is kept: applying the
        start-up file again would archive it silently. One applied at an earlier start, from
        the file BAOCAO_PLAN named then, gives way: pointing the setting at another file is
        the change. Returns what was done, in words.
        """
        stored = await self.plans.applied_plan()
        by = await self.plans.applied_by()
        if stored is not None:
            if not self.same_file(stored.path, path):
                if by != START_ACTOR:
                    return [t("run-plan-skipped", file=path, applied=stored.path)]
            elif stored.source == plan.source:
                return [t("run-plan-unchanged", file=path)]
        return await self.apply(plan, path=path, archive=False, now=now, actor=START_ACTOR)

    async def applied(self) -> AppliedPlan | None:
        return await self.plans.applied_plan()


def describe_apply(result: ApplyResult, *, path: str, planted: int) -> list[str]:
    """What an apply changed, in words: one line per kind of change, then the reminders."""
    if not result.changed:
        lines = [t("apply-unchanged", file=path)]
        if planted:
            lines.append(t("apply-reminders", count=planted))
        return lines
    lines = [t("apply-done", file=path)]
    for kind in ("units", "reports", "instances"):
        for change in ("added", "updated", "archived", "restored"):
            keys: Sequence[str] = getattr(getattr(result, kind), change)
            if kind == "instances":
                keys = [_instance_label(key) for key in keys]
            if keys:
                lines.append(t(f"apply-{kind}-{change}", count=len(keys), keys=_some(keys)))
    if planted:
        lines.append(t("apply-reminders", count=planted))
    return lines


def _instance_label(key: str) -> str:
    """ "report-key/once" -> the report key with the instance named in words."""
    report, _, instance = key.partition("/")
    shown = t("instance-once") if instance == "once" else instance
    return t("apply-instance", report=report, instance=shown)


def _some(keys: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(keys[:limit])
    return t("apply-and-more", keys=shown, count=len(keys) - limit) if len(keys) > limit else shown


def _with_ended(text: str, ended: int) -> str:
    """A notice, and that the step the person was in the middle of did not go through."""
    return f"{text}\n\n{t('contact-steps-ended-notice')}" if ended else text
