"""baocao: a chat bot that collects units' reports before their deadlines.

bot/core is the domain; the modules beside it (config, cli, app, services, platforms) are the
composition root that wires storage/, scheduler/ and handlers/ around it.
"""

__version__ = "0.1.0"
