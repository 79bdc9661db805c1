"""Deadline calendar, reminder planning (pure) and the reminder dispatch loop."""
