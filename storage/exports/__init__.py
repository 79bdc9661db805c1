"""Renderers of what the Office takes away: the archive, and the other exports of issue #10."""
