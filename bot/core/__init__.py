"""The domain: the plan, the rules of time, the use cases, their ports and every text a user reads.

Pure: it imports no chat library, ORM or scheduler, and nothing of storage/,
handlers/, scheduler/ or the composition root (bot/app.py, bot/cli.py, ...);
tests/unit/test_architecture.py holds it to that.
"""
