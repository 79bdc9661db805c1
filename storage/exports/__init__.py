"""What the Office takes away: the domain's documents written as files."""
