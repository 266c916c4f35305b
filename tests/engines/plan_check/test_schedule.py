"""The independent schedule check: each broken rule is caught with its sentence, and a manual
move is refused with the reason the board shows."""

from __future__ import annotations

from roofops.engines.plan_check.schedule import check_move, check_schedule
from roofops.engines.scheduling.model import Assignment, Lock
from tests.engines.scheduling.instances import crew, problem, task

INSTANCE = problem(
    [crew("a", "asphalt", "gutters", off=frozenset({4})), crew("b", "asphalt")],
    [
        task("j1/install", "asphalt", squares=40, earliest=1, forbidden_days={6: "rain"}),
        task("j1/gutters", "gutters", duration_days=1, predecessors=("j1/install",)),
        task("j2/install", "asphalt", lock=Lock(crew_id="b", start=0)),
        task("j3/install", "metal"),
    ],
)
VALID = [
    Assignment("j1/install", "a", 1, 3),
    Assignment("j1/gutters", "a", 3, 4),
    Assignment("j2/install", "b", 0, 1),
]


def codes(plan: list[Assignment]) -> list[str]:
    return [v.code for v in check_schedule(INSTANCE, plan)]


def test_a_valid_plan_has_no_violation() -> None:
    assert check_schedule(INSTANCE, VALID) == ()


def test_each_broken_rule_is_named() -> None:
    assert codes([*VALID[1:], Assignment("j1/install", "a", 0, 2)]) == ["earliest"]
    assert codes([*VALID[1:], Assignment("j1/install", "a", 1, 2)]) == ["duration"]
    assert codes([*VALID[:2], Assignment("j2/install", "a", 5, 6)]) == ["lock", "lock"]
    assert codes([*VALID, Assignment("j3/install", "b", 0, 1)]) == ["skills", "double_booked"]
    assert codes([VALID[0], Assignment("j1/gutters", "a", 4, 5), VALID[2]]) == ["unavailable"]
    assert codes([Assignment("j1/install", "b", 5, 7), *VALID[1:]]) == ["weather", "precedence"]
    assert codes([VALID[1], VALID[2]]) == ["precedence"]
    assert codes([*VALID, Assignment("j1/gutters", "a", 9, 10)]) == ["duplicate"]
    assert codes([*VALID, Assignment("j9/install", "b", 9, 10)]) == ["unknown"]
    assert codes([Assignment("j1/install", "b", 8, 10), *VALID[1:]]) == ["precedence"]


def test_a_move_to_a_crew_without_the_skill_is_refused_with_the_reason() -> None:
    refusal = check_move(INSTANCE, VALID, "j3/install", "b", 5)

    assert [v.message for v in refusal] == ["Crew B has no 'metal' skill"]


def test_a_move_of_a_locked_task_or_onto_a_busy_crew_says_why() -> None:
    refusal = check_move(INSTANCE, VALID, "j2/install", "a", 5)

    assert [v.message for v in refusal] == [
        "j2/install is locked to Crew B",
        "j2/install is locked to start on Mon 2 Mar",
    ]
    clash = check_move(
        INSTANCE, [*VALID, Assignment("j3/install", "a", 6, 7)], "j3/install", "b", 0
    )
    assert [v.message for v in clash] == [
        "Crew B has no 'metal' skill",
        "Crew B is already on j2/install on Mon 2 Mar",
    ]


def test_a_move_to_a_free_skilled_crew_is_allowed() -> None:
    assert check_move(INSTANCE, VALID, "j1/gutters", "a", 5) == ()


def test_in_progress_work_must_stay_planned() -> None:
    started = problem(
        [crew("a", "asphalt")],
        [task("j1/install", "asphalt", lock=Lock("a", 0), in_progress=True)],
    )

    assert [v.code for v in check_schedule(started, [])] == ["in_progress"]
