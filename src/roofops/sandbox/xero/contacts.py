"""Contacts: a name unique among active contacts, archived ones kept (spec digest 2.3)."""

from __future__ import annotations

import uuid

from roofops.sandbox.xero import errors
from roofops.sandbox.xero.store import Books, Entity

WRITABLE = frozenset(
    [
        "Name",
        "FirstName",
        "LastName",
        "EmailAddress",
        "ContactNumber",
        "AccountNumber",
        "ContactStatus",
        "CompanyNumber",
        "TaxNumber",
        "Addresses",
        "Phones",
        "IsCustomer",
        "IsSupplier",
        "DefaultCurrency",
        "ContactPersons",
    ]
)
STATUSES = ("ACTIVE", "ARCHIVED")


def save_contact(books: Books, body: Entity, contact_id: str | None = None) -> Entity:
    """Create (no id) or update the contact ``contact_id``/``body["ContactID"]``."""
    contact_id = contact_id or body.get("ContactID")
    current = books.get("Contacts", str(contact_id)) if contact_id else None
    if contact_id and current is None:
        raise errors.not_found("Contacts", str(contact_id))
    row = {**(current or _new_contact()), **{k: v for k, v in body.items() if k in WRITABLE}}
    if not str(row.get("Name") or "").strip():
        raise errors.validation(body, "The contact name must not be empty.")
    if row["ContactStatus"] not in STATUSES:
        raise errors.validation(body, f"ContactStatus {row['ContactStatus']} is not valid")
    with books.lock:
        _check_unique_name(books, row, body)
        return books.save("Contacts", row)


def contact_by_name_or_new(books: Books, name: str) -> Entity:
    """What a document naming a contact by Name gets: the active one, or a new one."""
    with books.lock:
        found = _active_named(books, name)
        return found if found is not None else save_contact(books, {"Name": name})


def _new_contact() -> Entity:
    return {
        "ContactID": str(uuid.uuid4()),
        "ContactStatus": "ACTIVE",
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "IsSupplier": False,
        "IsCustomer": True,
        "HasAttachments": False,
        "HasValidationErrors": False,
    }


def _active_named(books: Books, name: str) -> Entity | None:
    wanted = name.strip().lower()
    return next(
        (
            row
            for row in books.rows("Contacts")
            if row["ContactStatus"] == "ACTIVE" and row["Name"].strip().lower() == wanted
        ),
        None,
    )


def _check_unique_name(books: Books, row: Entity, body: Entity) -> None:
    if row["ContactStatus"] != "ACTIVE":
        return
    other = _active_named(books, row["Name"])
    if other is not None and other["ContactID"] != row["ContactID"]:
        raise errors.validation(
            body,
            f"The contact name {row['Name']} is already assigned to another contact. The "
            "contact name must be unique across all active contacts.",
        )
