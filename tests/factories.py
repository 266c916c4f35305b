"""Typed factory functions: build real rows through the ORM, with sensible defaults."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from roofops.auth.service import auth_service, user_service
from roofops.config import Settings
from roofops.financials.service import financials_service
from roofops.integrations.core.credentials import secret_box, write_credentials
from roofops.kit.time import utcnow
from roofops.models import (
    ActorType,
    Branch,
    ConnectionStatus,
    Crew,
    Customer,
    FigureSource,
    ForecastRun,
    ForecastRunStatus,
    ForecastTrigger,
    IntegrationConnection,
    Job,
    JobForecast,
    JobRequirements,
    JobStage,
    JobStageEvent,
    JobType,
    Material,
    Property,
    Provider,
    Role,
    Skill,
    User,
)

_counter = itertools.count(1)
QB_CLIENT_SECRET = "qb-client-secret-7f3a9c"
QB_REFRESH_TOKEN = "qb-refresh-token-AB12cd34"
QB_ACCESS_TOKEN = "qb-access-token-eyJhbGciOi"


def _next() -> int:
    return next(_counter)


def make_user(
    db: Session,
    *,
    role: Role = Role.OFFICE,
    email: str | None = None,
    password: str = "correct horse battery staple",
) -> User:
    user, _ = user_service.create(
        db,
        email=email or f"user{_next()}@example.com",
        role=role,
        full_name=f"Test {role.value}",
        password=password,
    )
    return user


def make_branch(db: Session, *, code: str | None = None, name: str = "Main") -> Branch:
    n = _next()
    branch = Branch(code=code or f"B{n}", name=f"{name} {n}", latitude=39.74, longitude=-104.99)
    db.add(branch)
    db.flush()
    return branch


def make_skill(db: Session, *, code: str | None = None) -> Skill:
    n = _next()
    skill = Skill(code=code or f"skill_{n}", name=f"Skill {n}")
    db.add(skill)
    db.flush()
    return skill


def make_crew(
    db: Session, *, branch: Branch | None = None, skills: list[Skill] | None = None
) -> Crew:
    branch = branch or make_branch(db)
    crew = Crew(name=f"Crew {_next()}", branch_id=branch.id, capacity_squares_per_day=20)
    crew.skills = skills or []
    db.add(crew)
    db.flush()
    return crew


def make_customer(db: Session, *, name: str | None = None) -> Customer:
    n = _next()
    customer = Customer(
        display_name=name or f"Customer {n}",
        first_name="Pat",
        last_name=f"Doe{n}",
        email=f"customer{n}@example.com",
    )
    db.add(customer)
    db.flush()
    return customer


def make_property(
    db: Session, *, customer: Customer | None = None, city: str = "Denver"
) -> Property:
    customer = customer or make_customer(db)
    prop = Property(
        customer_id=customer.id,
        address_line1=f"{_next()} Main St",
        city=city,
        state="CO",
        postal_code="80202",
        latitude=39.74,
        longitude=-104.99,
    )
    db.add(prop)
    db.flush()
    return prop


def make_job(
    db: Session,
    *,
    stage: JobStage = JobStage.LEAD,
    number: str | None = None,
    job_type: JobType = JobType.REROOF,
    material: Material = Material.ASPHALT_SHINGLE,
    squares: Decimal | None = Decimal("24.0"),
    branch: Branch | None = None,
    sales_rep: str = "Alex Rep",
    name: str | None = None,
    stage_changed_at: datetime | None = None,
    contract_cents: int | None = None,
) -> Job:
    prop = make_property(db)
    n = _next()
    when = stage_changed_at or utcnow()
    job = Job(
        number=number or f"T{n:05d}",
        name=name or f"Reroof {n}",
        customer_id=prop.customer_id,
        property_id=prop.id,
        branch_id=branch.id if branch else None,
        job_type=job_type,
        material=material,
        squares=squares,
        stage=stage,
        stage_changed_at=when,
        sales_rep=sales_rep,
        contract_cents=contract_cents,
        contract_source=FigureSource.JOBNIMBUS if contract_cents is not None else None,
    )
    db.add(job)
    db.flush()
    db.add(
        JobStageEvent(
            job_id=job.id,
            from_stage=None,
            to_stage=stage,
            occurred_at=when,
            recorded_at=when,
            actor_type=ActorType.SYSTEM,
            actor_label="factory",
        )
    )
    db.flush()
    financials_service.track(db, [job.id])  # as every way of creating a job does
    return job


@dataclass
class ApiClient:
    """A TestClient that sends an API token for a user of the chosen role."""

    client: TestClient
    db: Session
    headers: dict[str, str] = field(default_factory=dict)
    user: User | None = None

    def as_role(self, role: Role) -> ApiClient:
        user = make_user(self.db, role=role)
        token = auth_service.create_api_token(self.db, user_id=user.id, name="tests")
        self.db.commit()
        return ApiClient(self.client, self.db, {"Authorization": f"Bearer {token.raw_token}"}, user)

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> Response:
        return self.request("PATCH", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)


def make_api_client(client: TestClient, db: Session) -> ApiClient:
    return ApiClient(client, db)


def connect_quickbooks(db: Session, settings: Settings) -> IntegrationConnection:
    """A connected QuickBooks, secrets and all, as the OAuth callback leaves it (committed)."""
    connection = IntegrationConnection(
        provider=Provider.QUICKBOOKS,
        status=ConnectionStatus.CONNECTED,
        account_id="9130355377338976",
        last_success_at=utcnow(),
    )
    document = {
        "client_id": "qb-client",
        "client_secret": QB_CLIENT_SECRET,
        "refresh_token": QB_REFRESH_TOKEN,
        "access_token": QB_ACCESS_TOKEN,
    }
    write_credentials(secret_box(settings), connection, document, "ui")
    db.add(connection)
    db.commit()
    return connection


def make_requirements(db: Session, job: Job, **values: Any) -> JobRequirements:
    """What the job needs before it can be scheduled (dates, gutters, window, lock)."""
    requirements = JobRequirements(job_id=job.id, with_gutters=False, visit_minutes=60)
    for name, value in values.items():
        setattr(requirements, name, value)
    db.add(requirements)
    db.flush()
    return requirements


Band = tuple[date, date, date]  # p10, p50, p90


def make_job_forecast(
    db: Session, job: Job, *, finish: Band, start: Band | None = None, as_of: date | None = None
) -> JobForecast:
    """A succeeded forecast run that predicted ``job``: its finish (and start) as p10, p50, p90."""
    now = utcnow()
    run = ForecastRun(as_of=as_of or now.date(), status=ForecastRunStatus.SUCCEEDED,
                      trigger=ForecastTrigger.MANUAL, started_at=now, finished_at=now)  # fmt: skip
    db.add(run)
    db.flush()
    starts = dict(zip(("start_p10", "start_p50", "start_p90"), start or (None,) * 3, strict=True))
    finishes = dict(zip(("finish_p10", "finish_p50", "finish_p90"), finish, strict=True))
    forecast = JobForecast(run_id=run.id, job_id=job.id, stage=job.stage, days_in_stage=3,
                           **starts, **finishes)  # fmt: skip
    db.add(forecast)
    db.flush()
    return forecast
