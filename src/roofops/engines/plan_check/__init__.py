"""Independent plan checks: every plan, from a solver or a manual move, is checked before it is
saved."""
