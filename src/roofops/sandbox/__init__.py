"""The fake vendors: small ASGI apps faithful to each vendor's API (see ``../shared/specs``).

Tests and benchmarks talk to them over HTTP, and a demo database gets them mounted in the app as
its "sandbox" connections, so that every sync button works with no vendor account. Production
code never imports this package (an import contract says so): to an integration a sandbox is
only the base URL its connection points at.
"""
