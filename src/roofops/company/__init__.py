"""company."""
