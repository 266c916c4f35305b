"""The seeded demo company: generator.generate (pure rows), service.build_demo (loads them)."""
