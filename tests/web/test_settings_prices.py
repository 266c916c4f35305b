"""The price-list form replaces the whole list, so a partial form never wipes prices."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from roofops.models import Role
from roofops.models.company import PriceListEntry
from tests.web.conftest import Browser, price_grid


def _prices(db: Session) -> dict[str, int]:
    db.expire_all()
    return {
        f"{e.job_type.value}/{e.material.value}": e.price_per_square_cents
        for e in db.query(PriceListEntry)
    }


def _saved(browser: Browser, db: Session) -> dict[str, int]:
    cells = {"price__reroof__metal": "650.50", "price__repair__tile": "90"}
    assert browser.post("/settings/prices", price_grid(**cells)).status_code == 303
    return _prices(db)


def test_a_form_without_rows_changes_nothing(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.ADMIN)
    before = _saved(browser, db)

    response = browser.post("/settings/prices", {})

    assert response.status_code == 422
    assert "nothing was saved" in response.text
    assert _prices(db) == before == {"reroof/metal": 65050, "repair/tile": 9000}


def test_a_form_missing_some_cells_changes_nothing(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.ADMIN)
    before = _saved(browser, db)
    partial = price_grid(price__reroof__metal="700")
    del partial["price__repair__tile"]

    response = browser.post("/settings/prices", partial)

    assert response.status_code == 422
    assert _prices(db) == before


def test_clearing_a_cell_on_the_whole_form_removes_that_price(
    sign_in: Callable[[Role], Browser], db: Session
) -> None:
    browser = sign_in(Role.ADMIN)
    _saved(browser, db)

    response = browser.post("/settings/prices", price_grid(price__reroof__metal="700"))

    assert response.status_code == 303
    assert _prices(db) == {"reroof/metal": 70000}
