"""enqueue() and @task (stub; runtime work fills it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

F = TypeVar("F", bound=Callable[..., Any])


def task(name: str, *, retries: int = 0) -> Callable[[F], F]:
    def register(func: F) -> F:
        del name, retries
        return func

    return register


def enqueue(db: Session, task_name: str, **args: Any) -> None:
    """Queue ``task_name`` in the same transaction as ``db``: it runs only if ``db`` commits."""
    del db, task_name, args
