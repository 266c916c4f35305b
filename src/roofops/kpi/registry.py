"""The KPI registry: every executive figure with what it means, how it is computed, what it
reads and how it aggregates. The executive page shows these on hover, docs/executive.md prints
them (roofops.kpi.registry_doc; tests/kpi/test_registry_doc.py keeps the two equal) and the
weekly report reads the same definitions.
"""

from __future__ import annotations

from roofops.kpi.results import KpiDefinition, KpiUnit
from roofops.performance.definitions import DEFINITIONS as PERFORMANCE

_INVOICES = "invoices: the books' (QuickBooks or Xero) as last synced, plus ours not in them yet"
_SNAPSHOTS = (
    "job financial snapshots: contract and costs by category, each with its source "
    "(PLACEHOLDER, QUICKBOOKS, XERO, MANUAL)"
)
_STAGE_EVENTS = "job stage events (every stage change with its time)"

KPIS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        key="revenue",
        label="Revenue",
        unit=KpiUnit.CENTS,
        definition="What was invoiced in the period: the revenue the books recognise, not the "
        "cash received.",
        formula="sum(invoice total) of invoices dated in the period; voided, deleted and "
        "draft invoices excluded",
        sources=(_INVOICES,),
        aggregation="sum over the invoices dated in the period (the financial reports' "
        "revenue, invoiced column)",
        money=True,
    ),
    KpiDefinition(
        key="gross_profit",
        label="Gross profit",
        unit=KpiUnit.CENTS,
        definition="Profit of the jobs finally billed in the period whose figures are final "
        "(paid, or invoiced 30 days ago with costs in the books).",
        formula="sum(actual revenue - costs to date) over final jobs whose last move to "
        "invoiced (or paid) falls in the period",
        sources=(_SNAPSHOTS, _STAGE_EVENTS),
        aggregation="sum over the final jobs billed in the period; partial while any job "
        "billed in the period is not final yet",
        money=True,
    ),
    KpiDefinition(
        key="margin",
        label="Gross margin",
        unit=KpiUnit.PERCENT,
        definition="Gross profit as a share of the revenue of the same final jobs.",
        formula="sum(actual profit) / sum(actual revenue) x 100 over the final jobs billed "
        "in the period",
        sources=(_SNAPSHOTS, _STAGE_EVENTS),
        aggregation="ratio of sums (a big job weighs more than a small one); partial like "
        "gross profit",
        money=True,
    ),
    KpiDefinition(
        key="backlog",
        label="Backlog",
        unit=KpiUnit.CENTS,
        definition="Contract value of signed work not finished yet at the period's end.",
        formula="sum(contract amount) of jobs whose stage at the period's end was contract "
        "signed, materials ordered, scheduled or in production",
        sources=(_SNAPSHOTS, _STAGE_EVENTS),
        aggregation="balance at the period's end (the stage each job was in then, its "
        "contract amount now)",
        money=True,
        point_in_time=True,
    ),
    KpiDefinition(
        key="backlog_crew_days",
        label="Backlog in crew-days",
        unit=KpiUnit.CREW_DAYS,
        definition="How many crew-days the signed, unfinished work still needs: how far ahead "
        "the crews are booked.",
        formula=PERFORMANCE["backlog_crew_days"],
        sources=(
            "jobs (stage, squares, planned production days)",
            "crews (squares per day)",
            "the published schedule",
        ),
        aggregation="balance today, as the Performance page's backlog (today's figure only: "
        "past schedules and crew capacities are not kept)",
        money=False,
        point_in_time=True,
    ),
    KpiDefinition(
        key="close_rate",
        label="Close rate",
        unit=KpiUnit.PERCENT,
        definition="Of the sales decided in the period, the share won.",
        formula="won / (won + lost) x 100; won: first move to contract signed in the period; "
        "lost: a move to lost in the period before any contract was signed",
        sources=(_STAGE_EVENTS,),
        aggregation="ratio over the jobs decided in the period",
        money=False,
    ),
    KpiDefinition(
        key="cycle_time",
        label="Cycle time",
        unit=KpiUnit.DAYS,
        definition="How long a job takes from lead to a finished roof.",
        formula="median(days from the job's first stage event to its first move to "
        "completed) over the jobs completed in the period",
        sources=(_STAGE_EVENTS,),
        aggregation="median over the jobs completed in the period",
        money=False,
        higher_is_better=False,
    ),
    KpiDefinition(
        key="ar",
        label="Accounts receivable",
        unit=KpiUnit.CENTS,
        definition="What customers, carriers and lenders still owe at the period's end.",
        formula="sum(open balance) of invoices dated on or before the period's end, as the AR "
        "aging report",
        sources=(_INVOICES,),
        aggregation="balance at the period's end (the open balances the books hold now)",
        money=True,
        higher_is_better=False,
        point_in_time=True,
    ),
    KpiDefinition(
        key="depreciation_outstanding",
        label="Depreciation outstanding",
        unit=KpiUnit.CENTS,
        definition="Insurance depreciation carriers still hold or have released but not paid.",
        formula="sum(depreciation held + released unpaid) over insurance jobs, as the "
        "depreciation report",
        sources=("jobs (insurance claims: depreciation held)", _INVOICES),
        aggregation="balance now (today's figure only: the report is not kept historically)",
        money=True,
        higher_is_better=False,
        point_in_time=True,
    ),
    KpiDefinition(
        key="forecast_vs_actual",
        label="Revenue vs forecast",
        unit=KpiUnit.PERCENT,
        definition="Invoiced revenue as a share of what the forecast predicted for the period "
        "before it began (100 % is on forecast).",
        formula="revenue / p50 x 100; p50: the median revenue of the period from the latest "
        "forecast run made before the period began",
        sources=(_INVOICES, "forecast runs (revenue by week and by month)"),
        aggregation="ratio of the period's revenue to its forecast median",
        money=True,
    ),
)

BY_KEY: dict[str, KpiDefinition] = {kpi.key: kpi for kpi in KPIS}


def visible(with_money: bool) -> tuple[KpiDefinition, ...]:
    """The KPIs a role sees: money ones only with view_money (MONEY_RULE)."""
    return tuple(kpi for kpi in KPIS if with_money or not kpi.money)
