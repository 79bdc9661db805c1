"""What the Office takes away: documents rendered from the records, one module per format."""
