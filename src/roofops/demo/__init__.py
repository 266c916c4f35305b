"""The seeded demo company: generator.generate (pure rows), service.DemoService (loads them).

roofops.sandbox.demo builds it linked to the sandbox vendors.
"""
