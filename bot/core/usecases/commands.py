"""The bot's commands in one table: the router dispatches by it, platforms list it in their
command menus, and a test holds the help texts to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum

from bot.core.usecases import (
    archive,
    asking,
    choices,
    compiling,
    exporting,
    office,
    personal,
    reaching,
    registration,
    web,
)
from bot.core.usecases.context import Context, Request

Handler = Callable[[Context, Request], Awaitable[None]]


class Who(Enum):
    """Who may use a command. Strangers only ever reach ANYONE's; admins reach every one."""

    ANYONE = "anyone"  # strangers too: registering is how one stops being a stranger
    MEMBERS = "members"  # registered contacts
    STATUS = "status"  # the office and leadership
    OFFICE = "office"  # office staff


class Where(Enum):
    PRIVATE = "private"  # in a private chat; ignored in groups
    ANYWHERE = "anywhere"
    GROUP = "group"  # in a group; a private chat is told `elsewhere`


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # what the menu shows, in Vietnamese without diacritics
    aliases: tuple[str, ...]  # the English names, also understood
    handler: Handler
    who: Who
    menu: str | None  # catalog key of its line in the platform's command menu; None: unlisted
    where: Where = Where.PRIVATE
    refused: str | None = None  # catalog key for someone `who` leaves out
    elsewhere: str | None = None  # catalog key for a private chat, when `where` is GROUP


COMMANDS = (
    Command("start", (), registration.start, Who.ANYONE, None),
    Command("baocao", ("reports",), asking.my_reports, Who.MEMBERS, "menu-baocao"),
    Command("lich", ("deadlines",), asking.deadlines, Who.MEMBERS, "menu-lich", Where.ANYWHERE),
    Command(
        "tinhhinh",
        ("status",),
        asking.status,
        Who.STATUS,
        "menu-tinhhinh",
        Where.ANYWHERE,
        refused="status-not-allowed",
    ),
    Command("huy", ("cancel",), choices.cancel, Who.MEMBERS, "menu-huy"),
    Command("huongdan", ("help",), asking.help_text, Who.MEMBERS, "menu-huongdan", Where.ANYWHERE),
    Command(
        "nhom",
        ("group",),
        office.bind_group,
        Who.OFFICE,
        None,
        Where.GROUP,
        refused="group-not-allowed",
        elsewhere="group-only-in-group",
    ),
    # Unlisted in the platforms' menus for now (their tests hold the menu to five commands);
    # /huongdan names it to the Office and leadership.
    Command("xuat", ("export",), exporting.export, Who.STATUS, None, refused="xlsx-not-allowed"),
    Command(
        "tonghop",
        ("compile",),
        compiling.compile_draft,
        Who.OFFICE,
        None,
        Where.ANYWHERE,
        refused="compile-not-allowed",
    ),
    Command(
        "taitep",
        ("zip",),
        archive.send_archive,
        Who.STATUS,
        None,
        refused="archive-not-allowed",
    ),
    # A one-time sign-in link to the web app (the portal, the dashboard), in a private chat.
    Command("web", ("dangnhap",), web.sign_in_link, Who.MEMBERS, None),
    # Which of a person's chats (on several platforms) reminders and summaries reach.
    Command("nhacqua", ("reach",), reaching.choose, Who.MEMBERS, None),
    # What is stored about the person (Law 91/2025/QH15 on personal data).
    Command("dulieu", ("mydata",), personal.my_data, Who.MEMBERS, None),
)
_BY_NAME = {name: command for command in COMMANDS for name in (command.name, *command.aliases)}
# The command menu a platform shows, in the table's order: (command, catalog key of its line).
MENU = tuple((command.name, command.menu) for command in COMMANDS if command.menu is not None)


def find(name: str | None) -> Command | None:
    """The command called `name` (lower case, without "/"), by its name or an alias."""
    return _BY_NAME.get(name) if name else None


def allowed(ctx: Context, command: Command, request: Request) -> bool:
    incoming, contact = request.incoming, request.contact
    if command.who is Who.STATUS:
        return ctx.sees_status(incoming, contact)
    if command.who is Who.OFFICE:
        return ctx.is_office(incoming, contact)
    return command.who is Who.ANYONE or contact is not None or ctx.is_admin(incoming)
