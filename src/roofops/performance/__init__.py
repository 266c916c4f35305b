"""Performance analytics: crews, sales reps, cycle time per stage and backlog, with drill-down."""
