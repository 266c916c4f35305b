"""QuickBooks Online: client, OAuth calls, webhook verification, and a fake server for tests.

The fake modules (``fake*``) import FastAPI; nothing here imports them, so using the client
does not pull in the web framework.
"""
