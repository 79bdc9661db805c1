"""The reminder dispatch loop: the adapter that sends what bot/core/rules says is due."""
