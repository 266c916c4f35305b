"""Who may do what: every permission roofops checks, and the roles that have it.

One table for everything that asks: API routes and page routes (``requires(...)``), templates
(``can("run_sync")``), services (which stage moves a role may make), the live event stream and
the money fields of responses. A page and the API cannot disagree because both read this table.
docs/access.md prints it (roofops.auth.access_doc); tests/auth/test_access_doc.py keeps the two
equal, and tests/auth/test_route_permissions.py checks every route against it, role by role.
"""

from __future__ import annotations

from dataclasses import dataclass

from roofops.kit.schemas import ModelT, without_money
from roofops.kit.types import StrEnum
from roofops.models.enums import JobStage, Role

ADMIN, OFFICE, DISPATCHER = Role.ADMIN, Role.OFFICE, Role.DISPATCHER
FINANCE, CREW_LEAD = Role.FINANCE, Role.CREW_LEAD
EVERYONE = frozenset(Role)  # the viewer has only what everyone has


class Permission(StrEnum):
    USE_ACCOUNT = "use_account"
    VIEW_JOBS = "view_jobs"
    VIEW_CREWS = "view_crews"
    VIEW_COMPANY = "view_company"
    EDIT_JOBS = "edit_jobs"
    EDIT_CUSTOMERS = "edit_customers"
    EDIT_CREWS = "edit_crews"
    MOVE_JOBS = "move_jobs"
    MOVE_TO_SALES = "move_to_sales"
    MOVE_TO_PRODUCTION = "move_to_production"
    MOVE_TO_BILLING = "move_to_billing"
    CLOSE_JOBS = "close_jobs"
    VIEW_MONEY = "view_money"
    EDIT_FIGURES = "edit_figures"
    VIEW_INVOICES = "view_invoices"
    VIEW_FINANCIAL_REPORTS = "view_financial_reports"
    EDIT_INVOICES = "edit_invoices"
    EDIT_PRICE_LIST = "edit_price_list"
    EDIT_COMPANY = "edit_company"
    VIEW_INTEGRATIONS = "view_integrations"
    RUN_SYNC = "run_sync"
    MANAGE_INTEGRATIONS = "manage_integrations"
    MANAGE_USERS = "manage_users"
    PLAN_DISPATCH = "plan_dispatch"
    ACKNOWLEDGE_SCHEDULE = "acknowledge_schedule"
    VIEW_FORECASTS = "view_forecasts"
    RUN_FORECASTS = "run_forecasts"
    WRITE_NOTES = "write_notes"
    HAND_OFF_JOBS = "hand_off_jobs"
    MANAGE_TEAMS = "manage_teams"
    REPORT_FIELD_WORK = "report_field_work"
    VIEW_PERFORMANCE = "view_performance"
    VIEW_EXECUTIVE = "view_executive"
    MANAGE_PORTAL = "manage_portal"

    @property
    def roles(self) -> frozenset[Role]:
        return TABLE[self].roles

    def allows(self, role: Role) -> bool:
        return role in TABLE[self].roles

    def refusal(self, role: Role) -> str:
        """The 403 sentence: what is missing, and who has it."""
        holders = ", ".join(sorted(holder.value for holder in self.roles))
        return (
            f"your role ({role.value}) cannot do this: it needs the '{self.value}' permission, "
            f"which these roles have: {holders}"
        )


@dataclass(frozen=True)
class Grant:
    roles: frozenset[Role]
    covers: str  # what the permission opens, in the words docs/access.md prints


# The groups the grants are made of: the sales desk, the people who build the roof, the books,
# and everyone who sees money (MONEY_RULE says why).
_SALES_DESK = frozenset({ADMIN, OFFICE})
_PRODUCTION = frozenset({ADMIN, OFFICE, DISPATCHER, CREW_LEAD})
_BOOKS = frozenset({ADMIN, FINANCE})
_MONEY = frozenset({ADMIN, OFFICE, FINANCE})
_MOVERS = _SALES_DESK | _PRODUCTION | _BOOKS

TABLE: dict[Permission, Grant] = {
    Permission.USE_ACCOUNT: Grant(
        EVERYONE, "sign out, see who I am, my own API tokens, the settings page, the API docs"
    ),
    Permission.VIEW_JOBS: Grant(
        EVERYONE,
        "jobs, customers, properties, stage history, Command Center, live job events "
        "(money fields are left out without view_money)",
    ),
    Permission.VIEW_CREWS: Grant(EVERYONE, "crews, branches, skills, the Dispatch tab"),
    Permission.VIEW_COMPANY: Grant(EVERYONE, "company name, time zone and currency"),
    Permission.EDIT_JOBS: Grant(_SALES_DESK, "create and edit jobs, money fields included"),
    Permission.EDIT_CUSTOMERS: Grant(_SALES_DESK, "create and edit customers and properties"),
    Permission.EDIT_CREWS: Grant(
        frozenset({ADMIN, OFFICE, DISPATCHER}), "create and edit crews, branches and skills"
    ),
    Permission.MOVE_JOBS: Grant(
        _MOVERS, "open the stage-move form and API; each move then needs its own permission"
    ),
    Permission.MOVE_TO_SALES: Grant(
        _SALES_DESK, "move a job to lead, inspection, estimate or contract signed"
    ),
    Permission.MOVE_TO_PRODUCTION: Grant(
        _PRODUCTION, "move a job to materials ordered, scheduled, in production or completed"
    ),
    Permission.MOVE_TO_BILLING: Grant(
        _BOOKS, "move a job to invoiced or paid, or back out of invoiced"
    ),
    Permission.CLOSE_JOBS: Grant(_SALES_DESK, "mark a job lost or cancelled"),
    Permission.VIEW_MONEY: Grant(
        _MONEY,
        "contract amounts, insurance amounts (RCV, ACV, deductible, depreciation), the price "
        "list, costs, profit and margins: the Profit page, its CSV, the money API fields",
    ),
    Permission.EDIT_FIGURES: Grant(
        _BOOKS, "set or clear a job's money figures by hand; map accounting costs to categories"
    ),
    Permission.VIEW_INVOICES: Grant(
        _MONEY,
        "the Invoices list and its CSV, an invoice's page and PDF, a job's invoices and what "
        "each payer was invoiced, paid and owes",
    ),
    Permission.EDIT_INVOICES: Grant(
        _BOOKS, "raise invoices from a job, push them to the books, e-mail and void them"
    ),
    Permission.VIEW_FINANCIAL_REPORTS: Grant(
        _BOOKS,
        "the financial reports (revenue invoiced and collected, margins by group, AR aging, "
        "WIP, depreciation outstanding): the page, the API, CSV and XLSX exports",
    ),
    Permission.EDIT_PRICE_LIST: Grant(frozenset({ADMIN}), "change the price list"),
    Permission.EDIT_COMPANY: Grant(frozenset({ADMIN}), "change company settings"),
    Permission.VIEW_INTEGRATIONS: Grant(
        _MONEY, "the integrations page, connections, sync runs and their live progress"
    ),
    Permission.RUN_SYNC: Grant(_MONEY, "start a JobNimbus or QuickBooks sync (page or API)"),
    Permission.MANAGE_INTEGRATIONS: Grant(
        frozenset({ADMIN}), "connect and disconnect vendors, edit the status and branch maps"
    ),
    Permission.MANAGE_USERS: Grant(frozenset({ADMIN}), "create, edit and deactivate users"),
    Permission.PLAN_DISPATCH: Grant(
        frozenset({ADMIN, DISPATCHER}),
        "optimize and re-plan the schedule and routes, move and lock work on the dispatch "
        "board, record crew time off and events, publish plans, lend crews to another branch",
    ),
    Permission.ACKNOWLEDGE_SCHEDULE: Grant(
        frozenset({ADMIN, DISPATCHER, CREW_LEAD}),
        "acknowledge a published schedule change on behalf of a crew",
    ),
    Permission.VIEW_FORECASTS: Grant(
        frozenset({ADMIN, OFFICE, DISPATCHER, FINANCE}),
        "the Forecast pages and API: every open job's completion window, crew demand against "
        "capacity, trends, forecast runs with their metrics, forecast vs actual (revenue and "
        "margin series need view_money too; a single job's window needs only view_jobs)",
    ),
    Permission.RUN_FORECASTS: Grant(frozenset({ADMIN}), "start a forecast run (page or API)"),
    Permission.WRITE_NOTES: Grant(
        EVERYONE - {Role.VIEWER},
        "write notes on a job's activity feed and @mention colleagues (who are notified)",
    ),
    Permission.HAND_OFF_JOBS: Grant(
        frozenset({ADMIN, OFFICE, DISPATCHER, FINANCE}),
        "hand a job to another team or owner and tick its handoff checklist",
    ),
    Permission.MANAGE_TEAMS: Grant(frozenset({ADMIN}), "create teams and set their members"),
    Permission.REPORT_FIELD_WORK: Grant(
        frozenset({ADMIN, DISPATCHER, CREW_LEAD}),
        "report a crew's day on a job (on the way, started, finished, blocked) and add site "
        "notes and photos from the crew page; a crew lead only for the crew they lead",
    ),
    Permission.VIEW_PERFORMANCE: Grant(
        frozenset({ADMIN, OFFICE, DISPATCHER, FINANCE}),
        "crew and sales-rep performance, cycle times per stage and backlog, with the jobs "
        "behind each figure (margins need view_money too)",
    ),
    Permission.VIEW_EXECUTIVE: Grant(
        frozenset({ADMIN, FINANCE}),
        "the executive dashboard, the KPI registry's values and the weekly executive report "
        "(PDF download and e-mail)",
    ),
    Permission.MANAGE_PORTAL: Grant(
        _SALES_DESK,
        "send a customer their portal link (and see and revoke the links sent), share a "
        "job's photos and documents with its customer, upload job documents",
    ),
}

MONEY_RULE = (
    "Money is seen by admin, office and finance, and by nobody else: contract amounts, "
    "insurance amounts, the price list, costs, profit and margins alike. The office prices "
    "jobs, writes supplements and talks to adjusters, so it needs every figure a job's price "
    "is made of; finance keeps the books. Dispatchers, crew leads and viewers schedule and "
    "build the work and need none of it: the API leaves the fields out (null), pages leave "
    "the figures out, and the Profit page, its CSV and the price-list API answer 403."
)


def money_shown(model: ModelT, role: Role) -> ModelT:
    """MONEY_RULE on a response: its money fields (``MoneyOut``) kept for roles with
    view_money, null for every other role."""
    return model if Permission.VIEW_MONEY.allows(role) else without_money(model)


# ----- stage moves -------------------------------------------------------------------------
# The permission a move *to* each stage needs. A move *out of* a money stage (invoiced back to
# completed) is a billing move whatever its target: undoing an invoice is the books' decision.
MOVE_TO: dict[JobStage, Permission] = {
    JobStage.LEAD: Permission.MOVE_TO_SALES,
    JobStage.INSPECTION: Permission.MOVE_TO_SALES,
    JobStage.ESTIMATE: Permission.MOVE_TO_SALES,
    JobStage.CONTRACT_SIGNED: Permission.MOVE_TO_SALES,
    JobStage.MATERIALS_ORDERED: Permission.MOVE_TO_PRODUCTION,
    JobStage.SCHEDULED: Permission.MOVE_TO_PRODUCTION,
    JobStage.IN_PRODUCTION: Permission.MOVE_TO_PRODUCTION,
    JobStage.COMPLETED: Permission.MOVE_TO_PRODUCTION,
    JobStage.INVOICED: Permission.MOVE_TO_BILLING,
    JobStage.PAID: Permission.MOVE_TO_BILLING,
    JobStage.LOST: Permission.CLOSE_JOBS,
    JobStage.CANCELLED: Permission.CLOSE_JOBS,
}
MONEY_STAGES = frozenset({JobStage.INVOICED, JobStage.PAID})


def move_permission(source: JobStage, target: JobStage) -> Permission:
    """The permission the move ``source -> target`` needs (the lifecycle decides the rest)."""
    return Permission.MOVE_TO_BILLING if source in MONEY_STAGES else MOVE_TO[target]


def may_move(role: Role, source: JobStage, target: JobStage) -> bool:
    return move_permission(source, target).allows(role)


# ----- routes open to everyone ---------------------------------------------------------------
# Every other route declares a permission; tests/auth/test_route_permissions.py walks the app
# and fails on a route that does neither.
PUBLIC_ROUTES: dict[str, str] = {
    "GET /": "redirects to the jobs list (which asks for sign-in)",
    "GET /login": "the sign-in form",
    "GET /portal": "redirects to the customer portal's home (which asks for its own sign-in)",
    "POST /login": "signing in",
    "GET /health/live": "liveness probe",
    "GET /health/ready": "readiness probe",
    "GET /metrics": "Prometheus; its own bearer token in production (docs/deployment.md)",
    "POST /api/v1/integrations/quickbooks/webhook": "Intuit's deliveries, checked by signature",
    "POST /api/v1/webhooks/xero": "Xero's deliveries, checked by signature",
    "GET /api/v1/dispatch/crews/{crew_id}/calendar.ics": (
        "a crew's calendar feed: phones subscribe without signing in, so the URL carries a "
        "secret token (only its SHA-256 is stored); a missing or wrong token is a 401"
    ),
    "GET /portal/sign-in": "the customer portal's sign-in page: asks for a new magic link",
    "POST /portal/sign-in": (
        "a homeowner asks for a magic link by e-mail: the same answer for every address, "
        "rate-limited per address and per client, CSRF by a double-submitted cookie"
    ),
    "GET /portal/sign-in/{token}": (
        "a magic link's landing page: shows a button, never uses the link (mail scanners "
        "fetch links)"
    ),
    "POST /portal/sign-in/{token}": (
        "uses a magic link once (its token is the credential; only its SHA-256 is stored) "
        "and opens a portal session for that customer alone"
    ),
}
PUBLIC_MOUNTS: dict[str, str] = {
    "/static": "stylesheets, scripts and images",
    "/sandbox/": "the fake vendors of a demo database (never mounted in production)",
}
