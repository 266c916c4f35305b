"""A small roofing shop to schedule: three crews and a handful of open jobs, from a Monday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from roofops.auth.principal import Principal
from roofops.models import ActorType, Crew, Job, JobStage, JobType, Material, Role
from tests.factories import make_branch, make_crew, make_job, make_skill, make_user

MONDAY = date(2027, 1, 4)
SOLVE_SECONDS = 2.0  # enough for a few jobs; keeps the files fast


@dataclass
class Shop:
    shingle: Crew  # asphalt shingle, 20 squares a day
    metal: Crew  # metal and asphalt shingle, 10 squares a day
    gutters: Crew  # gutters only
    jobs: list[Job]


@pytest.fixture
def dispatcher(db: Session) -> Principal:
    user = make_user(db, role=Role.DISPATCHER)
    return Principal(user.id, user.email, user.full_name, Role.DISPATCHER, ActorType.USER)


@pytest.fixture
def shop(db: Session) -> Shop:
    branch = make_branch(db)
    shingle, metal, gutters = (
        make_skill(db, code=code) for code in ("asphalt_shingle", "metal", "gutters")
    )
    crews = (
        make_crew(db, branch=branch, skills=[shingle]),
        make_crew(db, branch=branch, skills=[metal, shingle]),
        make_crew(db, branch=branch, skills=[gutters]),
    )
    crews[1].capacity_squares_per_day, crews[2].capacity_squares_per_day = 10, 10
    jobs = [
        make_job(db, stage=JobStage.CONTRACT_SIGNED, squares=Decimal(30), branch=branch),
        make_job(db, stage=JobStage.MATERIALS_ORDERED, squares=Decimal(18), branch=branch),
        make_job(
            db,
            stage=JobStage.SCHEDULED,
            squares=Decimal(20),
            material=Material.METAL,
            branch=branch,
        ),
        make_job(db, stage=JobStage.CONTRACT_SIGNED, job_type=JobType.REPAIR, branch=branch),
    ]
    db.flush()
    return Shop(*crews, jobs=jobs)
