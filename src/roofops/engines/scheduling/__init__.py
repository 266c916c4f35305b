"""Production scheduling: crews and consecutive working days for roofing tasks (CP-SAT).

Entry points: ``model`` (the types), ``solver.solve``, ``greedy.greedy_schedule``,
``replan.replan`` and ``generator.generate``; ``roofops.engines.plan_check.schedule`` checks any
plan. See docs/dispatch-scheduling.md.
"""
