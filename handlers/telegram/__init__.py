"""Telegram, through python-telegram-bot: translate updates in, send replies out."""
