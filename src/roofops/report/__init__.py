"""Financial reports: revenue invoiced and collected, margins by group, AR aging, WIP and
depreciation outstanding, for the page, the API, CSV/XLSX exports and the CLI
(docs/finance.md, "Financial reports")."""
