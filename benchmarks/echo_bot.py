"""A bare python-telegram-bot echo bot: the baseline for benchmarks/bot_latency_bench.py."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    assert update.effective_message is not None and update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "?")


def main() -> None:
    base_url = os.environ["ECHO_API_URL"]
    application = (
        Application.builder()
        .token(os.environ["ECHO_TOKEN"])
        .base_url(base_url)
        .base_file_url(base_url.replace("/bot", "/file/bot"))
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.run_polling(poll_interval=0, timeout=10)


if __name__ == "__main__":
    main()
