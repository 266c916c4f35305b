"""What each performance figure means, in one sentence or two: the pages show it on hover,
docs/performance.md says the same at length."""

from __future__ import annotations

from collections.abc import Mapping

from roofops.performance.records import CALLBACK_WINDOW_DAYS, ON_TIME_TOLERANCE_DAYS
from roofops.performance.service import MAX_PERIOD_DAYS

DEFINITIONS: Mapping[str, str] = {
    "completed_jobs": "Jobs the crew finished in the period: their first move to completed "
    "(or straight to invoiced or paid) fell in it. The crew is the job's assigned crew.",
    "squares_per_crew_day": "Squares of the completed jobs / the crew-days spent on them. "
    "Crew-days: the days the crew reported itself on site (crew page); else its working days "
    "on the job in the published schedule in force at the finish; else its working days from "
    "the move to in production to the finish. Jobs without squares or crew-days are left out.",
    "on_time_start": "Share of completed jobs that started (first move to in production) no "
    f"more than {ON_TIME_TOLERANCE_DAYS} day after the first planned day of the first "
    "published schedule that planned them. Jobs never scheduled are not measured.",
    "on_time_finish": "Share of completed jobs finished no more than "
    f"{ON_TIME_TOLERANCE_DAYS} day after they were due: the promised date where the customer "
    "was given one, else the planned end of the first published schedule.",
    "callbacks": "Completed jobs followed by a repair job on the same property within "
    f"{CALLBACK_WINDOW_DAYS} days after the finish (warranty rework), per completed job. While "
    "a job's window is still open more callbacks may come: the figure is not final.",
    "margin": "(Revenue - costs to date) / revenue, summed over final jobs only: paid, or "
    "invoiced 30 days ago, with costs in the books. Open jobs are counted, never summed. The "
    "source mix is the share of the cents behind it by where each figure came from.",
    "leads": "Jobs that entered the pipeline in the period with this sales rep.",
    "won": "Jobs that first reached a signed contract (or any later stage) in the period.",
    "lost": "Jobs marked lost in the period.",
    "close_rate": "Won / (won + lost) in the period: open leads are not decided yet.",
    "average_contract": "Mean contract amount of the jobs won in the period (the contract "
    "figure in force: manual, the CRM's, or estimated from the price list).",
    "days_to_contract": "Median days from a won job's first move (as a lead) to its signed "
    "contract; jobs that arrived already signed are not measured.",
    "cycle_median": "Median days a job spent in the stage, over stage visits that ended in the "
    "period (a visit runs from the move into the stage to the next move).",
    "cycle_p80": "80th percentile of the same visits: 4 in 5 left the stage sooner.",
    "visits": "Stage visits that ended in the period (a job sent back and forth counts twice).",
    "backlog_jobs": "Jobs signed and not finished at the end of the date: contract signed, "
    "materials ordered, scheduled or in production.",
    "backlog_crew_days": "Crew-days those jobs still need: the job's planned production days "
    "where the office set them, else its squares / its crew's squares per day (the median "
    "active crew's when none is assigned), minus the days already worked in the published "
    "schedule. Jobs with neither are listed as unsized.",
    "backlog_value": "Contract amounts of those jobs, with the share by figure source "
    "(a placeholder is an estimate from squares and the price list).",
    "period": f"Both dates included, company time; at most {MAX_PERIOD_DAYS} days.",
}
