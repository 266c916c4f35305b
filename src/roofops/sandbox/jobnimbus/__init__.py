"""A fake JobNimbus api1 (fake.py, query.py), its demo data, and the demo's sandbox CRM."""
