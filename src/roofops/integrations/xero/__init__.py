"""Xero accounting: OAuth 2 with rotating refresh tokens, tenant choice, and a typed client of
the Accounting API (spec digest section 2)."""
