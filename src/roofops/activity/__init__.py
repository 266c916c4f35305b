"""activity: each job's feed of notes, field reports, photos, handoffs and sync changes."""
