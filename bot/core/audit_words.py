"""The audit trail in words: who made a change and what it was, for the dashboard and the CLI."""

from __future__ import annotations

import json
from collections.abc import Mapping

from bot.core.archive import round_name
from bot.core.i18n import t
from bot.core.ports import AuditEntry

# The actions the storage writes, each with the message that says it and the detail fields
# that message takes (missing ones are shown as "?").
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "invite.create": ("dash-audit-invite-create", ("code", "unit", "role")),
    "invite.revoke": ("dash-audit-invite-revoke", ("code", "unit")),
    "invite.redeem": ("dash-audit-invite-redeem", ("code", "unit", "role", "contact_id")),
    "contact.remove": ("dash-audit-contact-remove", ("contact_id", "unit")),
    "contact.move": ("dash-audit-contact-move", ("contact_id", "from", "to")),
    "contact.reach": ("audit-contact-reach", ("contact_id", "platform")),
    "contact.export": ("audit-contact-export", ("contact_id",)),
    "contact.forget": ("audit-contact-forget", ("contact_id",)),
    "plan.apply": ("dash-audit-plan-apply", ("path",)),
    "office_group.bind": ("dash-audit-office-group", ("platform", "title")),
    "submission.create": (
        "audit-submission-create",
        ("unit", "report", "instance", "version", "receipt"),
    ),
    "export.xlsx": ("audit-export-xlsx", ("report", "instance")),
    "export.zip": ("audit-export-zip", ("report", "instance")),
    "web.link": ("audit-web-link", ("role", "contact_id")),
    "web.sign_in": ("audit-web-sign-in", ("role", "contact_id")),
    "web.logout_all": ("audit-web-logout-all", ("sessions",)),
}
ROLES = {"head", "office", "leader"}


def actor_words(actor: str) -> str:
    """Who made a change, in words: the CLI, the start-up plan, someone on the web, a contact,
    or the actor as written."""
    kind, _, name = actor.partition(":")
    if actor == "cli":
        return t("dash-audit-actor-cli")
    if actor == "start":
        return t("dash-audit-actor-start")
    if actor == "web:office":
        return t("audit-actor-web-office")
    if kind == "web" and name:
        return t("dash-audit-actor-web", name=actor_words(name))
    if kind == "contact" and name:
        return t("dash-audit-actor-contact", contact=name)
    return actor


def detail_words(entry: AuditEntry) -> str:
    """What the change was, in words; an action not known here as its details."""
    known = ACTIONS.get(entry.action)
    if known is None:
        return json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True, default=str)
    key, fields = known
    args = {name.replace("_id", ""): _value(entry.detail, name) for name in fields}
    if args.get("instance") == "once":
        args["instance"] = round_name("once")
    if "role" in args and args["role"] in ROLES:
        args["role"] = t(f"role-{args['role']}")
    if entry.action == "plan.apply" and entry.detail.get("archive"):
        return t(key, **args) + " " + t("dash-audit-plan-archived")
    return t(key, **args)


def _value(detail: Mapping[str, object], name: str) -> str:
    value = detail.get(name)
    return "?" if value is None or value == "" else str(value)
