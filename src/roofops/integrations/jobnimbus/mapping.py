"""JobNimbus records -> the values of our rows. Pure: no database, no HTTP.

Custom fields are account-defined and arrive as extra top-level keys named by their title; these
are the titles a roofing account typically uses (the fake serves the same ones). A value that does
not parse is reported by the sync (``MappingError``) rather than silently dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from roofops.integrations.jobnimbus.schemas import Contact, Job
from roofops.models.enums import FigureSource, JobType, Material, PayerKind

# Our field -> the custom field's title in JobNimbus.
CUSTOM_FIELDS: Mapping[str, str] = {
    "job_type": "Job Type",
    "material": "Roof Material",
    "squares": "Squares",
    "pitch": "Pitch",
    "insurance_carrier": "Insurance Company",
    "claim_number": "Claim Number",
    "rcv": "RCV",
    "acv": "ACV",
    "deductible": "Deductible",
    "depreciation_held": "Depreciation Held",
    "contract_amount": "Contract Amount",
}
# A standard job field: the total of the job's approved estimates (JobNimbus' signed price).
APPROVED_ESTIMATE_TOTAL = "approved_estimate_total"

JOB_TYPES: Mapping[str, JobType] = {
    "re-roof": JobType.REROOF,
    "reroof": JobType.REROOF,
    "roof replacement": JobType.REROOF,
    "repair": JobType.REPAIR,
    "inspection": JobType.INSPECTION,
    "roof inspection": JobType.INSPECTION,
    "gutters": JobType.GUTTERS,
    "new construction": JobType.NEW_CONSTRUCTION,
}
MATERIALS: Mapping[str, Material] = {
    "asphalt shingle": Material.ASPHALT_SHINGLE,
    "shingle": Material.ASPHALT_SHINGLE,
    "metal": Material.METAL,
    "tile": Material.TILE,
    "low-slope / tpo": Material.LOW_SLOPE_TPO,
    "tpo": Material.LOW_SLOPE_TPO,
    "low slope": Material.LOW_SLOPE_TPO,
    "gutters": Material.GUTTERS,
    "other": Material.OTHER,
}
ChoiceT = TypeVar("ChoiceT")
INSURANCE_WORKFLOWS = frozenset({"insurance"})
REPAIR_WORKFLOWS = frozenset({"repair", "service"})


class MappingError(ValueError):
    """A record we cannot take as it is; the message names the field and the value."""


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    latitude: float | None
    longitude: float | None

    @property
    def key(self) -> tuple[str, str]:
        """What makes two addresses the same building: street line and ZIP, spacing ignored."""
        return (" ".join(self.line1.casefold().split()), self.postal_code.strip()[:5])


def fingerprint(record: Contact | Job | Any) -> str:
    """Digest of everything the vendor sent except its clock: unchanged record, no write."""
    document = record.model_dump(mode="json", exclude={"date_updated"})
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def address_of(record: Contact | Job) -> Address | None:
    if not (record.address_line1 or "").strip():
        return None
    geo = record.geo
    return Address(
        line1=(record.address_line1 or "").strip()[:200],
        line2=(record.address_line2 or "").strip()[:200],
        city=(record.city or "").strip()[:100],
        state=(record.state_text or "").strip()[:40],
        postal_code=(record.zip or "").strip()[:20],
        latitude=geo.lat if geo else None,
        longitude=geo.lon if geo else None,
    )


def customer_values(contact: Contact) -> dict[str, Any]:
    first, last = (contact.first_name or "").strip(), (contact.last_name or "").strip()
    company = (contact.company or "").strip()
    display = (contact.display_name or "").strip() or " ".join(p for p in (first, last) if p)
    if not (display or company):
        raise MappingError("the contact has no name")
    phone = contact.mobile_phone or contact.home_phone or contact.work_phone or ""
    return {
        "display_name": (display or company)[:200],
        "first_name": first[:100],
        "last_name": last[:100],
        "company_name": company[:200],
        "email": (contact.email or "").strip()[:254],
        "phone": phone.strip()[:40],
        "is_commercial": bool(company) and not (first or last),
    }


def job_values(job: Job) -> dict[str, Any]:
    """The job's own columns (not its customer, property, branch or stage)."""
    custom = job.extra
    workflow = (job.record_type_name or "").strip()
    carrier = _text(custom, "insurance_carrier", 120)
    values: dict[str, Any] = {
        "number": _number(job),
        "name": ((job.name or "").strip() or f"Job {job.number}")[:200],
        "description": (job.description or "").strip(),
        "sales_rep": (job.sales_rep_name or "").strip()[:120],
        "job_type": _job_type(custom, workflow),
        "material": _choice(custom, "material", MATERIALS, Material.ASPHALT_SHINGLE),
        "squares": _decimal(custom, "squares"),
        "pitch": _pitch(custom),
        "payer": _payer(workflow, carrier),
        "insurance_carrier": carrier,
        "claim_number": _text(custom, "claim_number", 64),
    }
    for field in ("rcv", "acv", "deductible", "depreciation_held"):
        values[f"{field}_cents"] = _cents(custom, field)
    values["contract_cents"] = _contract_cents(job)
    values["contract_source"] = FigureSource.JOBNIMBUS if values["contract_cents"] else None
    return values


def _contract_cents(job: Job) -> int | None:
    """The signed price: the account's "Contract Amount" field when it has one, else the total
    of the job's approved estimates (``approved_estimate_total``); nothing while it is zero."""
    explicit = _cents(job.extra, "contract_amount")
    if explicit:
        return explicit
    approved = _amount(job.extra.get(APPROVED_ESTIMATE_TOTAL), "approved estimate total")
    return _in_cents(approved) if approved else None


def _number(job: Job) -> str:
    number = (job.number or "").strip()
    if not number:
        raise MappingError("the job has no number")
    if len(number) > 32:
        raise MappingError(f"job number '{number[:40]}' is longer than 32 characters")
    return number


def _custom(custom: Mapping[str, Any], field: str) -> Any:
    value = custom.get(CUSTOM_FIELDS[field])
    return None if value in (None, "") else value


def _text(custom: Mapping[str, Any], field: str, limit: int) -> str:
    value = _custom(custom, field)
    return "" if value is None else str(value).strip()[:limit]


def _job_type(custom: Mapping[str, Any], workflow: str) -> JobType:
    fallback = JobType.REPAIR if workflow.casefold() in REPAIR_WORKFLOWS else JobType.REROOF
    return _choice(custom, "job_type", JOB_TYPES, fallback)


def _choice(
    custom: Mapping[str, Any], field: str, choices: Mapping[str, ChoiceT], fallback: ChoiceT
) -> ChoiceT:
    value = _custom(custom, field)
    if value is None:
        return fallback
    key = " ".join(str(value).casefold().split())
    if key not in choices:
        raise MappingError(f"{CUSTOM_FIELDS[field]} '{value}' is not one we know")
    return choices[key]


def _decimal(custom: Mapping[str, Any], field: str) -> Decimal | None:
    return _amount(_custom(custom, field), CUSTOM_FIELDS[field])


def _amount(value: Any, label: str) -> Decimal | None:
    """A number as accounts type it ("1,250.00", "$980"), finite and not negative."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation as exc:
        raise MappingError(f"{label} '{value}' is not a number") from exc
    if not number.is_finite() or number < 0:
        raise MappingError(f"{label} '{value}' is not a positive number")
    return number


def _pitch(custom: Mapping[str, Any]) -> int | None:
    """Pitch as rise per 12: JobNimbus accounts store ``6``, ``6/12`` or ``6:12``."""
    value = _custom(custom, "pitch")
    if value is None:
        return None
    rise = str(value).replace(":", "/").split("/")[0].strip()
    if not rise.isdigit() or not 0 <= int(rise) <= 24:
        raise MappingError(f"Pitch '{value}' is not a rise of 0 to 24 per 12")
    return int(rise)


def _cents(custom: Mapping[str, Any], field: str) -> int | None:
    amount = _decimal(custom, field)
    return None if amount is None else _in_cents(amount)


def _in_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _payer(workflow: str, carrier: str) -> PayerKind:
    insured = workflow.casefold() in INSURANCE_WORKFLOWS or bool(carrier)
    return PayerKind.INSURANCE if insured else PayerKind.RETAIL
