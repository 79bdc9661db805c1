"""The report plan: what the Office declared, checked and resolved to concrete deadlines."""
