"""What the person at the terminal sees: Rich panels on a terminal, plain text otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.core.i18n import t


class Screen:
    """Writes the bot's messages and the console's own notes, one after the other."""

    def __init__(self, stream: TextIO | None = None, *, colour: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.colour = self.stream.isatty() if colour is None else colour
        self._rich = Console(file=self.stream, highlight=False, soft_wrap=False)

    def bot(self, text: str) -> None:
        """A message from the bot."""
        if self.colour:
            title = t("console-bot-title")
            self._rich.print(Panel(Text(text), title=title, title_align="left", style="cyan"))
        else:
            self.stream.write(text + "\n\n")
            self.stream.flush()

    def note(self, text: str) -> None:
        """The console's own words: how to use it, what it could not do."""
        if self.colour:
            self._rich.print(Text(text, style="dim"))
        else:
            self.stream.write(text + "\n\n")
            self.stream.flush()

    def prompt(self) -> None:
        """Show where to type, on a terminal only (piped input needs no prompt)."""
        if self.colour:
            self._rich.print(Text(t("console-prompt"), style="bold green"), end="")
