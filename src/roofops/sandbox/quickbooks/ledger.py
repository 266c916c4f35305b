"""The fake company's lists: chart of accounts, items, vendors, employees and classes.

Job costs land on six cost-of-goods accounts, one per job-cost category::

    Materials -> materials      Labor -> labor             Subcontractors -> subcontractor
    Permits -> permits          Dump Fees -> disposal      Equipment Rental -> other

Materials bills use item lines; an item's ``ExpenseAccountRef`` is the Materials account.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from roofops.demo.records import CrewRow, DemoData
from roofops.models.enums import Material
from roofops.sandbox.quickbooks.store import Books, Entity

# name, AccountType, AccountSubType, AcctNum
ACCOUNTS = (
    ("Checking", "Bank", "Checking", "1000"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "1100"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "1200"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "2000"),
    ("Company Visa", "Credit Card", "CreditCard", "2100"),
    ("Roofing Income", "Income", "SalesOfProductIncome", "4000"),
    ("Materials", "Cost of Goods Sold", "SuppliesMaterialsCogs", "5000"),
    ("Labor", "Cost of Goods Sold", "CostOfLaborCos", "5100"),
    ("Subcontractors", "Cost of Goods Sold", "OtherCostsOfServiceCos", "5200"),
    ("Permits", "Cost of Goods Sold", "OtherCostsOfServiceCos", "5300"),
    ("Dump Fees", "Cost of Goods Sold", "OtherCostsOfServiceCos", "5400"),
    ("Equipment Rental", "Cost of Goods Sold", "EquipmentRentalCos", "5500"),
    ("Rent or Lease", "Expense", "RentOrLeaseOfBuildings", "6100"),
    ("Vehicle Fuel", "Expense", "Auto", "6200"),
)
ACCOUNT_CATEGORY = {
    "Materials": "materials",
    "Labor": "labor",
    "Subcontractors": "subcontractor",
    "Permits": "permits",
    "Dump Fees": "disposal",
    "Equipment Rental": "other",
}
SALES_ITEMS = (
    "Roof Replacement",
    "Roof Repair",
    "Gutters",
    "Roof Inspection",
    "New Construction Roofing",
    "Insurance Supplement",
    "Depreciation Release",
)
# Material item names with how many units one roofing square needs (gutters: per job).
MATERIAL_ITEMS: dict[Material, tuple[tuple[str, float], ...]] = {
    Material.ASPHALT_SHINGLE: (
        ("Architectural Shingles (bundle)", 3.0),
        ("Synthetic Underlayment (roll)", 0.1),
        ("Ice & Water Shield (roll)", 0.05),
        ("Drip Edge (10 ft)", 0.6),
        ("Hip & Ridge Cap (bundle)", 0.1),
        ("Coil Nails (box)", 0.1),
    ),
    Material.METAL: (
        ("Standing Seam Panel (sq)", 1.0),
        ("Metal Trim & Flashing (10 ft)", 0.8),
        ("High-Temp Underlayment (roll)", 0.1),
        ("Panel Clips (box)", 0.05),
    ),
    Material.TILE: (
        ("Concrete Tile (sq)", 1.0),
        ("Tile Underlayment (roll)", 0.15),
        ("Battens (bundle)", 0.2),
        ("Tile Fasteners (box)", 0.1),
    ),
    Material.LOW_SLOPE_TPO: (
        ("TPO Membrane 60 mil (roll)", 0.1),
        ("Polyiso Insulation Board (sheet)", 3.2),
        ("TPO Plates & Screws (bucket)", 0.05),
        ("TPO Bonding Adhesive (pail)", 0.1),
    ),
    Material.GUTTERS: (
        ("Aluminium Gutter Coil (roll)", 1.0),
        ("Downspout (10 ft)", 6.0),
        ("Hidden Hangers (box)", 2.0),
    ),
    Material.OTHER: (("Sealant & Flashing Kit", 1.0),),
}
SUPPLIERS = (
    ("ABC Supply Co.", 0.45),
    ("SRS Distribution", 0.30),
    ("Beacon Building Products", 0.25),
)
RETAIL_STORE = "The Home Depot"
DUMPSTER_VENDORS = ("Waste Management", "Republic Services")
RENTAL_VENDORS = ("Sunbelt Rentals", "United Rentals")
PERMIT_OFFICES = (
    "City and County of Denver - Permits",
    "City of Aurora - Building Division",
    "City of Lakewood - Permits",
    "Douglas County Building Dept",
    "City of Boulder - Building Services",
    "City of Westminster - Permits",
)
LANDLORD = "Front Range Commercial Properties"
FUEL_VENDOR = "Shell Fleet"


@dataclass
class Setup:
    """Ids of the lists, by name, for the document builder."""

    accounts: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)
    vendors: dict[str, str] = field(default_factory=dict)
    employees: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    subcontractors: dict[str, str] = field(default_factory=dict)
    foremen: dict[str, str] = field(default_factory=dict)
    names: Counter[str] = field(default_factory=Counter)

    def unique(self, name: str) -> str:
        """DisplayName is unique across customers, vendors and employees (error 6240)."""
        self.names[name] += 1
        count = self.names[name]
        return name if count == 1 else f"{name} ({count})"

    def account(self, name: str) -> Entity:
        return ref(self.accounts[name], name)


def ref(entity_id: str, name: str | None = None) -> Entity:
    return {"value": entity_id, "name": name} if name else {"value": entity_id}


def build_setup(books: Books, data: DemoData, opened: datetime) -> Setup:
    setup = Setup()
    _accounts(books, setup, opened)
    _items(books, setup, opened)
    vendors = (*[name for name, _ in SUPPLIERS], RETAIL_STORE, *DUMPSTER_VENDORS, *RENTAL_VENDORS)
    for name in (*vendors, *PERMIT_OFFICES, LANDLORD, FUEL_VENDOR):
        setup.vendors[name] = _vendor(books, setup, name, opened)
    for crew in data.crews:
        _crew_payee(books, setup, crew, opened)
    for branch in data.branches:
        row = books.add(
            "Class",
            {"Name": branch.name, "FullyQualifiedName": branch.name, "Active": True},
            at=opened,
        )
        setup.classes[branch.id.hex] = row["Id"]
    return setup


def _accounts(books: Books, setup: Setup, opened: datetime) -> None:
    for name, account_type, sub_type, number in ACCOUNTS:
        body = {
            "Name": name,
            "FullyQualifiedName": name,
            "AccountType": account_type,
            "AccountSubType": sub_type,
            "AcctNum": number,
            "Active": True,
            "CurrentBalance": Decimal("0.00"),
        }
        setup.accounts[name] = books.add("Account", body, at=opened)["Id"]


def _items(books: Books, setup: Setup, opened: datetime) -> None:
    income = setup.account("Roofing Income")
    for name in SALES_ITEMS:
        body = {"Name": name, "Type": "Service", "Active": True, "IncomeAccountRef": income}
        setup.items[name] = books.add("Item", body, at=opened)["Id"]
    expense = setup.account("Materials")
    for items in MATERIAL_ITEMS.values():
        for name, _ in items:
            body = {
                "Name": name,
                "Type": "NonInventory",
                "Active": True,
                "ExpenseAccountRef": expense,
            }
            setup.items[name] = books.add("Item", body, at=opened)["Id"]


def _vendor(books: Books, setup: Setup, name: str, opened: datetime) -> str:
    display = setup.unique(name)
    body = {"DisplayName": display, "CompanyName": name, "Active": True}
    return str(books.add("Vendor", body, at=opened)["Id"])


def firm_of(crew: CrewRow) -> str:
    """A subcontracted crew is named "<firm> (<branch> <specialty> <n>)"."""
    return crew.name.split(" (", maxsplit=1)[0]


def _crew_payee(books: Books, setup: Setup, crew: CrewRow, opened: datetime) -> None:
    """Subcontracted crews bill as vendors; in-house crews' hours go to their foreman."""
    if crew.is_subcontractor:
        firm = firm_of(crew)
        if firm not in setup.vendors:
            setup.vendors[firm] = _vendor(books, setup, firm, opened)
        setup.subcontractors[crew.id.hex] = setup.vendors[firm]
        return
    given, _, family = crew.lead_name.partition(" ")
    body = {
        "DisplayName": setup.unique(crew.lead_name),
        "GivenName": given,
        "FamilyName": family,
        "Active": True,
    }
    setup.foremen[crew.id.hex] = books.add("Employee", body, at=opened)["Id"]
