"""What the invoice pages show and read: the job page's "New invoice" form (each kind with the
inputs it needs, checked by the API's own body model), and the void form."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from roofops.auth.permissions import Permission
from roofops.config import get_settings
from roofops.exceptions import ValidationFailed
from roofops.invoice.amounts import INSURANCE_PAYERS, Figured, Offer
from roofops.invoice.schemas import InvoiceGenerate, InvoiceVoid
from roofops.invoice.service import invoice_service
from roofops.models.invoice import Invoice, InvoiceKind
from roofops.web.context import PageContext
from roofops.web.forms import FormText, readable

# The inputs each kind takes beyond its kind (InvoiceGenerate's fields); a kind's payer is
# fixed for the insurance kinds, chosen (homeowner or financing) for the others.
KIND_INPUTS: dict[InvoiceKind, tuple[str, ...]] = {
    InvoiceKind.DEPOSIT: ("percent", "payer", "payer_name"),
    InvoiceKind.PROGRESS: ("description", "percent", "amount", "payer", "payer_name"),
    InvoiceKind.FINAL: ("payer", "payer_name"),
    InvoiceKind.INSURANCE_ACV: ("payer_name",),
    InvoiceKind.DEDUCTIBLE: ("payer_name",),
    InvoiceKind.DEPRECIATION_RELEASE: ("payer_name",),
    InvoiceKind.SUPPLEMENT: ("amount", "description", "payer_name"),
}
# The list's totals, defined where they are shown (hover) and in docs/finance.md.
INVOICE_TERMS = {
    "invoiced": "The totals of the matching invoices that are not void: a void invoice asks "
    "for nothing.",
    "paid": "What the payers have paid against the matching invoices, as the books record it.",
    "outstanding": "Invoiced less paid: what the payers still owe on the matching invoices.",
}
INPUTS = ("percent", "amount", "description", "payer", "payer_name")
PREVIEW = "preview"


class RaiseForm(BaseModel):
    """Raw strings: a typo is answered beside the form, never with an error page, and every
    value comes back (inputs the chosen kind does not use ride along hidden)."""

    kind: FormText = ""
    percent: FormText = ""
    amount: FormText = ""
    description: FormText = ""
    payer: FormText = ""
    payer_name: FormText = ""
    action: FormText = ""  # "preview": figure the amount, write nothing

    @property
    def previewing(self) -> bool:
        return self.action == PREVIEW

    @property
    def chosen(self) -> InvoiceKind | None:
        try:
            return InvoiceKind(self.kind) if self.kind else None
        except ValueError:
            return None

    def with_defaults(self) -> RaiseForm:
        """A deposit starts at the company's deposit percentage (settings)."""
        if self.chosen == InvoiceKind.DEPOSIT and not self.percent:
            percent = get_settings().invoice_deposit_percent.normalize()
            return self.model_copy(update={"percent": f"{percent:f}"})
        return self

    def generate(self, job_id: uuid.UUID) -> InvoiceGenerate:
        """The API's body from the inputs the kind takes; blank inputs take the defaults."""
        kind = self.chosen
        if kind is None:
            raise ValidationFailed("choose the kind of invoice", field="kind")
        given = {name: _plain(name, getattr(self, name)) for name in KIND_INPUTS[kind]}
        body = {"job_id": job_id, "kind": kind, **{k: v for k, v in given.items() if v}}
        try:
            return InvoiceGenerate.model_validate(body)
        except ValidationError as exc:
            raise readable(exc) from None


def _plain(name: str, value: str) -> str:
    """ "$1,250.00" and "30 %" as people write them are 1250.00 and 30; text is trimmed."""
    if name == "amount":
        return value.strip().removeprefix("$").replace(",", "").strip()
    if name == "percent":
        return value.strip().removesuffix("%").strip()
    return value.strip()


@dataclass(frozen=True)
class RaiseState:
    """The "New invoice" form as shown: what was typed, what is on offer, and the outcome."""

    form: RaiseForm
    offers: list[Offer]
    preview: Figured | None = None
    error: str = ""  # why the invoice was not raised
    hint: str = ""  # why a preview figured nothing (the form is still being filled in)
    raised: Invoice | None = None
    uses: tuple[str, ...] = field(default=())

    @classmethod
    def of(cls, form: RaiseForm, offers: list[Offer], **outcome: Any) -> RaiseState:
        kind = form.chosen
        uses = KIND_INPUTS[kind] if kind is not None else ()
        return cls(form=form.with_defaults(), offers=offers, uses=uses, **outcome)

    @property
    def offered(self) -> list[Offer]:
        return [offer for offer in self.offers if not offer.refusal]

    @property
    def refused(self) -> list[Offer]:
        return [offer for offer in self.offers if offer.refusal]

    @property
    def fixed_payer(self) -> str:
        """Who pays the chosen kind when it is not for the user to choose."""
        payer = INSURANCE_PAYERS.get(self.form.chosen) if self.form.chosen else None
        return payer.value if payer else ""

    @property
    def carried(self) -> list[tuple[str, str]]:
        """Typed values of inputs the chosen kind does not take: kept for a change of mind."""
        return [
            (name, value)
            for name in INPUTS
            if name not in self.uses and (value := getattr(self.form, name))
        ]


def invoices_context(
    db: Session, page: PageContext, job_id: uuid.UUID, raising: RaiseState | None = None
) -> dict[str, Any]:
    """The job page's Invoices section: its invoices and balances for the roles that read
    invoices, and the "New invoice" form for the roles that raise them."""
    if not page.can(Permission.VIEW_INVOICES):
        return {}
    invoices, invoicing, offers = invoice_service.job_invoices_and_offers(db, job_id)
    context: dict[str, Any] = {"invoices": invoices, "invoicing": invoicing}
    if page.can(Permission.EDIT_INVOICES):
        context["raising"] = raising or RaiseState.of(RaiseForm(), offers)
    return context


class VoidForm(BaseModel):
    reason: FormText = ""
    confirm: FormText = ""  # the "cannot be undone" box: a confirmation that needs no script


def void_reason(form: VoidForm) -> str:
    """The reason, checked as the API checks it; refused unless the box was ticked."""
    try:
        reason = InvoiceVoid.model_validate({"reason": form.reason.strip()}).reason
    except ValidationError:
        raise ValidationFailed("say why the invoice is void (it is kept with it)") from None
    if form.confirm != "yes":
        raise ValidationFailed("tick the box to confirm: a void cannot be undone")
    return reason
