"""The data on the bot's buttons, encoded and decoded in one place; buttons as numbered lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.i18n import t
from bot.core.model import Button, Keyboard

CANCEL = "x"  # the pick that cancels a pending step
# Messages that tell the person to press a button, and what they say instead where there are
# no buttons (the console, Zalo): type the number of the choice. Each pair takes the same
# variables.
NUMBERED_WORDING = {
    "greet-how": "greet-how-numbered",
    "help": "help-numbered",
    "submit-unsupported": "submit-unsupported-numbered",
    "submit-unsupported-caption": "submit-unsupported-caption-numbered",
    "submit-unsupported-file": "submit-unsupported-file-numbered",
    "button-stale": "button-stale-numbered",
}
# Words inside a message sent with buttons from outside the use cases (a reminder's, worded
# before anyone knows the platform): `numbered` rewrites them with the buttons. No variables.
NUMBERED_INSIDE = {"reminder-how": "reminder-how-numbered"}
# Messages that tell the person to send a file, and what they say instead on a platform whose
# bots receive no files (Zalo): send a photo or the words here, a file on the web portal. Keyed
# by the numbered wording (such platforms have no buttons either); each pair takes the same
# variables.
WEB_FILES_WORDING = {
    "greet-how-numbered": "greet-how-web",
    "help-numbered": "help-web",
    "submit-unsupported-numbered": "submit-unsupported-web",
    "submit-unsupported-caption-numbered": "submit-unsupported-caption-web",
    "submit-invisible": "submit-invisible-web",
    "choice-nothing-offered": "choice-nothing-offered-web",
    "reminder-submit-how": "reminder-submit-how-web",
    "reminder-how-numbered": "reminder-how-web",
}
_CHOICE = re.compile(r"^p:([A-Za-z0-9_-]{8,32}):(x|\d{1,2})$")
_SUBMIT_NOW = re.compile(r"^r:(\d{1,12})$")


@dataclass(frozen=True, slots=True)
class Choice:
    """A pick in a pending step's question: a position in its list, or CANCEL."""

    token: str
    pick: str

    @property
    def cancelled(self) -> bool:
        return self.pick == CANCEL

    @property
    def position(self) -> int:
        return int(self.pick)


@dataclass(frozen=True, slots=True)
class SubmitNow:
    """The button under a reminder: what the person sends next goes to this report."""

    instance_id: int


def choice(token: str, pick: int | str) -> str:
    """The data of a question's button: position `pick` in its list, or CANCEL."""
    return f"p:{token}:{pick}"


def submit_now(instance_id: int) -> str:
    return f"r:{instance_id}"


def decode(data: str) -> Choice | SubmitNow | None:
    """What a button's data means; None for data the bot never put on a button."""
    match = _CHOICE.match(data)
    if match is not None:
        return Choice(match[1], match[2])
    match = _SUBMIT_NOW.match(data)
    if match is not None:
        return SubmitNow(int(match[1]))
    return None


def flat(keyboard: Keyboard) -> list[Button]:
    """The buttons in reading order: the order of their numbers on a platform without buttons."""
    return [button for row in keyboard for button in row]


def wording(key: str, *, has_buttons: bool, receives_files: bool = True) -> str:
    """The catalog key of message `key` on a platform with or without buttons, whose bots
    receive files or not."""
    if not has_buttons:
        key = NUMBERED_WORDING.get(key, key)
    return key if receives_files else WEB_FILES_WORDING.get(key, key)


def numbered(text: str, keyboard: Keyboard, *, receives_files: bool = True) -> str:
    """`text` followed by the buttons as numbered lines, for a platform without
    buttons; answering with the number is pressing the button."""
    buttons = flat(keyboard)
    if not buttons:
        return text
    for pressing, typing in NUMBERED_INSIDE.items():
        typing = typing if receives_files else WEB_FILES_WORDING.get(typing, typing)
        text = text.replace(t(pressing), t(typing))
    lines = [f"{number}. {button.text}" for number, button in enumerate(buttons, start=1)]
    return text + "\n\n" + "\n".join(lines)


def number_of(text: str) -> int | None:
    """The number a message is, when it is only a number (a choice); else None."""
    stripped = text.strip().rstrip(".")
    if not stripped.isascii() or not stripped.isdigit() or len(stripped) > 3:
        return None
    return int(stripped)
