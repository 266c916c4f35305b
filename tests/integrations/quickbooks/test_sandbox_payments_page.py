"""The sandbox books' "receive a payment" page, over HTTP: it lists the open invoices, records
one payment split over the invoices given amounts (as POST /payment would), and shows the
fake's refusal of an amount above an invoice's balance."""

from __future__ import annotations

from decimal import Decimal

import httpx

from tests.integrations.quickbooks.conftest import REALM, Harness, add_invoices

PAGE = "/demo/payments"


def test_a_payment_recorded_on_the_page_is_split_over_the_invoices(qbo: Harness) -> None:
    first, second, paid_up = add_invoices(qbo.books, 3)  # $100.00, $101.00, $102.00
    with httpx.Client(base_url=qbo.url, follow_redirects=True) as browser:
        browser.post(PAGE, data={"realm": REALM, f"amount-{paid_up}": "102.00"})
        listed = browser.get(PAGE)
        recorded = browser.post(
            PAGE, data={"realm": REALM, f"amount-{first}": "100", f"amount-{second}": "40.50"}
        )

    assert listed.status_code == 200
    assert f'name="amount-{first}"' in listed.text
    assert f'name="amount-{paid_up}"' not in listed.text  # paid in full: not open any more
    assert recorded.status_code == 200
    payment = qbo.books.rows("Payment")[-1]
    assert f"Payment {payment['Id']} of 140.50 recorded" in recorded.text
    assert [line["Amount"] for line in payment["Line"]] == [Decimal(100), Decimal("40.50")]
    assert (payment["TotalAmt"], payment["UnappliedAmt"]) == (Decimal("140.50"), 0)
    balances = [qbo.books.get("Invoice", i)["Balance"] for i in (first, second)]  # type: ignore[index]
    assert balances == [Decimal(0), Decimal("60.50")]


def test_an_amount_above_the_balance_is_refused_on_the_page(qbo: Harness) -> None:
    [invoice] = add_invoices(qbo.books, 1)
    with httpx.Client(base_url=qbo.url, follow_redirects=True) as browser:
        refused = browser.post(PAGE, data={"realm": REALM, f"amount-{invoice}": "100.01"})
        empty = browser.post(PAGE, data={"realm": REALM})

    assert "exceeds the open balance" in refused.text
    assert "Enter an amount" in empty.text
    assert qbo.books.count("Payment") == 0
