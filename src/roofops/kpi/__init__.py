"""kpi: the registry of executive KPIs (definition, formula, sources, aggregation), their values
per period with month-over-month and year-over-year comparison, and the weekly report."""
