"""Persistence: tables, engines and transactions, migrations, plan apply, invites, status,
the repository behind the use cases (`storage.repository`) and the file store (`storage.files`).
"""
