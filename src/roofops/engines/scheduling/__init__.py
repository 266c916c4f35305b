"""Production scheduling: crews and consecutive working days for roofing tasks (CP-SAT)."""
