"""field: what crews report from the roof (on the way, started, finished, blocked), their
notes and site photos, and each crew's state today."""
