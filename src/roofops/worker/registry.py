"""The task registry: ``@task("<domain>.<verb>")`` functions that run in their own unit of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from roofops.exceptions import ConfigurationError

F = TypeVar("F", bound=Callable[..., Any])
TaskFunction = Callable[..., None]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: TaskFunction
    retries: int
    # The task commits in transactions of its own (a sync commits page by page): the runner
    # gives it the database's session factory instead of one session it commits at the end.
    sessions: bool = False


_TASKS: dict[str, TaskSpec] = {}


def task(name: str, *, retries: int = 0, sessions: bool = False) -> Callable[[F], F]:
    """Register ``func(db: Session, **args)``, whose unit of work the runner owns (it commits
    after the function returns), or with ``sessions=True`` ``func(sessions, **args)``."""

    def register(func: F) -> F:
        _TASKS[name] = TaskSpec(name=name, func=func, retries=retries, sessions=sessions)
        return func

    return register


def get_task(name: str) -> TaskSpec:
    spec = _TASKS.get(name)
    if spec is None:
        raise ConfigurationError(f"no task named '{name}' is registered")
    return spec


def all_tasks() -> list[TaskSpec]:
    return sorted(_TASKS.values(), key=lambda spec: spec.name)


def run_task(name: str, args: dict[str, Any], *, database_url: str | None = None) -> None:
    """The task runner owns the unit of work: commit on success, roll back on error."""
    from roofops.db import session_factory, session_scope

    spec = get_task(name)
    if spec.sessions:
        spec.func(session_factory(database_url), **args)
        return
    with session_scope(database_url) as db:
        spec.func(db, **args)
