"""The invoice page's "Push to books" and "Send" panels: what each shows (the push state and why
the button is not offered; the recipient, the last sending and the deliveries) and the send
form as posted, checked by the API's own body model."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from roofops.config import Settings
from roofops.exceptions import Conflict
from roofops.integrations.invoicing.push import books_of
from roofops.invoice.delivery import invoice_delivery
from roofops.invoice.schemas import InvoiceSend
from roofops.models.audit import AuditLog
from roofops.models.invoice import Invoice, InvoicePayer, InvoiceStatus, PushStatus
from roofops.web.forms import FormText, readable

# While a push is on its way the panel asks for itself again this often (htmx polling).
PUSH_POLL = "every 2s"


@dataclass(frozen=True)
class PushPanel:
    """``blocked``: why no push can be asked for now (void, or no books connected); an
    invoice in the books needs no button and no reason."""

    invoice: Invoice
    blocked: str = ""
    error: str = ""  # a refusal of the last request (409), shown beside the button

    @property
    def pending(self) -> bool:
        return self.invoice.push_status == PushStatus.PENDING

    @property
    def offered(self) -> bool:
        """Pushing, or trying again after a failure."""
        done = self.invoice.push_status in (PushStatus.PUSHED, PushStatus.PENDING)
        return not done and not self.blocked


def push_panel(db: Session, settings: Settings, invoice: Invoice, error: str = "") -> PushPanel:
    return PushPanel(invoice, blocked=_push_blocked(db, settings, invoice), error=error)


def _push_blocked(db: Session, settings: Settings, invoice: Invoice) -> str:
    if invoice.status == InvoiceStatus.VOID:
        return "This invoice is void: it stays out of the books."
    if invoice.push_status == PushStatus.PUSHED:
        return ""
    try:
        books_of(db, settings)
    except Conflict as missing:  # the same words the API answers with
        return missing.message
    return ""


class SendForm(BaseModel):
    to: FormText = ""
    message: FormText = ""

    def checked(self) -> InvoiceSend:
        """The API's body: a malformed address is refused here, beside the form."""
        try:
            return InvoiceSend.model_validate(
                {"to": self.to.strip() or None, "message": self.message.strip()}
            )
        except ValidationError as exc:
            raise readable(exc) from None


@dataclass(frozen=True)
class SendPanel:
    form: SendForm
    deliveries: list[AuditLog]
    needs_address: bool  # a carrier or financing invoice: no address on file
    error: str = ""
    queued_to: str = ""  # the address the e-mail was just queued for
    void: bool = False

    @property
    def last_sent(self) -> AuditLog | None:
        sent = [row for row in self.deliveries if row.action == "invoice.sent"]
        return sent[-1] if sent else None

    @staticmethod
    def address(row: AuditLog) -> str:
        """The address a delivery went (or was meant) to."""
        return str((row.changes or {}).get("to", {}).get("new") or "")


def send_panel(
    db: Session,
    invoice: Invoice,
    form: SendForm | None = None,
    *,
    error: str = "",
    queued_to: str = "",
) -> SendPanel:
    """A fresh form starts with the homeowner's address; a refused one keeps what was typed."""
    if form is None:
        form = SendForm(to=invoice_delivery.suggested_recipient(db, invoice))
    return SendPanel(
        form=form,
        deliveries=invoice_delivery.history(db, invoice.id),
        needs_address=invoice.payer_kind != InvoicePayer.HOMEOWNER,
        error=error,
        queued_to=queued_to,
        void=invoice.status == InvoiceStatus.VOID,
    )
