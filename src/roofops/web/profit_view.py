"""What the Profit page and a job's money panel show: rows with their figures, chart data,
whether the books can sync now, and the manual-figure forms checked like the API's bodies."""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.config import Settings
from roofops.exceptions import ValidationFailed
from roofops.financials.figures import COST_FIGURES, Figure
from roofops.financials.queries import ProfitRow
from roofops.financials.reports import MarginGroup, ProfitSummary
from roofops.financials.schemas import ClearFigureIn, ManualFigureIn
from roofops.financials.service import figures_of, financials_service
from roofops.integrations.accounting import company_accounting_state
from roofops.kit.money import to_cents
from roofops.models.enums import MarginKind
from roofops.models.job import Job
from roofops.web.context import PageContext
from roofops.web.formatting import humanize

AMOUNT_HELP = "enter the amount in dollars, 0 or more, with at most 2 decimals (e.g. 12500.00)"
REASON_HELP = "say why (at least 3 characters): it is kept in the audit log"


@dataclass(frozen=True)
class TableRow(ProfitRow):
    """One job in the table: the report's row (money, the margin that applies) and each
    settable figure."""

    figures: dict[str, Figure]

    @property
    def cost_source(self) -> str:
        """The source shared by all seven costs, or ``mixed`` (the detail row shows each)."""
        known = [
            self.figures[name] for name in COST_FIGURES if self.figures[name].cents is not None
        ]
        sources = {figure.source.value for figure in known}
        if not known:
            return "none"
        return sources.pop() if len(sources) == 1 else "mixed"


def profit_rows(items: Iterable[ProfitRow]) -> list[TableRow]:
    return [TableRow(row.job, row.money, row.kind, figures_of(row.money)) for row in items]


# ----- charts ---------------------------------------------------------------------------
def _percent(margin: Decimal | None) -> float | None:
    # Chart.js plots numbers; a margin rounded for display is no longer money.
    return None if margin is None else float(round(margin * 100, 1))


def _month(key: str) -> str:
    return f"{calendar.month_abbr[int(key) % 100]} {int(key) // 100}"


def _series(groups: list[MarginGroup], label: Callable[[str], str]) -> dict[str, list[Any]]:
    """Actual and projected margins per group, never averaged together."""
    keys = sorted({group.key for group in groups})
    by = {(group.key, group.kind): group for group in groups}
    series: dict[str, list[Any]] = {"labels": [label(key) for key in keys]}
    for kind in (MarginKind.ACTUAL, MarginKind.PROJECTED):
        found = [by.get((key, kind)) for key in keys]
        series[kind.value] = [_percent(group.margin) if group else None for group in found]
        series[f"{kind.value}_jobs"] = [group.jobs if group else 0 for group in found]
    return series


def chart_data(summary: ProfitSummary) -> dict[str, dict[str, list[Any]]]:
    """Margins in percent by job type and by month created, and jobs per margin band."""
    return {
        "by_type": _series(summary.by_type, humanize),
        "by_month": _series(summary.by_month, _month),
        "distribution": {
            "labels": [band for band, _, _ in summary.distribution],
            "actual": [final for _, final, _ in summary.distribution],
            "projected": [open_ for _, _, open_ in summary.distribution],
        },
    }


# ----- syncing --------------------------------------------------------------------------
class SyncForm(BaseModel):
    full: bool = False
    next: str = ""


# ----- manual figures -------------------------------------------------------------------
class FigureForm(BaseModel):
    """Raw strings: a typo is answered on the form, never with a validation error page."""

    amount: str = ""
    reason: str = ""
    next: str = ""


class ClearForm(BaseModel):
    reason: str = ""
    next: str = ""


def _checked(model: type[BaseModel], data: Mapping[str, str]) -> Any:
    """The API's own body model, so the page accepts exactly what the API accepts."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = dict.fromkeys(str(error["loc"][0]) for error in exc.errors())
        help_of = {"amount": AMOUNT_HELP, "reason": REASON_HELP}
        message = "; ".join(help_of.get(field, field) for field in fields)
        raise ValidationFailed(message, field=next(iter(fields))) from None


def manual_amount(form: FigureForm) -> tuple[int, str]:
    """Cents and reason from the form; "$12,500" is read as people write it."""
    text = form.amount.strip().removeprefix("$").replace(",", "").strip()
    body: ManualFigureIn = _checked(ManualFigureIn, {"amount": text, "reason": form.reason.strip()})
    return to_cents(body.amount), body.reason


def clear_reason(form: ClearForm) -> str:
    body: ClearFigureIn = _checked(ClearFigureIn, {"reason": form.reason.strip()})
    return body.reason


# ----- the job page ---------------------------------------------------------------------
def money_context(
    db: Session, settings: Settings, page: PageContext, job_id: uuid.UUID
) -> dict[str, Any]:
    """All the money a job page shows (the claim's amounts and the money panel), for the roles
    that may see money; nothing for the rest, so the template has nothing to leak."""
    if not page.can(Permission.VIEW_MONEY):
        return {"claim_amounts": []}
    report = financials_service.profitability(db, job_id)
    return {
        "money": report,
        "claim_amounts": claim_amounts(report.job),
        "sync": company_accounting_state(db, settings),
    }


def claim_amounts(job: Job) -> list[tuple[str, int | None]]:
    """The insurance claim's money, labelled, in the order an adjuster's paperwork has it."""
    return [
        ("RCV", job.rcv_cents),
        ("ACV", job.acv_cents),
        ("Deductible", job.deductible_cents),
        ("Depreciation held", job.depreciation_held_cents),
    ]
