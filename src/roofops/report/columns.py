"""Every report's columns with each figure's definition and source: the page shows a
definition on hover, the exports carry the same headers, docs/finance.md says the same."""

from __future__ import annotations

from roofops.report.tables import Column, ColumnKind

TEXT, MONEY, COUNT, RATIO = ColumnKind.TEXT, ColumnKind.MONEY, ColumnKind.COUNT, ColumnKind.RATIO

BOOKS_INVOICED = (
    "The books' invoices dated in the month (their total; voided and deleted ones do not count)."
)
ROOFOPS_INVOICED = (
    "Our issued invoices dated in the month that the books do not hold yet (not pushed, no "
    "books invoice with their number): source roofops, never counted twice."
)
COLLECTED = (
    "What the books' payments dated in the month applied to invoices (a payment split over "
    "invoices counts once, in full; deleted payments do not count)."
)
ON_ACCOUNT = "What those payments left unapplied in the books (on account)."

_REVENUE = (
    Column("month", "Month", TEXT),
    Column("invoiced_books", "Invoiced (books)", MONEY, BOOKS_INVOICED),
    Column("invoiced_roofops", "Invoiced (not in the books yet)", MONEY, ROOFOPS_INVOICED),
    Column("invoiced", "Invoiced", MONEY, "Invoiced (books) plus invoiced (not in the books yet)."),
    Column("collected", "Collected", MONEY, COLLECTED),
    Column("on_account", "Received on account", MONEY, ON_ACCOUNT),
)
_COMPARED = (
    Column("compared_month", "Compared month", TEXT, "The same position in the comparison period."),
    Column("compared_invoiced", "Invoiced then", MONEY, "Invoiced in the compared month."),
    Column("compared_collected", "Collected then", MONEY, "Collected in the compared month."),
    Column("invoiced_change", "Invoiced change", MONEY, "Invoiced minus invoiced then."),
    Column("collected_change", "Collected change", MONEY, "Collected minus collected then."),
)


def revenue_columns(compared: bool) -> tuple[Column, ...]:
    return (*_REVENUE, *_COMPARED) if compared else _REVENUE


MARGIN_COLUMNS = (
    Column("grouping", "Grouped by", TEXT),
    Column("group", "Group", TEXT),
    Column(
        "kind",
        "Margin",
        TEXT,
        "actual: final jobs (paid, or invoiced 30 days, with costs in the books); projected: "
        "open jobs. Never summed together.",
    ),
    Column(
        "jobs", "Jobs", COUNT, "Sold jobs (signed, not lost or cancelled) created in the period."
    ),
    Column("contract", "Contract", MONEY, "The contract amounts in force (the Profit page's)."),
    Column(
        "revenue",
        "Revenue",
        MONEY,
        "Actual: what was invoiced; projected: the contract or what was invoiced, if larger.",
    ),
    Column(
        "cost",
        "Cost",
        MONEY,
        "Actual: the books' costs to date; projected: costs to date or the estimate per "
        "category, whichever is larger. Jobs with no cost figure are left out.",
    ),
    Column("profit", "Gross profit", MONEY, "Revenue minus cost, of the jobs with a cost."),
    Column("margin", "Gross margin", RATIO, "Gross profit / revenue of the jobs with a cost."),
)

_BUCKET = "Open balance of invoices {} (days from the due date to the as-of date)."
AGING_COLUMNS = (
    Column(
        "payer",
        "Payer type",
        TEXT,
        "Who the invoice is to: the payer of our invoice it is; a books invoice roofops did "
        "not raise is 'other (raised in the books)'.",
    ),
    Column("invoices", "Open invoices", COUNT, "Invoices with an open balance."),
    Column("current", "Current", MONEY, _BUCKET.format("not yet past due")),
    Column("days_1_30", "1-30 days", MONEY, _BUCKET.format("1 to 30 days past due")),
    Column("days_31_60", "31-60 days", MONEY, _BUCKET.format("31 to 60 days past due")),
    Column("days_61_90", "61-90 days", MONEY, _BUCKET.format("61 to 90 days past due")),
    Column("days_over_90", "Over 90 days", MONEY, _BUCKET.format("more than 90 days past due")),
    Column(
        "open",
        "Open",
        MONEY,
        "The books' open balance (ours: total minus paid, for invoices not in the books yet).",
    ),
)

WIP_COLUMNS = (
    Column("job", "Job", TEXT),
    Column("name", "Name", TEXT),
    Column("stage", "Stage", TEXT),
    Column("contract", "Contract", MONEY, "The contract amount in force (the Profit page's)."),
    Column(
        "billed",
        "Billed",
        MONEY,
        "Invoiced to date: the books' invoices of the job plus ours not in the books yet.",
    ),
    Column("cost_to_date", "Cost to date", MONEY, "The job's costs in the books so far."),
    Column(
        "projected_cost",
        "Projected cost",
        MONEY,
        "Per category, the costs to date or the estimate, whichever is larger.",
    ),
    Column(
        "complete", "Complete", RATIO, "Cost to date / projected cost (cost to cost), at most 100%."
    ),
    Column("earned", "Earned", MONEY, "Contract x complete: revenue the work done has earned."),
    Column("over_billed", "Over billed", MONEY, "Billed beyond what was earned (a liability)."),
    Column("under_billed", "Under billed", MONEY, "Earned but not billed yet (an asset)."),
)

DEPRECIATION_COLUMNS = (
    Column("job", "Job", TEXT),
    Column("name", "Name", TEXT),
    Column("carrier", "Carrier", TEXT),
    Column("claim", "Claim", TEXT),
    Column("stage", "Stage", TEXT),
    Column("depreciation", "Depreciation", MONEY, "The recoverable depreciation of the claim."),
    Column(
        "status",
        "Status",
        TEXT,
        "held: not invoiced for release yet; release not sent: raised but not issued; "
        "released, unpaid: the release invoice has an open balance; released in the books, "
        "unpaid: no release of ours, but the job's invoices in the books reach the RCV (plus "
        "supplements) and the job still has a balance open there.",
    ),
    Column("release_invoice", "Release invoice", TEXT),
    Column("held", "Held", MONEY, "Depreciation the carrier holds: not yet invoiced for release."),
    Column(
        "released_unpaid",
        "Released, unpaid",
        MONEY,
        "The open balance of the release invoice (the books' when it is in the books); for a "
        "release raised in the books, the job's open balance there, up to the depreciation.",
    ),
)
