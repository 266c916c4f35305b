"""Dispatching: loads crews, jobs and their requirements, calls the scheduling and routing engines,
checks and stores plans, publishes them (docs/dispatch.md)."""
