"""roofops: the operations platform for roofing and exterior contractors."""

__version__ = "0.1.0"
