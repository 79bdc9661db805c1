"""Fakes of third-party services that the end-to-end tests talk to over the network."""
