"""A fake Xero: OAuth with rotating refresh tokens and tenant consent, ``/connections``, the
Accounting API subset roofops calls, rate limits, faults, and signed webhooks (spec digest
section 2)."""
