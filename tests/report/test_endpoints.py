"""The reports API: who may read it, the period checked, and each export's contents (the XLSX
opened with openpyxl): money as numbers in a currency format, text that a spreadsheet would
run kept as text."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from roofops.models import Role
from tests.factories import ApiClient
from tests.report.conftest import Books

URL = "/api/v1/reports/finance"
REPORTS = ("revenue", "margins", "ar-aging", "wip", "depreciation")


@pytest.mark.parametrize("role", [Role.CREW_LEAD, Role.OFFICE, Role.DISPATCHER, Role.VIEWER])
def test_only_finance_and_admins_read_the_reports(api: ApiClient, role: Role) -> None:
    client = api.as_role(role)
    for name in REPORTS:
        refused = client.get(f"{URL}/{name}")
        assert refused.status_code == 403, name
        assert "view_financial_reports" in refused.json()["error"]["message"]


def test_each_report_answers_finance_and_admins(api: ApiClient, db: Session, books: Books) -> None:
    db.commit()
    for role in (Role.FINANCE, Role.ADMIN):
        client = api.as_role(role)
        for name in REPORTS:
            response = client.get(f"{URL}/{name}", params={"as_of": "2026-06-30"})
            assert response.status_code == 200, (name, response.text)
            body = response.json()
            assert body["name"] == name
            assert all(column["label"] for column in body["columns"])


def test_money_is_in_dollars_in_json(api: ApiClient, db: Session, books: Books) -> None:
    db.commit()
    body = (
        api.as_role(Role.FINANCE)
        .get(f"{URL}/revenue", params={"from": "2026-03", "to": "2026-03", "compare": "none"})
        .json()
    )
    assert body["scope"] == "2026-03"
    assert body["rows"][0]["collected"] == "7000.00"  # 5,000 + 2,000 of one split payment
    assert "compared_month" not in body["rows"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13"}, "from"),
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"from": "2020-01", "to": "2026-01"}, "from"),
        ({"to": "June"}, "to"),
        ({"compare": "yesterday"}, "compare"),
        ({"format": "pdf"}, "format"),
        ({"as_of": "2026-02-30"}, "as_of"),
    ],
)
def test_a_bad_period_is_a_422_with_a_message(
    api: ApiClient, params: dict[str, str], field: str
) -> None:
    name = "ar-aging" if "as_of" in params else "revenue"
    response = api.as_role(Role.FINANCE).get(f"{URL}/{name}", params=params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["message"]
    assert field in response.text


def test_csv_export(api: ApiClient, db: Session, books: Books) -> None:
    books.acme.name = '=HYPERLINK("http://evil")'
    db.commit()
    response = api.as_role(Role.FINANCE).get(f"{URL}/wip", params={"format": "csv"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="wip.csv"' in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    header = lines.index(next(line for line in lines if line[:2] == ["Job", "Name"]))
    rows = {line[0]: dict(zip(lines[header], line, strict=True)) for line in lines[header + 1 :]}
    assert rows["5003"]["Name"] == '\'=HYPERLINK("http://evil")'
    # The deposit in the books, the financing invoice and the pushed one not read back yet.
    assert rows["5003"]["Billed"] == "6234.00"
    assert rows["Total"]["Billed"] == str(
        sum(Decimal(row["Billed"]) for key, row in rows.items() if key != "Total")
    )


def test_xlsx_export(api: ApiClient, db: Session, books: Books) -> None:
    books.acme.name = "@SUM(A1:A9)"
    db.commit()
    response = api.as_role(Role.ADMIN).get(f"{URL}/wip", params={"format": "xlsx"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(index for index, row in enumerate(values) if row[:2] == ["Job", "Name"])
    billed = values[header].index("Billed")
    acme = next(row for row in values if row[0] == "5003")
    assert acme[1] == "'@SUM(A1:A9)"  # text, never a formula
    assert acme[billed] == 6234  # a number the sheet can sum
    acme_row = next(row for row in sheet.iter_rows() if row[0].value == "5003")
    assert "$" in acme_row[billed].number_format
    total = next(row for row in values if row[0] == "Total")
    assert total[billed] == sum(row[billed] for row in values[header + 1 :] if row[0] != "Total")


def test_the_reports_are_in_the_openapi(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    for name in REPORTS:
        operation = paths[f"{URL}/{name}"]["get"]
        assert {"from", "to", "compare", "as_of", "format"} <= {
            parameter["name"] for parameter in operation["parameters"]
        }
