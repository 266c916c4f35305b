"""Invoices raised from a job: one per payer and purpose, numbered after the job."""
