"""Our invoices into Xero: on the job's contact, tracked to the job, keyed by Idempotency-Key.

The contact is the homeowner's (linked, found by name, or created with a key of its own); the
line is tracked to the job's option of the Job tracking category when the organisation has one,
the category the books sync attributes documents by. Xero remembers a key only for minutes,
which is why the caller looks our number up before any create.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.config import Settings
from roofops.integrations.core.accounting import InvoiceToPush, LineToPush, RemoteInvoice
from roofops.integrations.core.links import link, linked_id
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.xero.client import XeroClient
from roofops.integrations.xero.schemas import (
    Contact,
    ContactDraft,
    ContactId,
    Invoice,
    InvoiceDraft,
    LineDraft,
    TrackingCategory,
    TrackingDraft,
)
from roofops.integrations.xero.tokens import PROVIDER
from roofops.kit.money import from_cents, to_cents

CONTACT = "contact"
# The revenue account invoice lines are coded to; a connection option names another.
ACCOUNT_OPTION, DEFAULT_SALES_ACCOUNT = "sales_account_code", "200"
REFERENCE_MAX = 255
OPTION_MAX = 100
GONE = frozenset({"VOIDED", "DELETED"})


class XeroBooksWriter:
    label = "Xero"

    def __init__(
        self, sessions: sessionmaker[Session], client: XeroClient, settings: Settings
    ) -> None:
        self.sessions, self.client = sessions, client
        self.job_category = settings.xero_job_tracking_category
        self._category: TrackingCategory | None = None
        self._looked_for_category = False

    def locked_through(self) -> date | None:
        return self.client.organisation().locked_through()

    def find_invoice(self, number: str) -> RemoteInvoice | None:
        found = [i for i in self.client.invoices_numbered(number) if i.invoice_number == number]
        if not found:
            return None
        first = found[0]
        return RemoteInvoice(first.invoice_id, to_cents(first.total), first.status in GONE)

    def create_invoice(self, invoice: InvoiceToPush) -> RemoteInvoice:
        draft = InvoiceDraft(
            contact=ContactId(contact_id=self._contact(invoice)),
            invoice_number=invoice.number,
            date=invoice.issue_date,
            due_date=invoice.due_date,
            reference=invoice.note[:REFERENCE_MAX],
            line_items=self._lines(invoice),
        )
        created = self.client.create_invoice(draft, idempotency_key=invoice.key("create"))
        return RemoteInvoice(created.invoice_id, to_cents(created.total))

    def void_invoice(self, accounting_id: str, invoice: InvoiceToPush) -> None:
        if self.client.get(Invoice, accounting_id).status in GONE:
            return  # voided (or deleted) in Xero already: Xero refuses to void it twice
        changes = {"InvoiceID": accounting_id, "Status": "VOIDED"}
        self.client.update_invoice(accounting_id, changes, idempotency_key=invoice.key("void"))

    # ----- what the invoice stands on ---------------------------------------------------------
    def _lines(self, invoice: InvoiceToPush) -> list[LineDraft]:
        with self.sessions() as db:
            account = ConnectionRepository(db).option(
                PROVIDER, ACCOUNT_OPTION, DEFAULT_SALES_ACCOUNT
            )
        tracking = self._tracking(invoice)
        return [_line(line, account, tracking) for line in invoice.lines]

    def _tracking(self, invoice: InvoiceToPush) -> list[TrackingDraft] | None:
        """The job's option of the Job category ("5003 Cooper reroof", the books sync reads
        the number that starts it), created when missing; none when the organisation has no
        such category (the sync then finds the invoice by its number alone)."""
        category = self._job_category()
        if category is None:
            return None
        option = next(
            (o.name for o in category.options if o.name.split(" ", 1)[0] == invoice.job_number),
            None,
        ) or self._new_option(category, invoice)
        return [TrackingDraft(name=category.name, option=option)]

    def _job_category(self) -> TrackingCategory | None:
        if not self._looked_for_category:
            categories = self.client.tracking_categories()
            self._category = next((c for c in categories if c.name == self.job_category), None)
            self._looked_for_category = True
        return self._category

    def _new_option(self, category: TrackingCategory, invoice: InvoiceToPush) -> str:
        name = f"{invoice.job_number} {invoice.job_name}".strip()[:OPTION_MAX]
        key = f"roofops-option-{invoice.job_id.hex}"
        created = self.client.create_tracking_option(
            category.tracking_category_id, name, idempotency_key=key
        )
        return created.name

    def _contact(self, invoice: InvoiceToPush) -> str:
        known = linked_id(self.sessions, PROVIDER, CONTACT, invoice.customer_id)
        if known is not None:
            return known
        contact = self._contact_in_books(invoice.customer_name) or self._new_contact(invoice)
        link(self.sessions, PROVIDER, CONTACT, contact, invoice.customer_id)
        return contact

    def _contact_in_books(self, name: str) -> str | None:
        escaped = name.replace("\\", "\\\\").replace('"', '\\"')
        page = self.client.page(Contact, where=f'Name=="{escaped}"')
        found = [c for c in page.records if c.name == name and c.contact_status == "ACTIVE"]
        return found[0].contact_id if found else None

    def _new_contact(self, invoice: InvoiceToPush) -> str:
        draft = ContactDraft(
            name=invoice.customer_name[:255], email_address=invoice.customer_email or None
        )
        key = f"roofops-contact-{invoice.customer_id.hex}"
        return self.client.create_contact(draft, idempotency_key=key).contact_id


def _line(line: LineToPush, account: str, tracking: list[TrackingDraft] | None) -> LineDraft:
    return LineDraft(
        description=line.description[:4000],
        quantity=line.quantity,
        unit_amount=from_cents(line.unit_price_cents),
        account_code=account,
        tracking=tracking,
    )
