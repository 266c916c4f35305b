"""Crews acknowledge a published plan that changed their work: only those crews, a crew lead
only for their own crew, a second tap is the first acknowledgement."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from roofops.dispatch.acknowledgements import acknowledgements
from roofops.models import Crew, Job, Role
from roofops.models.dispatch import DispatchPlan, PlanStatus
from tests.dispatch.field_world import (
    MONDAY,
    crew_lead,
    field_day,
    published_schedule,
    published_visit,
)
from tests.factories import ApiClient, make_job
from tests.field.world import person


def _replan(db: Session) -> tuple[DispatchPlan, Crew, Crew, Job]:
    """Two crews with a roof each; the new plan moves the first crew's roof by a week."""
    moved, kept = field_day(db, crews=2, visits=0).crews
    roof, other = make_job(db), make_job(db)
    first = published_schedule(db, [(roof, moved, MONDAY, 2), (other, kept, MONDAY, 3)])
    later = MONDAY + timedelta(days=7)
    second = published_schedule(
        db, [(roof, moved, later, 2), (other, kept, MONDAY, 3)], based_on=first
    )
    db.commit()
    return second, moved, kept, roof


def _url(plan: DispatchPlan) -> str:
    return f"/api/v1/dispatch/plans/{plan.id}/acknowledgements"


def test_only_the_crews_whose_work_changed_are_asked(api: ApiClient, db: Session) -> None:
    plan, moved, kept, _ = _replan(db)

    listed = api.as_role(Role.VIEWER).get(_url(plan))
    nothing_changed = api.as_role(Role.DISPATCHER).post(_url(plan), json={"crew_id": str(kept.id)})

    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [(c["crew_id"], c["acknowledged"]) for c in body["crews"]] == [(str(moved.id), False)]
    assert (body["status"], body["pending"]) == ("published", 1)
    assert nothing_changed.status_code == 409
    assert "did not change the work" in nothing_changed.json()["error"]["message"]


def test_the_crew_lead_acknowledges_for_their_own_crew_once(api: ApiClient, db: Session) -> None:
    plan, moved, kept, _ = _replan(db)
    own_lead = crew_lead(api, moved)
    other_lead = crew_lead(api, kept)

    refused = other_lead.post(_url(plan), json={"crew_id": str(moved.id)})
    first = own_lead.post(_url(plan), json={"crew_id": str(moved.id)})
    again = own_lead.post(_url(plan), json={"crew_id": str(moved.id)})
    listed = api.as_role(Role.DISPATCHER).get(_url(plan)).json()

    assert refused.status_code == 403
    assert moved.name in refused.json()["error"]["message"]
    assert first.status_code == 201, first.text
    assert first.json()["user_id"] == str(own_lead.user.id)  # type: ignore[union-attr]
    assert again.status_code == 201
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert listed["pending"] == 0
    assert listed["crews"][0]["acknowledged"] is True


def test_a_dispatcher_acknowledges_for_any_crew_and_drafts_cannot_be(
    api: ApiClient, db: Session
) -> None:
    plan, moved, _, _ = _replan(db)
    superseding = published_schedule(db, [(make_job(db), moved, MONDAY, 1)], based_on=plan)
    db.commit()
    dispatcher = api.as_role(Role.DISPATCHER)

    stale = dispatcher.post(_url(plan), json={"crew_id": str(moved.id)})
    current = dispatcher.post(_url(superseding), json={"crew_id": str(moved.id)})
    viewer = api.as_role(Role.VIEWER).post(_url(superseding), json={"crew_id": str(moved.id)})

    assert stale.status_code == 409
    assert "superseded" in stale.json()["error"]["message"]
    assert current.status_code == 201, current.text
    assert viewer.status_code == 403


def test_a_crew_waits_on_each_plan_that_changed_its_work_until_it_acknowledges(
    db: Session,
) -> None:
    """Read for all plans at once: a routes plan published without a base replaces the day's
    newest published before it."""
    first_crew, second_crew = field_day(db, crews=2, visits=0).crews
    job = make_job(db)
    replaced = published_visit(db, job, first_crew, MONDAY, 9 * 60)
    replaced.published_at -= timedelta(hours=1)
    replaced.status = PlanStatus.SUPERSEDED
    handed_over = published_visit(db, job, second_crew, MONDAY, 9 * 60)
    next_day = published_visit(db, make_job(db), first_crew, MONDAY + timedelta(days=1), 480)
    db.flush()

    def pending(crew: Crew, since: date = MONDAY) -> set[uuid.UUID]:
        return {plan.id for plan in acknowledgements.pending_for(db, crew.id, since)}

    assert pending(first_crew) == {handed_over.id, next_day.id}
    assert pending(second_crew) == {handed_over.id}
    assert pending(first_crew, MONDAY + timedelta(days=1)) == {next_day.id}
    acknowledgements.acknowledge(db, person(db, Role.DISPATCHER), handed_over.id, first_crew.id)
    assert pending(first_crew) == {next_day.id}
