"""Build (or reuse) the demo company: generate rows in memory, bulk-insert them, add sign-ins.

Everything happens in the caller's transaction, so a failure leaves nothing half-built.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from roofops.auth.principal import SYSTEM
from roofops.auth.service import user_service
from roofops.demo import catalog
from roofops.demo.activity import add_demo_notes
from roofops.demo.field import report_field_day
from roofops.demo.generator import FIRST_CREW_LEAD, generate
from roofops.demo.records import TABLES, DemoData, as_dict, columns_of, table_digest
from roofops.demo.repository import DemoRepository
from roofops.demo.teams import build_teams
from roofops.dispatch.service import dispatch_service
from roofops.exceptions import Conflict
from roofops.financials.service import financials_service
from roofops.logging import get_logger
from roofops.models import CompanySettings, Role

log = get_logger(__name__)

# (step label, completed, total): the CLI draws progress bars from these calls.
Progress = Callable[[str, int, int], None]
# Runs in the build's transaction once the company is loaded (the sandboxes link it).
AfterLoad = Callable[[Session, DemoData], None]
USER_NAMES = {
    Role.ADMIN: "Demo Admin",
    Role.OFFICE: "Olivia Office",
    Role.DISPATCHER: "Dean Dispatcher",
    Role.FINANCE: "Fiona Finance",
    Role.CREW_LEAD: FIRST_CREW_LEAD,
    Role.VIEWER: "Vera Viewer",
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: Role
    password: str | None  # None when the password was kept (it cannot be shown again)


@dataclass(frozen=True)
class DemoSummary:
    reused: bool
    built_at: datetime
    size: float
    seed: int
    counts: dict[str, int]
    users: list[DemoUser] = field(default_factory=list)
    seconds: float = 0.0
    database_bytes: int = 0

    @property
    def admin(self) -> DemoUser:
        return next(user for user in self.users if user.role == Role.ADMIN)


def _ignore(_step: str, _done: int, _total: int) -> None:
    """No progress display."""


def stored_size(size: float) -> Decimal:
    return Decimal(str(size)).quantize(Decimal("0.01"))


def demo_email(role: Role) -> str:
    """admin@demo.roofops.local, crew-lead@demo.roofops.local, ..."""
    return f"{role.value.replace('_', '-')}@{catalog.DEMO_EMAIL_DOMAIN}"


class DemoService:
    def __init__(self, after_load: Sequence[AfterLoad] = ()) -> None:
        self.after_load = tuple(after_load)

    def build(
        self,
        db: Session,
        *,
        size: float,
        seed: int,
        as_of: date,
        rebuild: bool = False,
        reset_all_passwords: bool = False,
        progress: Progress = _ignore,
    ) -> DemoSummary:
        """Build the demo company, or reuse the one this database holds.

        Refuses (Conflict) when the database holds a real company or other business data, and
        when its demo was built with another size or seed unless ``rebuild`` is set.
        """
        started = time.perf_counter()
        repo = DemoRepository(db)
        company = self._existing_demo(repo, size=size, seed=seed, rebuild=rebuild)
        reused = company is not None
        if company is None:
            progress("generating", 0, 1)
            data = generate(size, seed, as_of)
            progress("generating", 1, 1)
            company = self._load(db, data, progress)
        progress("sign-ins", 0, 1)
        users = self._users(db, reset_all=reset_all_passwords)
        if not reused:
            build_teams(db, as_of)  # owners are people: after the sign-ins exist
        progress("sign-ins", 1, 1)
        if not reused:  # the notes are the sign-ins' and mention them
            add_demo_notes(db, as_of, {user.role: user.email for user in users})
        return DemoSummary(
            reused=reused,
            built_at=company.created_at,
            size=size,
            seed=seed,
            counts=repo.counts(),
            users=users,
            seconds=time.perf_counter() - started,
            database_bytes=repo.database_bytes(),
        )

    def _existing_demo(
        self, repo: DemoRepository, *, size: float, seed: int, rebuild: bool
    ) -> CompanySettings | None:
        company = repo.company()
        if company is None:
            filled = repo.tables_with_rows()
            if filled:
                raise Conflict(
                    "this database already holds data but no demo company "
                    f"({', '.join(filled)}); point roofops at an empty database for the demo"
                )
            return None
        if not company.is_demo:
            raise Conflict(
                f"this database holds a real company ({company.name}); "
                "roofops demo only runs on an empty database or one it built"
            )
        if rebuild:
            log.info("demo.wiped", size=company.demo_size, seed=company.demo_seed)
            repo.wipe_business_data()
            return None
        if company.demo_size != stored_size(size) or company.demo_seed != seed:
            built_size = float(company.demo_size or 0)
            raise Conflict(
                f"the demo company here was built with --size {built_size:g} --seed "
                f"{company.demo_seed}; run `roofops demo --size {built_size:g} --seed "
                f"{company.demo_seed}` to reuse it, or add --rebuild to wipe it and build "
                f"--size {size:g} --seed {seed}"
            )
        return company

    def insert_rows(self, db: Session, data: DemoData, progress: Progress = _ignore) -> None:
        """The generated rows, every table, in multi-row INSERTs (no company, no sign-ins)."""
        repo = DemoRepository(db)
        for name, rows in data.tables().items():
            progress(name, 0, len(rows))
            repo.insert_rows(name, [as_dict(row) for row in rows], progress)

    def _load(self, db: Session, data: DemoData, progress: Progress) -> CompanySettings:
        self.insert_rows(db, data, progress)
        company = DemoRepository(db).add(
            CompanySettings(
                name=catalog.COMPANY_NAME,
                time_zone=catalog.TIME_ZONE,
                currency="USD",
                is_demo=True,
                demo_seed=data.seed,
                demo_size=stored_size(data.size),
                demo_as_of=data.as_of,
            )
        )
        for hook in self.after_load:
            hook(db, data)
        financials_service.track(db)  # every job's contract amount and estimate
        self._first_schedule(db, data)
        report_field_day(db, data, company.time_zone)
        DemoRepository(db).refresh_planner_statistics()
        log.info("demo.built", size=data.size, seed=data.seed, jobs=len(data.jobs))
        return company

    def _first_schedule(self, db: Session, data: DemoData) -> None:
        """A published production schedule from the as-of day, by the greedy dispatcher (the
        optimizer's seconds are the dispatcher's to spend, not the build's)."""
        plan = dispatch_service.optimize(db, SYSTEM, data.as_of, quick=True)
        dispatch_service.publish(db, SYSTEM, plan.id, announce=False)

    def _users(self, db: Session, *, reset_all: bool) -> list[DemoUser]:
        """One sign-in per role. A second run keeps every password (a browser signed in stays
        signed in) unless ``reset_all``: a hash cannot be shown again, so only new or reset
        passwords are returned."""
        result = []
        for role, full_name in USER_NAMES.items():
            email = demo_email(role)
            if user_service.find_by_email(db, email) is None:
                _, password = user_service.create(db, email=email, role=role, full_name=full_name)
                result.append(DemoUser(email, role, password))
            elif reset_all:
                result.append(DemoUser(email, role, user_service.set_password(db, email)))
            else:
                result.append(DemoUser(email, role, None))
        return result

    def database_digest(self, db: Session) -> str:
        """The same digest as :meth:`DemoData.digest`, read back from the database."""
        repo = DemoRepository(db)
        return table_digest(
            {name: repo.rows(name, columns_of(row_type)) for name, (_, row_type) in TABLES.items()}
        )


# The demo company alone; roofops.sandbox.demo builds it linked to its sandboxes.
demo_service = DemoService()
