"""Forecast models: pure computation on plain data (no database, no web, no settings)."""
