"""The console: chat with the bot in a terminal, as one of its contacts."""
