"""A fake Open-Meteo forecast API: seeded, deterministic weather per grid cell and day."""
