"""A fake OSRM table service: road distances from straight lines, with deterministic noise."""
