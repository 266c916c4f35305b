"""Jobs and their lifecycle."""
