"""operations: the live operations dashboard (Command Center): crews today, jobs in production,
alerts and the map of today's work."""
