"""Domain-free helpers shared by every module."""
