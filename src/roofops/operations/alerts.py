"""The dashboard's alert rules, each a function from loaded rows to alerts.

docs/command-center.md states every rule in the owner's words; keep the two in step."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.dispatch.inputs import site_of
from roofops.dispatch.weather import WeatherOutlook, WorkSite, material_for
from roofops.invoice.service import InvoiceTotals
from roofops.job.lifecycle import LABELS
from roofops.models.enums import JobStage
from roofops.models.integration import SyncRun
from roofops.models.job import Job
from roofops.operations.plan import PlannedDay, PublishedSchedule
from roofops.operations.results import Alert, AlertKind, Severity

DISPATCH_URL = "/dispatch"
INTEGRATIONS_URL = "/settings/integrations"
OVERDUE_INVOICES_URL = "/invoices?status=overdue"


def job_link(job_id: uuid.UUID) -> str:
    return f"/jobs/{job_id}"


def weather(
    db: Session,
    outlook: WeatherOutlook,
    planned: Sequence[PlannedDay],
    jobs: Mapping[uuid.UUID, Job],
    day: date,
) -> list[Alert]:
    """Scheduled work today or tomorrow on a day the site's weather rules stop it: critical
    today (the crew is about to drive out), a warning for tomorrow (time to re-plan)."""
    work = {f"{item.job_id}:{item.phase}": item for item in planned if item.job_id in jobs}
    sites = [
        WorkSite(
            key, *site_of(jobs[item.job_id]), material_for(jobs[item.job_id].material, item.phase)
        )
        for key, item in work.items()
    ]
    days = sorted({item.day for item in work.values()})
    unworkable = outlook.unworkable_days(db, sites, days) if sites else {}
    alerts = {}
    for (key, on), reason in sorted(unworkable.items()):
        item = work[key]
        if item.day != on:
            continue
        job = jobs[item.job_id]
        when = "today" if on == day else "tomorrow"
        alerts[(job.id, on)] = Alert(
            kind=AlertKind.WEATHER,
            severity=Severity.CRITICAL if on == day else Severity.WARNING,
            title=f"{job.number}: {reason} {when}",
            detail=f"{job.name} is scheduled {when} ({on:%a %b} {on.day}); the weather rules "
            f"for {material_for(job.material, item.phase).value.replace('_', ' ')} stop the "
            f"work: {reason}. Re-plan it on the dispatch board.",
            link=DISPATCH_URL,
            job_id=job.id,
        )
    return list(alerts.values())


def late(
    jobs: Iterable[Job],
    schedule: PublishedSchedule,
    promised: Mapping[uuid.UUID, date],
    forecast_p90: Mapping[uuid.UUID, date],
    day: date,
) -> list[Alert]:
    """Unfinished jobs past a date they should have been done by: the promise to the customer
    (critical), the end of their planned work, or the forecast's 90th-percentile finish."""
    alerts = []
    for job in jobs:
        reasons = _late_reasons(job, schedule, promised, forecast_p90, day)
        if not reasons:
            continue
        alerts.append(
            Alert(
                kind=AlertKind.LATE,
                severity=Severity.CRITICAL
                if job.id in promised and promised[job.id] < day
                else Severity.WARNING,
                title=f"{job.number} is running late",
                detail=f"{job.name} ({_stage(job.stage)}): " + "; ".join(reasons) + ".",
                link=job_link(job.id),
                job_id=job.id,
            )
        )
    return alerts


def _late_reasons(
    job: Job,
    schedule: PublishedSchedule,
    promised: Mapping[uuid.UUID, date],
    forecast_p90: Mapping[uuid.UUID, date],
    day: date,
) -> list[str]:
    checks = (
        ("promised to the customer by", promised.get(job.id)),
        ("planned work ended", schedule.planned_end.get(job.id)),
        ("forecast to finish by (p90)", forecast_p90.get(job.id)),
    )
    return [
        f"{label} {on:%b} {on.day} ({_days(day - on)} ago)"
        for label, on in checks
        if on is not None and on < day
    ]


def _days(gap: timedelta) -> str:
    return "1 day" if gap.days == 1 else f"{gap.days} days"


def unassigned(jobs: Iterable[Job]) -> list[Alert]:
    """Urgent work no crew holds: no crew on the job, in the published schedule or routes."""
    return [
        Alert(
            kind=AlertKind.UNASSIGNED,
            severity=Severity.CRITICAL,
            title=f"{job.number}: urgent, no crew",
            detail=f"{job.name} is urgent ({_stage(job.stage)}) and no crew is on it: not in "
            "the published schedule nor on any published route from today.",
            link=job_link(job.id),
            job_id=job.id,
        )
        for job in jobs
    ]


def failed_syncs(runs: Iterable[SyncRun]) -> list[Alert]:
    """A connection whose newest sync run failed: its figures are as old as its last success."""
    return [
        Alert(
            kind=AlertKind.SYNC_FAILED,
            severity=Severity.WARNING,
            title=f"{run.provider.label} sync failed",
            detail=f"The last {run.provider.label} sync ({run.kind.value}, started "
            f"{run.started_at:%b} {run.started_at.day} {run.started_at:%H:%M} UTC) failed: "
            f"{run.error or 'no error recorded'}",
            link=INTEGRATIONS_URL,
        )
        for run in runs
        if run.status == "failed"
    ]


def overdue(totals: InvoiceTotals, *, with_money: bool) -> list[Alert]:
    """Invoices past their due date with money outstanding: one alert with the count, and the
    amount (pages print it next to the title) for those who may see money."""
    if totals.invoices == 0:
        return []
    count = f"{totals.invoices} invoice{'' if totals.invoices == 1 else 's'}"
    return [
        Alert(
            kind=AlertKind.OVERDUE_INVOICE,
            severity=Severity.WARNING,
            title=f"{count} overdue",
            detail="Sent or partly paid invoices past their due date with money still owed, "
            "company-wide.",
            link=OVERDUE_INVOICES_URL,
            amount_cents=totals.outstanding_cents if with_money else None,
        )
    ]


def _stage(stage: JobStage) -> str:
    return LABELS[stage].lower()
