"""The audit trail: who changed what, from which value to which."""
