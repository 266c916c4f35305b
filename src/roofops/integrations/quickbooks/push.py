"""Our invoices into QuickBooks: on the job's project, keyed by ``requestid``, never twice.

The customer of a pushed invoice is the job's project (a sub-customer named after the job
number, the one the books sync already maps by that number), created under the homeowner's
customer when the books have none. Every write carries a ``requestid`` derived from our row and
the operation, so a retry whose first answer was lost is answered, not repeated.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from roofops.exceptions import Conflict
from roofops.integrations.core.accounting import InvoiceToPush, LineToPush, RemoteInvoice
from roofops.integrations.core.links import link, linked_id
from roofops.integrations.core.repository import ConnectionRepository
from roofops.integrations.quickbooks.client import QuickBooksClient, QuickBooksFault, quote
from roofops.integrations.quickbooks.ledger import project_job_number
from roofops.integrations.quickbooks.schemas import (
    Customer,
    CustomerDraft,
    Invoice,
    InvoiceDraft,
    InvoiceLineDraft,
    Item,
)
from roofops.integrations.quickbooks.tokens import PROVIDER
from roofops.kit.money import from_cents, to_cents

PROJECT = "project"
CUSTOMER = "customer"
# The service item invoice lines are sold as; a connection option names another.
ITEM_OPTION, DEFAULT_ITEM = "invoice_item_name", "Roof Replacement"
NOTE_MAX = 4000
DUPLICATE_NAME = "6240"


class QuickBooksBooksWriter:
    label = "QuickBooks"

    def __init__(self, sessions: sessionmaker[Session], client: QuickBooksClient) -> None:
        self.sessions, self.client = sessions, client
        self._item_id: str | None = None

    def locked_through(self) -> date | None:
        return self.client.preferences().book_close_date

    def find_invoice(self, number: str) -> RemoteInvoice | None:
        found = self.client.query(Invoice, f"DocNumber = {quote(number)}").entities
        if not found:
            return None
        first = min(found, key=lambda invoice: (len(invoice.id), invoice.id))
        return RemoteInvoice(first.id, to_cents(first.total_amt), voided=first.is_voided)

    def create_invoice(self, invoice: InvoiceToPush) -> RemoteInvoice:
        draft = InvoiceDraft(
            customer_id=self._project(invoice),
            doc_number=invoice.number,
            txn_date=invoice.issue_date,
            due_date=invoice.due_date,
            private_note=invoice.note[:NOTE_MAX],
            lines=[self._line(line) for line in invoice.lines],
        )
        created = self.client.create_invoice(draft, request_id=invoice.key("create"))
        return RemoteInvoice(created.id, to_cents(created.total_amt))

    def void_invoice(self, accounting_id: str, invoice: InvoiceToPush) -> None:
        current = self.client.get(Invoice, accounting_id)
        if current.is_voided:
            return
        self.client.void_invoice(accounting_id, current.sync_token, request_id=invoice.key("void"))

    # ----- what the invoice stands on ---------------------------------------------------------
    def _line(self, line: LineToPush) -> InvoiceLineDraft:
        return InvoiceLineDraft(
            amount=from_cents(line.amount_cents),
            item_id=self._item(),
            description=line.description[:4000],
            qty=line.quantity,
            unit_price=from_cents(line.unit_price_cents),
        )

    def _item(self) -> str:
        if self._item_id is None:
            with self.sessions() as db:
                name = ConnectionRepository(db).option(PROVIDER, ITEM_OPTION, DEFAULT_ITEM)
            items = self.client.query(Item, f"Name = {quote(name)}").entities
            if not items:
                raise Conflict(
                    f"QuickBooks has no item named {name!r} to put invoice lines on: create it "
                    f"as a Service item, or name another in the connection's {ITEM_OPTION}"
                )
            self._item_id = items[0].id
        return self._item_id

    def _project(self, invoice: InvoiceToPush) -> str:
        """The job's project: linked already, found by job number, or created."""
        known = linked_id(self.sessions, PROVIDER, PROJECT, invoice.job_id)
        if known is not None:
            return known
        project = self._project_in_books(invoice.job_number)
        if project is None:
            try:
                project = self._new_project(invoice)
            except QuickBooksFault as refused:
                # A create whose answer was lost and whose requestid QuickBooks no longer
                # replays: the name is taken by our own first try, so look again.
                project = self._project_in_books(invoice.job_number)
                if refused.fault_code != DUPLICATE_NAME or project is None:
                    raise
        link(self.sessions, PROVIDER, PROJECT, project, invoice.job_id)
        return project

    def _project_in_books(self, job_number: str) -> str | None:
        named = self.client.query(Customer, f"DisplayName LIKE {quote(job_number + '%')}")
        found = [c for c in named.entities if project_job_number(c) == job_number]
        return min(found, key=lambda c: (len(c.id), c.id)).id if found else None

    def _new_project(self, invoice: InvoiceToPush) -> str:
        draft = CustomerDraft(
            display_name=f"{invoice.job_number} {invoice.job_name}".strip()[:500],
            parent_id=self._customer(invoice),
            email=invoice.customer_email or None,
        )
        return self.client.create_customer(draft, request_id=_job_key(PROJECT, invoice.job_id)).id

    def _customer(self, invoice: InvoiceToPush) -> str:
        """The homeowner's customer, by display name, else created."""
        found = self._customer_in_books(invoice.customer_name)
        if found is not None:
            return found
        draft = CustomerDraft(
            display_name=invoice.customer_name[:500], email=invoice.customer_email or None
        )
        try:
            return self.client.create_customer(
                draft, request_id=_job_key(CUSTOMER, invoice.job_id)
            ).id
        except QuickBooksFault as refused:
            found = self._customer_in_books(invoice.customer_name)  # see _project
            if refused.fault_code != DUPLICATE_NAME or found is None:
                raise
            return found

    def _customer_in_books(self, name: str) -> str | None:
        named = self.client.query(Customer, f"DisplayName = {quote(name)}")
        parents = [c for c in named.entities if not c.job]
        return parents[0].id if parents else None


def _job_key(operation: str, job_id: uuid.UUID) -> str:
    return f"roofops-{operation}-{job_id.hex}"
