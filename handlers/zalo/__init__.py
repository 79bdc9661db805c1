"""Zalo, through its Bot API: translate updates in, send replies out."""
