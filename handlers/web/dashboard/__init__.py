"""The Office's dashboard (/van-phong): what each open report round stands at, a unit's
history, the downloads, invites, contacts, the plan and the audit trail.

The Office works it; leadership reads it (every POST asks for Role.OFFICE). Each page makes a
fixed number of queries, however many units the plan has.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from handlers.web.dashboard import audit, contacts, invites, plan, rounds


def routes() -> list[BaseRoute]:
    return [
        *rounds.routes(),
        *invites.routes(),
        *contacts.routes(),
        *plan.routes(),
        *audit.routes(),
    ]
