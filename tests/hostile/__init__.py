"""Hostile and careless input, table-driven, through each channel: what the person is told, and
what the database and the file store keep (nothing, where nothing should be kept)."""
