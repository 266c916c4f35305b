"""A fake QuickBooks Online (OAuth, the v3 API subset, faults, webhooks), the demo company's
books, and the demo's sandbox QuickBooks."""
