"""The customer portal: where a homeowner follows their own jobs, signed in by a magic link.

It is the only part of roofops that faces the public internet, and it has its own sign-in:
a portal session belongs to one customer and sees that customer's jobs, nothing else. The
office's users, roles and permission table never apply here (docs/portal.md).
"""
