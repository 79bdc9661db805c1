"""Faults the bot must survive, each driven for real: a full disk, a database restart..."""
