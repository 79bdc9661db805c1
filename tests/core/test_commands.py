"""The command table: one source for the router, the platforms' menus and the help texts."""

from __future__ import annotations

import re

from unit.test_catalog import VARIABLES

from bot.core.i18n import LOCALE_DIR, t
from bot.core.usecases import COMMANDS, MENU, Where, Who
from bot.core.usecases.commands import find

COMMAND = re.compile(r"(?<![\w/:.])/([a-z]+)\b")


def test_every_name_finds_one_command() -> None:
    names = [name for command in COMMANDS for name in (command.name, *command.aliases)]
    assert len(names) == len(set(names))
    assert all(find(name) is command for command in COMMANDS for name in command.aliases)
    assert find("khong-co") is None and find(None) is None and find("") is None


def test_the_menu_is_the_table_in_its_order() -> None:
    assert MENU == (
        ("baocao", "menu-baocao"),
        ("lich", "menu-lich"),
        ("tinhhinh", "menu-tinhhinh"),
        ("huy", "menu-huy"),
        ("huongdan", "menu-huongdan"),
    )
    assert all(key in VARIABLES for _, key in MENU)


def test_every_answer_a_command_gives_is_in_the_catalog() -> None:
    for command in COMMANDS:
        for key in (command.refused, command.elsewhere):
            assert key is None or key in VARIABLES, (command.name, key)
        assert (command.elsewhere is not None) == (command.where is Where.GROUP), command.name
        assert (command.refused is not None) == (command.who in {Who.STATUS, Who.OFFICE})


def test_the_help_texts_name_the_commands_of_the_table() -> None:
    help_text, office_help = t("help"), t("help-office")
    for command in COMMANDS:
        if command.menu is not None and command.who is Who.MEMBERS:
            assert f"/{command.name} " in help_text, command.name
        if command.who is not Who.ANYONE and command.name != "huongdan":
            assert f"/{command.name} " in office_help, command.name


def test_the_bot_speaks_only_of_commands_it_has() -> None:
    known = {name for command in COMMANDS for name in (command.name, *command.aliases)}
    named = {
        match[1]
        for path in sorted((LOCALE_DIR / "vi").glob("bot*.ftl"))
        for match in COMMAND.finditer(path.read_text(encoding="utf-8"))
    }
    assert named and named <= known
