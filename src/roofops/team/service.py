"""Teams and the handoffs that move a job between them.

A job belongs to one team at a time (sales, then production, then finance) and one named
owner in it. Passing it on is a handoff: someone with hand_off_jobs starts it naming the
receiving team and owner, the checklist of that transition (roofops.team.checklists) is ticked
as the work gets done, and the receiving side accepts it once every required item is ticked;
only then do the job's team and owner change. Each step goes to the job's activity feed.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roofops.activity.service import activity_service
from roofops.audit.service import apply_changes, audit_service, change
from roofops.auth.permissions import Permission
from roofops.auth.principal import Principal
from roofops.crew.service import require_branch
from roofops.exceptions import Conflict, PermissionDenied, ValidationFailed
from roofops.kit.repository import found
from roofops.kit.time import utcnow
from roofops.models.activity import ActivityKind
from roofops.models.enums import JobStage, Role
from roofops.models.job import Job
from roofops.models.team import HandoffItem, HandoffStatus, JobHandoff, Team, TeamMember
from roofops.models.user import User
from roofops.notification.service import notification_service
from roofops.team.checklists import checklist_for
from roofops.team.repository import HandoffRepository, OwnershipRepository, TeamRepository
from roofops.team.results import OwnerJobs, Ownership, TeamBoard, missing_items
from roofops.team.schemas import HandoffCreate, TeamCreate, TeamUpdate


class TeamService:
    # ----- teams ------------------------------------------------------------------------------
    def list(
        self, db: Session, *, branch_id: uuid.UUID | None = None, active: bool | None = None
    ) -> builtins.list[Team]:
        """Teams by function and name with branch and members loaded; a branch filter keeps
        the company-wide teams."""
        return TeamRepository(db).listed(branch_id, active)

    def get(self, db: Session, team_id: uuid.UUID) -> Team:
        return found(TeamRepository(db).full(team_id), "team")

    def create(self, db: Session, principal: Principal, data: TeamCreate) -> Team:
        principal.require(Permission.MANAGE_TEAMS)
        teams = TeamRepository(db)
        self._ensure_name_free(teams, data.name)
        if data.branch_id is not None:
            require_branch(db, data.branch_id)
        team = Team(**data.model_dump(exclude={"member_ids"}))
        team.members = _members(teams, data.member_ids)
        teams.add(team)
        audit_service.created(db, principal, "team", team.id)
        return self.get(db, team.id)

    def update(
        self, db: Session, principal: Principal, team_id: uuid.UUID, data: TeamUpdate
    ) -> Team:
        principal.require(Permission.MANAGE_TEAMS)
        teams = TeamRepository(db)
        team = self.get(db, team_id)
        values = data.changes()
        if values.get("name", team.name).lower() != team.name.lower():
            self._ensure_name_free(teams, values["name"])
        if values.get("branch_id") is not None:
            require_branch(db, values["branch_id"])
        member_ids = values.pop("member_ids", None)
        changes = apply_changes(team, values)
        if member_ids is not None:
            old = sorted(str(member.user_id) for member in team.members)
            team.members = _members(teams, member_ids, team.members)
            new = sorted(str(member.user_id) for member in team.members)
            if old != new:
                changes["members"] = change(old, new)
        audit_service.updated(db, principal, "team", team.id, changes)
        db.flush()
        return self.get(db, team_id)

    def users(self, db: Session) -> builtins.list[User]:
        """Active users, for member and owner pickers."""
        return TeamRepository(db).active_users()

    def _ensure_name_free(self, teams: TeamRepository, name: str) -> None:
        if teams.by_name(name) is not None:
            raise Conflict(f"a team named '{name}' already exists", field="name")

    # ----- boards -----------------------------------------------------------------------------
    def boards(self, db: Session, branch_id: uuid.UUID | None = None) -> builtins.list[TeamBoard]:
        """Each active team with its open jobs by owner and the open handoffs to and from it."""
        teams = self.list(db, branch_id=branch_id, active=True)
        team_ids = [team.id for team in teams]
        jobs = OwnershipRepository(db).open_jobs_of_teams(team_ids, branch_id)
        handoffs = HandoffRepository(db).open_touching(team_ids)
        owners = TeamRepository(db).users({job.owner_id for job in jobs if job.owner_id})
        return [_board(team, jobs, handoffs, owners) for team in teams]

    def my_jobs(self, db: Session, principal: Principal) -> builtins.list[Job]:
        """The open jobs the signed-in user owns, oldest in their stage first."""
        if principal.user_id is None:
            return []
        return OwnershipRepository(db).open_jobs_owned_by(principal.user_id)

    def seed_owners(
        self,
        db: Session,
        stages: Sequence[JobStage],
        team_id: uuid.UUID,
        owner_id: uuid.UUID,
        branch_id: uuid.UUID | None = None,
    ) -> None:
        """Give every job in ``stages`` (of ``branch_id``, when given) to a team and owner at
        once: a starting point (the demo's), not a handoff, so nothing is recorded per job."""
        OwnershipRepository(db).assign(stages, team_id, owner_id, branch_id)

    def newest_owned_in_stage(self, db: Session, stage: JobStage, limit: int) -> builtins.list[Job]:
        """The newest open jobs of ``stage`` that a team owns."""
        return OwnershipRepository(db).newest_in_stage(stage, limit)

    # ----- a job's ownership ------------------------------------------------------------------
    def ownership(self, db: Session, job_id: uuid.UUID) -> Ownership:
        job = found(OwnershipRepository(db).get(job_id), "job")
        history = HandoffRepository(db).of_job(job_id)
        team = TeamRepository(db).full(job.team_id) if job.team_id else None
        owner = TeamRepository(db).users([job.owner_id]).get(job.owner_id) if job.owner_id else None
        return Ownership(
            job_id=job.id,
            team=team,
            owner_id=job.owner_id,
            owner_label=_user_label(owner),
            open_handoff=next((h for h in history if h.status == HandoffStatus.OPEN), None),
            history=history,
        )

    def may_accept(self, db: Session, principal: Principal, handoff: JobHandoff) -> bool:
        """Whether ``principal`` may accept ``handoff`` (checklist aside)."""
        return principal.can(Permission.HAND_OFF_JOBS) and _is_receiver(
            TeamRepository(db), principal, handoff
        )

    def handoffs(self, db: Session, job_id: uuid.UUID) -> builtins.list[JobHandoff]:
        """The job's handoffs, newest first (404 for an unknown job)."""
        found(OwnershipRepository(db).get(job_id), "job")
        return HandoffRepository(db).of_job(job_id)

    def get_handoff(self, db: Session, job_id: uuid.UUID, handoff_id: uuid.UUID) -> JobHandoff:
        handoff = HandoffRepository(db).full(handoff_id)
        if handoff is None or handoff.job_id != job_id:
            raise found(None, "handoff of this job")
        return handoff

    def start_handoff(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        data: HandoffCreate,
        *,
        mail: bool = True,
    ) -> JobHandoff:
        """Open a handoff of the job to ``data.to_team_id`` and ``data.to_owner_id`` with the
        transition's checklist: 409 while another handoff of the job is open. ``mail=False``:
        the new owner is told in the app only (the demo's history)."""
        principal.require(Permission.HAND_OFF_JOBS)
        job = found(OwnershipRepository(db).job_for_update(job_id), "job")
        teams = TeamRepository(db)
        target = _receiving_team(teams, job, data.to_team_id)
        owner = _receiving_owner(target, data.to_owner_id)
        if job.team_id == target.id and job.owner_id == owner.id:
            raise Conflict(
                f"{owner.full_name or owner.email} already owns this job in {target.name}"
            )
        source = teams.full(job.team_id) if job.team_id else None
        handoff = _new_handoff(job, source, target, owner, note=data.note, by=principal)
        _add_once(db, handoff, job)
        sentence = _started_sentence(handoff, source, target, owner)
        _record(db, principal, handoff, sentence)
        title = f"Job {job.number} is being handed to you"
        _notify(db, principal, [owner.id], title=title, body=sentence, job=job, mail=mail)
        return self.get_handoff(db, job_id, handoff.id)

    def tick(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        handoff_id: uuid.UUID,
        code: str,
        *,
        done: bool,
    ) -> JobHandoff:
        """Tick (or untick) one checklist item of an open handoff."""
        principal.require(Permission.HAND_OFF_JOBS)
        handoff = _open(self.get_handoff(db, job_id, handoff_id))
        item = next((item for item in handoff.items if item.code == code), None)
        if item is None:
            raise found(None, "checklist item of this handoff")
        if done and item.done_at is None:
            item.done_at, item.done_by_id, item.done_by_label = (
                utcnow(),
                principal.user_id,
                principal.label,
            )
        elif not done:
            item.done_at, item.done_by_id, item.done_by_label = None, None, ""
        db.flush()
        return handoff

    def accept(
        self, db: Session, principal: Principal, job_id: uuid.UUID, handoff_id: uuid.UUID
    ) -> JobHandoff:
        """The receiving side takes the job: 409 naming the required items not ticked; then
        the job's team and owner become the handoff's."""
        principal.require(Permission.HAND_OFF_JOBS)
        handoff = _open(self.get_handoff(db, job_id, handoff_id))
        _require_receiver(TeamRepository(db), principal, handoff)
        missing = missing_items(handoff)
        if missing:
            labels = "; ".join(item.label for item in missing)
            raise Conflict(
                f"tick every required item before accepting; still open: {labels}",
                missing=[item.code for item in missing],
            )
        job = found(OwnershipRepository(db).job_for_update(job_id), "job")
        changes = apply_changes(
            job, {"team_id": handoff.to_team_id, "owner_id": handoff.to_owner_id}
        )
        audit_service.updated(db, principal, "job", job.id, changes)
        _close(handoff, principal, HandoffStatus.ACCEPTED)
        sentence = _accepted_sentence(handoff)
        _record(db, principal, handoff, sentence)
        told = [handoff.to_owner_id, handoff.from_owner_id, handoff.started_by_id]
        _notify(db, principal, told, title=f"Job {job.number} handed over", body=sentence, job=job)
        return handoff

    def cancel(
        self,
        db: Session,
        principal: Principal,
        job_id: uuid.UUID,
        handoff_id: uuid.UUID,
        reason: str = "",
    ) -> JobHandoff:
        """Call an open handoff off; the job stays with its team and owner."""
        principal.require(Permission.HAND_OFF_JOBS)
        handoff = _open(self.get_handoff(db, job_id, handoff_id))
        _close(handoff, principal, HandoffStatus.CANCELLED)
        handoff.cancel_reason = reason
        sentence = f"Handoff to {handoff.to_team.name} cancelled" + (
            f": {reason}" if reason else ""
        )
        _record(db, principal, handoff, sentence)
        told = [handoff.to_owner_id, handoff.started_by_id]
        title = f"Handoff of job {handoff.job.number} cancelled"
        _notify(db, principal, told, title=title, body=sentence, job=handoff.job)
        return handoff


# ----- helpers -------------------------------------------------------------------------------
def _members(
    teams: TeamRepository, user_ids: Sequence[uuid.UUID], current: Sequence[TeamMember] = ()
) -> list[TeamMember]:
    """The member rows for ``user_ids``: those already in the team are kept (a new row for the
    same person would be inserted before the old one is deleted, against the unique key)."""
    wanted = list(dict.fromkeys(user_ids))
    users = teams.users(wanted)
    unknown = [
        str(user_id) for user_id in wanted if user_id not in users or not users[user_id].is_active
    ]
    if unknown:
        raise ValidationFailed(f"no active user with id {', '.join(unknown)}", field="member_ids")
    kept = {member.user_id: member for member in current}
    return [kept.get(user_id) or TeamMember(user_id=user_id) for user_id in wanted]


def _board(
    team: Team, jobs: list[Job], handoffs: list[JobHandoff], owners: dict[uuid.UUID, User]
) -> TeamBoard:
    mine = [job for job in jobs if job.team_id == team.id]
    by_owner: dict[uuid.UUID | None, list[Job]] = {}
    for job in mine:
        by_owner.setdefault(job.owner_id, []).append(job)
    groups = [
        OwnerJobs(owner_id, _user_label(owners.get(owner_id)) if owner_id else "No owner", group)
        for owner_id, group in by_owner.items()
    ]
    groups.sort(key=lambda group: (group.owner_id is None, group.owner_label.casefold()))
    return TeamBoard(
        team=team,
        owners=groups,
        incoming=[handoff for handoff in handoffs if handoff.to_team_id == team.id],
        outgoing=[handoff for handoff in handoffs if handoff.from_team_id == team.id],
        job_count=len(mine),
    )


def _user_label(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _receiving_team(teams: TeamRepository, job: Job, team_id: uuid.UUID) -> Team:
    team = teams.full(team_id)
    if team is None or not team.is_active:
        raise ValidationFailed("no active team with this id", field="to_team_id")
    if team.branch_id is not None and job.branch_id is not None and team.branch_id != job.branch_id:
        raise ValidationFailed(
            f"{team.name} works for another branch than this job's", field="to_team_id"
        )
    return team


def _receiving_owner(team: Team, user_id: uuid.UUID) -> User:
    member = next((member.user for member in team.members if member.user_id == user_id), None)
    if member is None or not member.is_active:
        raise ValidationFailed(
            f"the new owner must be an active member of {team.name}", field="to_owner_id"
        )
    return member


def _new_handoff(
    job: Job, source: Team | None, target: Team, owner: User, *, note: str, by: Principal
) -> JobHandoff:
    checklist = checklist_for(source.function if source else None, target.function)
    return JobHandoff(
        job_id=job.id,
        status=HandoffStatus.OPEN,
        from_team_id=job.team_id,
        to_team_id=target.id,
        from_owner_id=job.owner_id,
        to_owner_id=owner.id,
        note=note,
        started_at=utcnow(),
        started_by_id=by.user_id,
        started_by_label=by.label,
        items=[
            HandoffItem(code=item.code, label=item.label, required=item.required, position=index)
            for index, item in enumerate(checklist)
        ],
    )


def _add_once(db: Session, handoff: JobHandoff, job: Job) -> None:
    """Add the handoff; the one-open-handoff-per-job index turns a race into a 409."""
    if HandoffRepository(db).open_of_job(job.id) is not None:
        raise Conflict(f"job {job.number} already has an open handoff: accept or cancel it first")
    try:
        with db.begin_nested():
            HandoffRepository(db).add(handoff)
    except IntegrityError:
        raise Conflict(
            f"job {job.number} already has an open handoff: accept or cancel it first"
        ) from None


def _open(handoff: JobHandoff) -> JobHandoff:
    if handoff.status != HandoffStatus.OPEN:
        raise Conflict(f"this handoff is {handoff.status.value}: only an open one can change")
    return handoff


def _is_receiver(teams: TeamRepository, principal: Principal, handoff: JobHandoff) -> bool:
    """The new owner, a member of the receiving team, or an admin accepts."""
    if principal.role == Role.ADMIN or principal.user_id == handoff.to_owner_id:
        return True
    return principal.user_id is not None and teams.is_member(handoff.to_team_id, principal.user_id)


def _require_receiver(teams: TeamRepository, principal: Principal, handoff: JobHandoff) -> None:
    if _is_receiver(teams, principal, handoff):
        return
    raise PermissionDenied(
        f"only the new owner, a member of {handoff.to_team.name} or an admin can accept "
        "this handoff",
        permission=Permission.HAND_OFF_JOBS.value,
    )


def _close(handoff: JobHandoff, principal: Principal, status: HandoffStatus) -> None:
    handoff.status = status
    handoff.closed_at = utcnow()
    handoff.closed_by_id = principal.user_id
    handoff.closed_by_label = principal.label


def _started_sentence(handoff: JobHandoff, source: Team | None, target: Team, owner: User) -> str:
    origin = f" from {source.name}" if source else ""
    sentence = f"Handoff{origin} to {target.name} started, for {_user_label(owner)} to accept"
    return f"{sentence}: {handoff.note}" if handoff.note else sentence


def _accepted_sentence(handoff: JobHandoff) -> str:
    return f"{_user_label(handoff.to_owner)} accepted the job for {handoff.to_team.name}"


def _record(db: Session, principal: Principal, handoff: JobHandoff, sentence: str) -> None:
    activity_service.record(
        db,
        handoff.job_id,
        ActivityKind.HANDOFF,
        sentence,
        by=principal,
        data={
            "handoff_id": str(handoff.id),
            "status": handoff.status.value,
            "to_team_id": str(handoff.to_team_id),
            "to_owner_id": str(handoff.to_owner_id),
        },
    )


def _notify(
    db: Session,
    principal: Principal,
    user_ids: Sequence[uuid.UUID | None],
    *,
    title: str,
    body: str,
    job: Job,
    mail: bool = True,
) -> None:
    """Tell the people a step concerns, except whoever took it (they know)."""
    wanted = {user_id for user_id in user_ids if user_id and user_id != principal.user_id}
    if wanted:
        notification_service.notify(
            db,
            sorted(wanted, key=str),
            title=title,
            body=body,
            link=f"/jobs/{job.id}",
            job_id=job.id,
            mail=mail,
        )


team_service = TeamService()
