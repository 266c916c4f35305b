"""Page numbers and sizes are bounded wherever a page request is made."""

from __future__ import annotations

import pytest

from roofops.exceptions import ValidationFailed
from roofops.kit.paging import MAX_PAGE, MAX_PAGE_SIZE, PageRequest


@pytest.mark.parametrize(
    ("page", "size", "field"),
    [
        (0, 10, "page"),
        (MAX_PAGE + 1, 10, "page"),
        (2**63, 10, "page"),
        (1, 0, "size"),
        (1, MAX_PAGE_SIZE + 1, "size"),
    ],
)
def test_out_of_range_requests_are_refused(page: int, size: int, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        PageRequest(page=page, size=size)
    assert refused.value.status_code == 422
    assert refused.value.details == {"field": field}


def test_the_largest_request_still_fits_any_database_offset() -> None:
    assert PageRequest(page=MAX_PAGE, size=MAX_PAGE_SIZE).offset < 2**31
