"""build_demo against the real database: one transaction, reuse, refusals, rebuild."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from roofops.demo.generator import generate
from roofops.exceptions import Conflict
from roofops.models import CompanySettings, Role
from roofops.sandbox.demo import build_demo, demo_service
from tests.factories import make_customer

AS_OF = date(2026, 6, 30)
SIZE = 0.05


def test_builds_the_generated_company_row_for_row(db: Session) -> None:
    steps: list[str] = []
    summary = build_demo(
        db, size=SIZE, seed=3, as_of=AS_OF, progress=lambda step, _d, _t: steps.append(step)
    )
    data = generate(SIZE, 3, AS_OF)

    assert not summary.reused
    assert summary.counts == {
        "branches": len(data.branches),
        "crews": len(data.crews),
        "customers": len(data.customers),
        "properties": len(data.properties),
        "jobs": len(data.jobs),
        "stage_events": len(data.stage_events),
    }
    assert demo_service.database_digest(db) == data.digest()
    assert {"generating", "jobs", "job_stage_events", "sign-ins"} <= set(steps)
    assert summary.database_bytes > 0
    company = db.get(CompanySettings, "company")
    assert company is not None
    assert (company.is_demo, company.demo_seed, company.demo_size) == (True, 3, Decimal("0.05"))


def test_gives_one_sign_in_per_role_and_only_shows_new_passwords(db: Session) -> None:
    first = build_demo(db, size=SIZE, seed=3, as_of=AS_OF)
    again = build_demo(db, size=SIZE, seed=3, as_of=AS_OF)
    reset = build_demo(db, size=SIZE, seed=3, as_of=AS_OF, reset_all_passwords=True)

    assert {user.role for user in first.users} == set(Role)
    assert all(user.password for user in first.users)
    assert first.admin.email == "admin@demo.roofops.local"
    # A second run keeps every password: a browser signed in as the admin stays signed in.
    assert [user.password for user in again.users] == [None] * 6
    assert all(user.password for user in reset.users)
    assert reset.admin.password != first.admin.password


def test_running_again_reuses_the_company(db: Session) -> None:
    first = build_demo(db, size=SIZE, seed=3, as_of=AS_OF)
    again = build_demo(db, size=SIZE, seed=3, as_of=date(2026, 7, 1))

    assert again.reused
    assert again.counts == first.counts
    assert again.built_at == first.built_at


def test_a_different_size_is_refused_until_rebuild(db: Session) -> None:
    build_demo(db, size=SIZE, seed=3, as_of=AS_OF)

    with pytest.raises(Conflict, match="--rebuild"):
        build_demo(db, size=0.1, seed=3, as_of=AS_OF)
    rebuilt = build_demo(db, size=0.1, seed=4, as_of=AS_OF, rebuild=True)

    assert not rebuilt.reused
    assert rebuilt.counts["jobs"] == 300
    assert demo_service.database_digest(db) == generate(0.1, 4, AS_OF).digest()


def test_refuses_a_database_with_a_real_company(db: Session) -> None:
    db.add(CompanySettings(name="Real Roofing LLC"))
    db.flush()

    with pytest.raises(Conflict, match="real company"):
        build_demo(db, size=SIZE, seed=3, as_of=AS_OF, rebuild=True)


def test_refuses_a_database_with_other_data(db: Session) -> None:
    make_customer(db)

    with pytest.raises(Conflict, match="customers"):
        build_demo(db, size=SIZE, seed=3, as_of=AS_OF)
