"""Persistence: tables, engines and transactions, migrations, plan apply, invites, status."""
