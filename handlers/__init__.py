"""Chat-platform adapters: each translates its platform's events into the core's and back."""
