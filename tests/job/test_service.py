"""JobService: listing (filters, search, sorting, stable paging) and the helpers pages use."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from roofops.exceptions import ValidationFailed
from roofops.job.service import JobFilters, job_service
from roofops.kit.paging import PageRequest
from roofops.kit.time import utcnow
from roofops.models import Customer, JobStage, JobType, Property
from tests.factories import make_branch, make_job


def _numbers(db: Session, filters: JobFilters, sort: str = "number", size: int = 50) -> list[str]:
    page = job_service.list(db, filters, PageRequest(size=size, sort=sort))
    return [job.number for job in page.items]


def test_filters_combine(db: Session) -> None:
    branch = make_branch(db)
    make_job(db, number="F-1", stage=JobStage.LEAD, branch=branch, sales_rep="Ann")
    make_job(db, number="F-2", stage=JobStage.ESTIMATE, branch=branch, job_type=JobType.REPAIR)
    make_job(db, number="F-3", stage=JobStage.PAID, branch=branch)
    make_job(db, number="F-4", stage=JobStage.LEAD)
    in_branch = JobFilters(branch_id=branch.id)
    assert _numbers(db, in_branch) == ["F-1", "F-2", "F-3"]
    stages = (JobStage.LEAD, JobStage.ESTIMATE)
    assert _numbers(db, JobFilters(branch_id=branch.id, stages=stages)) == ["F-1", "F-2"]
    assert _numbers(db, JobFilters(branch_id=branch.id, open_only=True)) == ["F-1", "F-2"]
    assert _numbers(db, JobFilters(branch_id=branch.id, job_type=JobType.REPAIR)) == ["F-2"]
    assert _numbers(db, JobFilters(branch_id=branch.id, sales_rep="Ann")) == ["F-1"]


def test_search_matches_number_customer_and_address(db: Session) -> None:
    job = make_job(db, number="Q-77")
    customer = db.get(Customer, job.customer_id)
    prop = db.get(Property, job.property_id)
    assert customer is not None
    assert prop is not None
    customer.display_name = "Zebulon O'Hara"
    prop.address_line1 = "4242 Larimer St"
    make_job(db, number="Q-78")
    db.flush()
    for q in ("q-77", "zebulon", "larimer st", "4242"):
        assert _numbers(db, JobFilters(q=q)) == ["Q-77"], q
    assert _numbers(db, JobFilters(q="100%")) == []


def test_sorting_and_stable_paging(db: Session) -> None:
    same_time = utcnow() - timedelta(days=1)
    branch = make_branch(db)
    for n in range(7):
        make_job(db, number=f"P-{n}", branch=branch, stage_changed_at=same_time)
    filters = JobFilters(branch_id=branch.id)
    seen = [
        job.number
        for page in (1, 2, 3)
        for job in job_service.list(
            db, filters, PageRequest(page=page, size=3, sort="-stage_changed_at")
        ).items
    ]
    assert sorted(seen) == [f"P-{n}" for n in range(7)]
    result = job_service.list(db, filters, PageRequest(page=3, size=3))
    assert (result.total, result.pages, len(result.items)) == (7, 3, 1)
    assert _numbers(db, filters, sort="-number")[:2] == ["P-6", "P-5"]


def test_sort_by_squares(db: Session) -> None:
    branch = make_branch(db)
    make_job(db, number="S-big", branch=branch, squares=Decimal("40"))
    make_job(db, number="S-small", branch=branch, squares=Decimal("8"))
    assert _numbers(db, JobFilters(branch_id=branch.id), sort="squares") == ["S-small", "S-big"]


def test_unknown_sort_field_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed, match="cannot sort by 'customer_id'"):
        job_service.list(db, JobFilters(), PageRequest(sort="customer_id"))


def test_updated_since(db: Session) -> None:
    old = make_job(db, number="U-old")
    old.updated_at = utcnow() - timedelta(days=10)
    make_job(db, number="U-new")
    db.flush()
    since = utcnow() - timedelta(days=1)
    numbers = _numbers(db, JobFilters(updated_since=since, q="U-"))
    assert numbers == ["U-new"]


def test_list_and_get_eager_load_what_pages_show(db: Session) -> None:
    job = make_job(db, branch=make_branch(db))
    db.expunge_all()
    [listed] = job_service.list(db, JobFilters(q=job.number), PageRequest()).items
    assert listed.customer.display_name
    assert listed.property.city
    assert listed.branch is not None
    assert listed.crew is None
    detail = job_service.get(db, job.id)
    assert [event.to_stage for event in detail.stage_events] == [JobStage.LEAD]


def test_sales_reps_and_stage_counts(db: Session) -> None:
    make_job(db, sales_rep="Rita")
    make_job(db, sales_rep="Rita")
    make_job(db, sales_rep="")
    reps = job_service.sales_reps(db)
    assert reps.count("Rita") == 1
    assert "" not in reps
    counts = job_service.stage_counts(db)
    assert set(counts) == set(JobStage)
    assert counts[JobStage.LEAD] >= 3


def test_recent_stage_events_have_their_job(db: Session) -> None:
    job = make_job(db)
    [latest, *_] = job_service.recent_stage_events(db, limit=5)
    assert latest.job.number == job.number
