"""Links a sortable, paged list page makes back to itself (the jobs and invoices lists)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any


class ListLinks:
    """For a frozen dataclass with ``sort`` ("-field" descending) and ``page`` fields and a
    ``url()`` of its whole state."""

    sort: str
    page: int

    def url(self) -> str:
        raise NotImplementedError

    def _with(self, **changes: Any) -> ListLinks:
        changed: ListLinks = replace(self, **changes)  # type: ignore[type-var]
        return changed

    def page_url(self, page: int) -> str:
        return self._with(page=page).url()

    def sort_url(self, field: str) -> str:
        """First click sorts ascending, the next click flips it; a new sort starts at page 1."""
        sort = f"-{field}" if self.sort == field else field
        return self._with(sort=sort, page=1).url()

    def sort_state(self, field: str) -> str | None:
        if self.sort.lstrip("-") != field:
            return None
        return "descending" if self.sort.startswith("-") else "ascending"
