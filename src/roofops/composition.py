"""The composition root's list of background work: every domain's tasks and schedules.

A process registers them once, before it enqueues or runs any: the app at start-up, `roofops
worker`, and the commands that run a task in-process. The imports are real ones, so that a task
module that moves or breaks fails type checks and start-up, not a job at 3 a.m.
"""

from __future__ import annotations

from types import ModuleType

from roofops.activity.schedule import record_schedule_changes
from roofops.auth import tasks as auth_tasks
from roofops.config import get_settings
from roofops.dispatch import field_tasks as dispatch_field_tasks
from roofops.dispatch import tasks as dispatch_tasks
from roofops.dispatch.notifications import notify_plan_published
from roofops.dispatch.service import dispatch_service
from roofops.dispatch.travel import connect_travel_times
from roofops.forecast import tasks as forecast_tasks
from roofops.integrations.invoicing import tasks as invoicing_tasks
from roofops.integrations.invoicing.push import invoice_books
from roofops.integrations.jobnimbus import tasks as jobnimbus_tasks
from roofops.integrations.osrm.client import travel_provider
from roofops.integrations.quickbooks import tasks as quickbooks_tasks
from roofops.integrations.weather import tasks as weather_tasks
from roofops.integrations.weather.outlook import ForecastOutlook
from roofops.integrations.xero import tasks as xero_tasks
from roofops.invoice import tasks as invoice_tasks
from roofops.invoice.service import invoice_service
from roofops.job.service import job_service
from roofops.kpi import tasks as kpi_tasks
from roofops.notification import tasks as notification_tasks
from roofops.portal import tasks as portal_tasks
from roofops.portal.invites import on_stage_change
from roofops.worker import housekeeping
from roofops.worker.registry import TaskSpec, all_tasks

# Importing a task module registers its @task and @cron functions.
TASK_MODULES: tuple[ModuleType, ...] = (
    housekeeping,
    auth_tasks,
    jobnimbus_tasks,
    quickbooks_tasks,
    xero_tasks,
    invoice_tasks,
    invoicing_tasks,
    weather_tasks,
    dispatch_tasks,
    dispatch_field_tasks,
    forecast_tasks,
    notification_tasks,
    kpi_tasks,
    portal_tasks,
)


def register_background_work() -> list[TaskSpec]:
    """Every task of the modules above: importing them registered their tasks and crons.
    The ports the domains call out through are connected here too, once per process."""
    invoice_service.connect_books(invoice_books)
    # Weather days come from the stored forecasts, through the rules and limits of the settings.
    dispatch_service.connect_weather(ForecastOutlook.from_settings(get_settings()))
    connect_travel_times(travel_provider(get_settings()))  # ROOFOPS_TRAVEL_PROVIDER
    dispatch_service.connect_publish_hook(notify_plan_published)
    dispatch_service.connect_publish_hook(record_schedule_changes)  # the jobs' feeds
    job_service.connect_stage_hook(on_stage_change)  # the portal's automatic invitation
    return all_tasks()
