"""team: teams that own jobs, handoffs between them with a checklist, and crew loans."""
