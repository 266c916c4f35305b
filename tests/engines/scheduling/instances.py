"""Small scheduling problems for the engine's tests: a hand-made one and a hypothesis strategy."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from roofops.engines.scheduling.model import CrewSpec, Lock, ScheduleProblem, TaskSpec

YARD = (32.80, -96.80)
SKILLS = ("asphalt", "metal", "gutters")


def working_days(count: int) -> tuple[date, ...]:
    monday = date(2026, 3, 2)
    return tuple(
        d for d in (monday + timedelta(days=i) for i in range(count * 2)) if d.weekday() < 5
    )[:count]


def crew(
    crew_id: str, *skills: str, rate: float = 20.0, off: frozenset[int] = frozenset()
) -> CrewSpec:
    return CrewSpec(
        id=crew_id,
        name=f"Crew {crew_id.upper()}",
        skills=frozenset(skills),
        squares_per_day=rate,
        home=YARD,
        unavailable=off,
    )


def task(task_id: str, *skills: str, squares: float = 20.0, **fields: object) -> TaskSpec:
    return TaskSpec(
        id=task_id,
        job_id=task_id.partition("/")[0],
        phase=task_id.rpartition("/")[2],
        required_skills=frozenset(skills),
        site=(32.85, -96.75),
        squares=squares,
        **fields,  # type: ignore[arg-type]
    )


def problem(crews: list[CrewSpec], tasks: list[TaskSpec], days: int = 10) -> ScheduleProblem:
    return ScheduleProblem(days=working_days(days), crews=tuple(crews), tasks=tuple(tasks))


@st.composite
def small_problems(draw: st.DrawFn) -> ScheduleProblem:
    """2-4 crews and 2-5 jobs (an install, sometimes gutters after it) over 6-10 days, with
    random skills, days off, rain days, materials and promised days and locks."""
    horizon = draw(st.integers(6, 10))
    days = st.frozensets(st.integers(0, horizon - 1), max_size=3)
    crews = [
        crew(
            f"c{i}",
            *draw(st.sets(st.sampled_from(SKILLS), min_size=1)),
            rate=draw(st.sampled_from([15.0, 25.0, 35.0])),
            off=draw(days),
        )
        for i in range(draw(st.integers(2, 4)))
    ]
    tasks: list[TaskSpec] = []
    for j in range(draw(st.integers(2, 5))):
        tasks.extend(_job(draw, f"j{j}", horizon, days, [c.id for c in crews]))
    return problem(crews, tasks, horizon)


def _job(
    draw: st.DrawFn,
    job_id: str,
    horizon: int,
    days: st.SearchStrategy[frozenset[int]],
    crew_ids: list[str],
) -> list[TaskSpec]:
    rain = dict.fromkeys(draw(days), "rain")
    earliest = draw(st.integers(0, horizon // 2))
    lock = draw(
        st.one_of(
            st.none(),
            st.builds(Lock, crew_id=st.sampled_from(crew_ids)),
            st.builds(Lock, start=st.integers(0, horizon - 1)),
        )
    )
    install = task(
        f"{job_id}/install",
        draw(st.sampled_from(SKILLS[:2])),
        squares=float(draw(st.integers(10, 60))),
        earliest=earliest,
        promised=draw(st.one_of(st.none(), st.integers(earliest, horizon - 1))),
        priority=draw(st.integers(1, 3)),
        forbidden_days=rain,
        lock=lock,
    )
    if not draw(st.booleans()):
        return [install]
    gutters = task(
        f"{job_id}/gutters", "gutters", duration_days=1, earliest=earliest,
        predecessors=(install.id,), forbidden_days=rain,
    )  # fmt: skip
    return [install, gutters]
