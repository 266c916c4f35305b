"""QuickBooks books of the demo company, deterministic from the demo data and a seed.

Every job that reached ``contract_signed`` gets a project (a sub-customer with ``Job: true`` and
``ParentRef`` to its customer) and the documents its stage history implies:

* invoices whose DocNumber is the job number: ``1042`` alone for small jobs; ``1042`` (deposit)
  and ``1042-2`` (final) for retail roofs; ``1042`` (ACV), ``1042-2`` (depreciation release) and
  sometimes ``1042-3`` (supplement) for insurance jobs; payments for the paid ones; a cancelled
  job's unpaid deposit invoice is voided;
* costs allocated to the project by a line-level ``CustomerRef`` (and the branch as ``ClassRef``):
  supplier bills for materials (item lines) plus a Home Depot card purchase, permits, dumpster
  bills, equipment rental, and labor: a subcontractor's bill, or an in-house payroll check
  with the crew's TimeActivity hours.

Contract values come from squares x the demo price list (insurance jobs: the RCV); margins centre
on 34 % with spread, and about one job in fourteen loses money.
"""

from __future__ import annotations

import gc
import math
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from roofops.demo.catalog import JOBS_PER_SIZE
from roofops.demo.clock import add_roofing_days, local_day, midnight_utc
from roofops.demo.generator import generate
from roofops.demo.records import CrewRow, CustomerRow, DemoData, JobRow
from roofops.kit.money import from_cents
from roofops.models.enums import JobStage, JobType, Material
from roofops.sandbox.clock import Clock, FakeClock
from roofops.sandbox.quickbooks.costs import Economics, economics
from roofops.sandbox.quickbooks.ledger import (
    DUMPSTER_VENDORS,
    FUEL_VENDOR,
    LANDLORD,
    MATERIAL_ITEMS,
    PERMIT_OFFICES,
    RENTAL_VENDORS,
    RETAIL_STORE,
    SUPPLIERS,
    Setup,
    build_setup,
    firm_of,
    ref,
)
from roofops.sandbox.quickbooks.plan import PlannedInvoice, invoice_plan
from roofops.sandbox.quickbooks.store import Books, Entity

S = JobStage


@dataclass
class JobLedger:
    """The Ids of one job's documents, so tests and change sets can find them."""

    number: str
    project_id: str
    invoices: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    bills: list[str] = field(default_factory=list)
    purchases: list[str] = field(default_factory=list)
    time_activities: list[str] = field(default_factory=list)


@dataclass
class FakeCompany:
    books: Books
    setup: Setup
    jobs: dict[str, JobLedger]
    seed: int


def build_books(
    data: DemoData, *, clock: Clock | None = None, seed: int | None = None
) -> FakeCompany:
    """The books of ``data``; pass the fake's clock so later writes share its time."""
    seed = data.seed if seed is None else seed
    with _without_gc():
        return _build(data, clock or FakeClock(), seed)


@contextmanager
def _without_gc() -> Iterator[None]:
    """The build allocates ~10 dicts per job and no reference cycles; with the collector on,
    its passes over the growing heap double the build time of a 10,000-job company."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(data: DemoData, clock: Clock, seed: int) -> FakeCompany:
    books = Books(clock)
    opened = min(branch.created_at for branch in data.branches)
    company = FakeCompany(books, build_setup(books, data, opened), {}, seed)
    context = _Context.of(data, company)
    for job in data.jobs:
        times = context.stages.get(job.id, {})
        if S.CONTRACT_SIGNED in times:
            rng = random.Random(f"roofops-qbo:{seed}:{job.number}")  # noqa: S311 (demo data)
            company.jobs[job.number] = _JobBooks(context, job, times, rng).build()
    _overhead(company, opened, context.cutoff)
    return company


def books_for_jobs(
    job_count: int, seed: int, as_of: date, *, clock: Clock | None = None
) -> tuple[DemoData, FakeCompany]:
    """A demo company of about ``job_count`` jobs (all stages) and its books.

    Generating the company is fast enough (about 2 s for 10,000 jobs) that the benchmark uses
    the real generator, so job numbers match what the demo loads into roofops.
    """
    data = generate(job_count / JOBS_PER_SIZE, seed, as_of)
    return data, build_books(data, clock=clock, seed=seed)


@dataclass
class _Context:
    company: FakeCompany
    stages: dict[uuid.UUID, dict[JobStage, datetime]]
    prices: dict[tuple[JobType, Material], int]
    crews: dict[uuid.UUID, CrewRow]
    customers: dict[uuid.UUID, CustomerRow]
    branch_names: dict[uuid.UUID, str]
    branch_order: dict[uuid.UUID, int]
    cutoff: datetime
    customer_ids: dict[uuid.UUID, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: DemoData, company: FakeCompany) -> _Context:
        stages: dict[uuid.UUID, dict[JobStage, datetime]] = {}
        for event in data.stage_events:
            # A rescheduled job passes a stage twice; its documents date from the first time.
            stages.setdefault(event.job_id, {}).setdefault(event.to_stage, event.occurred_at)
        return cls(
            company=company,
            stages=stages,
            prices={(p.job_type, p.material): p.price_per_square_cents for p in data.prices},
            crews={crew.id: crew for crew in data.crews},
            customers={customer.id: customer for customer in data.customers},
            branch_names={branch.id: branch.name for branch in data.branches},
            branch_order={branch.id: index for index, branch in enumerate(data.branches)},
            cutoff=midnight_utc(data.as_of),
        )

    def customer_id(self, customer: CustomerRow, at: datetime) -> str:
        if customer.id not in self.customer_ids:
            books, setup = self.company.books, self.company.setup
            row = books.add(
                "Customer", _customer_body(setup, customer), at=min(at, customer.created_at)
            )
            self.customer_ids[customer.id] = row["Id"]
        return self.customer_ids[customer.id]


def _customer_body(setup: Setup, customer: CustomerRow) -> Entity:
    body: Entity = {
        "DisplayName": setup.unique(customer.display_name),
        "GivenName": customer.first_name,
        "FamilyName": customer.last_name,
        "PrimaryEmailAddr": {"Address": customer.email},
        "PrimaryPhone": {"FreeFormNumber": customer.phone},
        "Active": True,
        "Job": False,
    }
    if customer.company_name:
        body["CompanyName"] = customer.company_name
    return body


class _JobBooks:
    """Writes one job's project, invoices, payments and costs in the order they happened."""

    def __init__(
        self, context: _Context, job: JobRow, times: dict[JobStage, datetime], rng: random.Random
    ) -> None:
        self.context = context
        self.books = context.company.books
        self.setup = context.company.setup
        self.job = job
        self.times = times
        self.rng = rng
        price = context.prices.get((job.job_type, job.material)) or context.prices.get(
            (JobType.REROOF, job.material)
        )
        self.money: Economics = economics(job, rng, price)
        self.class_ref = ref(
            self.setup.classes[job.branch_id.hex], context.branch_names[job.branch_id]
        )
        self.project = ref("")
        self.ledger = JobLedger(job.number, "")

    def build(self) -> JobLedger:
        self._project()
        for planned in invoice_plan(self.job, self.money, self.times, self.rng):
            self._invoice(planned)
        self._costs()
        return self.ledger

    def _project(self) -> None:
        customer = self.context.customers[self.job.customer_id]
        signed = self.times[S.CONTRACT_SIGNED]
        parent_id = self.context.customer_id(customer, signed)
        name = self.setup.unique(f"{self.job.number} {self.job.name}")
        body = {
            "DisplayName": name,
            "FullyQualifiedName": f"{customer.display_name}:{name}",
            "Job": True,
            "ParentRef": ref(parent_id, customer.display_name),
            "BillWithParent": False,
            "Active": True,
            "PrimaryEmailAddr": {"Address": customer.email},
        }
        row = self.books.add("Customer", body, at=signed)
        self.project = ref(row["Id"], name)
        self.ledger.project_id = row["Id"]

    def _when(self, moment: datetime) -> datetime | None:
        return moment if moment <= self.context.cutoff else None

    def _invoice(self, planned: PlannedInvoice) -> None:
        amount = from_cents(planned.cents)
        day = local_day(planned.at)
        line = {
            "Amount": amount,
            "DetailType": "SalesItemLineDetail",
            "Description": planned.description,
            "SalesItemLineDetail": {
                "ItemRef": ref(self.setup.items[planned.item], planned.item),
                "Qty": Decimal(1),
                "UnitPrice": amount,
                "ClassRef": self.class_ref,
            },
        }
        body = {
            "DocNumber": f"{self.job.number}{planned.suffix}",
            "TxnDate": day.isoformat(),
            "DueDate": (day + timedelta(days=30)).isoformat(),
            "CustomerRef": self.project,
            "Line": [{"Id": "1", "LineNum": 1, **line}],
            "PrivateNote": f"roofops job {self.job.number}",
        }
        invoice_id = str(self.books.add("Invoice", body, at=planned.at)["Id"])
        self.ledger.invoices.append(invoice_id)
        for payment in planned.payments:
            self._payment(invoice_id, payment.cents, max(payment.at, planned.at), payment.note)
        cancelled = self.times.get(S.CANCELLED)
        if cancelled is not None and not planned.payments:
            self.books.void_invoice(invoice_id, at=max(cancelled, planned.at))

    def _payment(self, invoice_id: str, cents: int, at: datetime, note: str) -> None:
        if cents <= 0 or self._when(at) is None:
            return
        amount = from_cents(cents)
        body = {
            "CustomerRef": self.project,
            "TxnDate": local_day(at).isoformat(),
            "TotalAmt": amount,
            "UnappliedAmt": Decimal("0.00"),
            "PaymentRefNum": str(self.rng.randint(1000, 99999)),
            "DepositToAccountRef": self.setup.account("Undeposited Funds"),
            "PrivateNote": note,
            "Line": [
                {"Amount": amount, "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}
            ],
        }
        self.ledger.payments.append(str(self.books.add("Payment", body, at=at)["Id"]))

    def _costs(self) -> None:
        money = self.money
        ordered = self.stage_time(S.MATERIALS_ORDERED, S.SCHEDULED, S.IN_PRODUCTION)
        scheduled = self.stage_time(S.SCHEDULED)
        production = self.stage_time(S.IN_PRODUCTION, S.COMPLETED)
        finished = self.stage_time(S.COMPLETED)
        if ordered is not None:
            self._materials(money.materials_cents, ordered)
        if scheduled is not None and money.permits_cents:
            line = self.line(
                money.permits_cents, "Permits", f"Building permit - job {self.job.number}"
            )
            self._purchase(self._permit_office(), "CreditCard", [line], scheduled)
        if production is not None:
            self._site_costs(production)
        if finished is not None:
            self._labor(money.labor_cents, production or finished, finished)

    def _materials(self, cents: int, ordered: datetime) -> None:
        if cents < 20_00:
            return
        main = int(cents * self.rng.uniform(0.85, 1.0))
        supplier = self.rng.choices([n for n, _ in SUPPLIERS], [w for _, w in SUPPLIERS])[0]
        self._bill(supplier, self.material_lines(main), ordered)
        if cents - main >= 25_00:
            line = self.line(cents - main, "Materials", "Job-site materials run")
            self._purchase(RETAIL_STORE, "CreditCard", [line], ordered + timedelta(days=1))

    def _site_costs(self, production: datetime) -> None:
        money = self.money
        if money.disposal_cents:
            line = self.line(
                money.disposal_cents, "Dump Fees", "Roll-off dumpster and tipping fees"
            )
            self._bill(self.rng.choice(DUMPSTER_VENDORS), [line], production)
        if money.equipment_cents:
            line = self.line(money.equipment_cents, "Equipment Rental", "Lift / roof hoist rental")
            self._purchase(self.rng.choice(RENTAL_VENDORS), "CreditCard", [line], production)

    def _labor(self, cents: int, started: datetime, finished: datetime) -> None:
        crew = self.context.crews.get(self.job.crew_id) if self.job.crew_id else None
        if crew is not None and crew.is_subcontractor:
            line = self.line(cents, "Subcontractors", f"Installation labor - job {self.job.number}")
            vendor_id = self.setup.subcontractors[crew.id.hex]
            self._bill_to(ref(vendor_id, firm_of(crew)), [line], finished)
            return
        foreman = self.setup.foremen.get(crew.id.hex) if crew else None
        payee = {**ref(foreman, crew.lead_name), "type": "Employee"} if foreman and crew else None
        line = self.line(cents, "Labor", f"Crew payroll allocation - job {self.job.number}")
        self._purchase_to(payee, "Check", [line], finished)
        if payee is not None:
            self._time_activities(cents, payee, started)

    def _time_activities(self, cents: int, payee: Entity, started: datetime) -> None:
        rate = self.rng.randint(42_00, 58_00)
        hours = Decimal(cents) / rate
        days = max(1, min(5, math.ceil(hours / 40)))
        for day in range(days):
            quarters = int(hours * 4 / days)
            body = {
                "NameOf": "Employee",
                "EmployeeRef": ref(payee["value"], payee["name"]),
                "CustomerRef": self.project,
                "ClassRef": self.class_ref,
                "TxnDate": add_roofing_days(local_day(started), day).isoformat(),
                "Hours": quarters // 4,
                "Minutes": quarters % 4 * 15,
                "CostRate": from_cents(rate),
                "BillableStatus": "NotBillable",
                "Description": f"Crew hours - job {self.job.number}",
            }
            row = self.books.add(
                "TimeActivity", body, at=self._capped(started + timedelta(days=day))
            )
            self.ledger.time_activities.append(row["Id"])

    def _permit_office(self) -> str:
        """Each branch pulls permits from its own city."""
        index = self.context.branch_order[self.job.branch_id]
        return PERMIT_OFFICES[index % len(PERMIT_OFFICES)]

    def _capped(self, moment: datetime) -> datetime:
        return min(moment, self.context.cutoff)

    def _bill(self, vendor: str, lines: list[Entity], at: datetime) -> None:
        self._bill_to(ref(self.setup.vendors[vendor], vendor), lines, at)

    def _bill_to(self, vendor: Entity, lines: list[Entity], at: datetime) -> None:
        day = local_day(at)
        due = day + timedelta(days=30)
        body: Entity = {
            "VendorRef": vendor,
            "TxnDate": day.isoformat(),
            "DueDate": due.isoformat(),
            "DocNumber": f"{self.rng.randint(100000, 999999)}",
            "APAccountRef": self.setup.account("Accounts Payable (A/P)"),
            "PrivateNote": f"Job {self.job.number}",
            "Line": _numbered(lines),
        }
        if due <= local_day(self.context.cutoff):
            body["Balance"] = Decimal("0.00")
        self.ledger.bills.append(str(self.books.add("Bill", body, at=at)["Id"]))

    def _purchase(self, vendor: str, kind: str, lines: list[Entity], at: datetime) -> None:
        payee = {**ref(self.setup.vendors[vendor], vendor), "type": "Vendor"}
        self._purchase_to(payee, kind, lines, at)

    def _purchase_to(
        self, payee: Entity | None, kind: str, lines: list[Entity], at: datetime
    ) -> None:
        at = self._capped(at)
        body: Entity = {
            "PaymentType": kind,
            "AccountRef": self.setup.account(
                "Company Visa" if kind == "CreditCard" else "Checking"
            ),
            "TxnDate": local_day(at).isoformat(),
            "PrivateNote": f"Job {self.job.number}",
            "Line": _numbered(lines),
        }
        if payee is not None:
            body["EntityRef"] = payee
        if kind == "Check":
            body["DocNumber"] = str(self.rng.randint(1000, 9999))
        self.ledger.purchases.append(str(self.books.add("Purchase", body, at=at)["Id"]))

    def stage_time(self, *stages: JobStage) -> datetime | None:
        """The first of ``stages`` the job reached, if any."""
        return next((self.times[stage] for stage in stages if stage in self.times), None)

    def line(self, cents: int, account: str, description: str) -> Entity:
        """An expense line on ``account``, allocated to the project and branch."""
        return {
            "Amount": from_cents(cents),
            "DetailType": "AccountBasedExpenseLineDetail",
            "Description": description,
            "AccountBasedExpenseLineDetail": {
                "AccountRef": self.setup.account(account),
                "CustomerRef": self.project,
                "ClassRef": self.class_ref,
                "BillableStatus": "NotBillable",
            },
        }

    def material_lines(self, cents: int) -> list[Entity]:
        """Item lines whose quantities follow the job's squares and add up to about ``cents``."""
        items = MATERIAL_ITEMS[self.job.material]
        weights = [self.rng.uniform(0.5, 1.5) * per for _, per in items]
        squares = float(self.job.squares or 1)
        lines = []
        for (name, per_square), weight in zip(items, weights, strict=True):
            share = int(cents * weight / sum(weights))
            qty = max(1, round(per_square * squares))
            unit = from_cents(max(1, share // qty))
            lines.append(self._item_line(name, Decimal(qty), unit))
        return lines

    def _item_line(self, name: str, qty: Decimal, unit: Decimal) -> Entity:
        return {
            "Amount": qty * unit,
            "DetailType": "ItemBasedExpenseLineDetail",
            "Description": name,
            "ItemBasedExpenseLineDetail": {
                "ItemRef": ref(self.setup.items[name], name),
                "Qty": qty,
                "UnitPrice": unit,
                "CustomerRef": self.project,
                "ClassRef": self.class_ref,
                "BillableStatus": "NotBillable",
            },
        }


def _overhead(company: FakeCompany, opened: datetime, cutoff: datetime) -> None:
    """Monthly rent and fuel: costs that belong to no job (no line-level CustomerRef)."""
    books, setup = company.books, company.setup
    for month_start in _months(opened, cutoff):
        # Fuel varies by month without a random stream of its own, so job books stay stable.
        fuel = 2_100_00 + (month_start.month * 7_919) % 900_00
        for vendor, account, cents in (
            (LANDLORD, "Rent or Lease", 8_500_00),
            (FUEL_VENDOR, "Vehicle Fuel", fuel),
        ):
            line = {
                "Amount": from_cents(cents),
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {"AccountRef": setup.account(account)},
            }
            body = {
                "PaymentType": "Check",
                "AccountRef": setup.account("Checking"),
                "EntityRef": {**ref(setup.vendors[vendor], vendor), "type": "Vendor"},
                "TxnDate": local_day(month_start).isoformat(),
                "Line": [{"Id": "1", **line}],
            }
            books.add("Purchase", body, at=month_start)


def _months(start: datetime, end: datetime) -> Iterator[datetime]:
    moment = start.replace(day=1, hour=16, minute=0)
    while moment <= end:
        yield moment
        moment = (moment + timedelta(days=32)).replace(day=1)


def _numbered(lines: list[Entity]) -> list[Entity]:
    return [{"Id": str(n), "LineNum": n, **line} for n, line in enumerate(lines, start=1)]
