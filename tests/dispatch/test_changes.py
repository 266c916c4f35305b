"""What counts as news for a crew and a customer when a plan replaces another."""

from __future__ import annotations

import uuid
from datetime import date

from roofops.dispatch.changes import VISIT_PHASE, Placement, compare, crews_changed

JOB, OTHER = uuid.uuid4(), uuid.uuid4()
ANNA, BOB = uuid.uuid4(), uuid.uuid4()
DAY = date(2026, 12, 7)


def visit(crew: uuid.UUID, minute: int, job: uuid.UUID = JOB) -> Placement:
    return Placement(job, VISIT_PHASE, crew, DAY, DAY, minute)


def test_a_visit_sliding_less_than_half_an_hour_is_no_news() -> None:
    assert compare([visit(ANNA, 600)], [visit(ANNA, 629)]) == []
    [moved] = compare([visit(ANNA, 600)], [visit(ANNA, 630)])
    assert (moved.crews, moved.moves_the_customer) == (frozenset({ANNA}), True)


def test_a_crew_swap_tells_both_crews_but_not_the_customer() -> None:
    [swap] = compare([visit(ANNA, 600)], [visit(BOB, 610)])

    assert swap.crews == frozenset({ANNA, BOB})
    assert not swap.moves_the_customer


def test_new_and_dropped_work_tell_everyone_and_unchanged_work_nobody() -> None:
    install = Placement(OTHER, "install", BOB, DAY, date(2026, 12, 9))
    changes = compare([visit(ANNA, 600), install], [install, visit(BOB, 700, uuid.uuid4())])

    assert [(c.before is None, c.after is None) for c in changes].count((False, True)) == 1
    assert all(change.moves_the_customer for change in changes)
    assert crews_changed(changes) == frozenset({ANNA, BOB})
