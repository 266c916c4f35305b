"""The pager says where you are in a long list: first, last, around the current page, gaps."""

from __future__ import annotations

import re

from jinja2 import Environment

from roofops.kit.paging import Page
from roofops.web.rendering import templates


def render_pager(page: int, pages: int) -> str:
    env: Environment = templates.env
    macro = env.get_template("_macros.html").module.pager  # type: ignore[attr-defined]
    results = Page(items=[], total=pages * 25, page=page, size=25)
    return str(macro(results, lambda number: f"/jobs?page={number}"))


def labels(html: str) -> list[str]:
    pager = html[html.index('class="pager"') :]
    return re.findall(r">(Previous|Next|…|[\d,]+)<", pager)


def test_a_long_list_shows_first_last_and_the_pages_around() -> None:
    assert labels(render_pager(60, 120)) == [
        "Previous", "1", "…", "59", "60", "61", "…", "120", "Next"
    ]  # fmt: skip


def test_the_ends_of_the_list() -> None:
    assert labels(render_pager(1, 120)) == ["Previous", "1", "2", "…", "120", "Next"]
    assert labels(render_pager(120, 120)) == ["Previous", "1", "…", "119", "120", "Next"]
    assert labels(render_pager(2, 3)) == ["Previous", "1", "2", "3", "Next"]


def test_the_current_page_is_marked_and_the_others_are_links() -> None:
    html = render_pager(5, 9)
    assert '<span aria-current="page">5</span>' in html
    assert 'href="/jobs?page=9"' in html
    assert 'aria-label="Page 4"' in html
