"""Invoices into the accounting system: pushed exactly once, voided there, closed periods."""
