"""The bot's use cases, one module per feature behind one router and one command table.

`ReportBot.handle(incoming, messenger)` takes one neutral event from any platform and answers
through that platform's messenger: `registration` (/start, greeting, strangers), `submission`
(text and file reports, receipts, forwarding), `questions` and `choices` (which report, asked
and answered), `asking` (my reports, deadlines, status, help), `office` (the office group).
"""

from bot.core.filetypes import ALLOWED_EXTENSIONS
from bot.core.usecases.commands import COMMANDS, MENU, Command, Where, Who
from bot.core.usecases.context import BotSettings
from bot.core.usecases.router import ReportBot

__all__ = [
    "ALLOWED_EXTENSIONS",
    "COMMANDS",
    "MENU",
    "BotSettings",
    "Command",
    "ReportBot",
    "Where",
    "Who",
]
