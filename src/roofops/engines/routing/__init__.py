"""Daily routing: visits with time windows and skills, crews with shifts and breaks (PyVRP)."""
