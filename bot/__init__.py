"""baocao: a chat bot that collects units' reports before their deadlines."""

__version__ = "0.1.0"
