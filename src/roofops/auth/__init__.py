"""Sign-in, sessions, API tokens and roles."""
