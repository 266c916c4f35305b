"""What must be true before a job changes hands: one checklist per transition between team
functions (docs/teams.md prints them).

A handoff copies its transition's items when it starts, so changing this list later leaves the
handoffs already under way alone. Items marked optional are shown and may be ticked but do not
hold the acceptance back (an HOA approval only exists where there is an HOA).
"""

from __future__ import annotations

from dataclasses import dataclass

from roofops.models.team import TeamFunction

SALES, PRODUCTION, FINANCE = TeamFunction.SALES, TeamFunction.PRODUCTION, TeamFunction.FINANCE


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    required: bool = True


SALES_TO_PRODUCTION = (
    ChecklistItem("contract_signed", "Contract signed by every owner on title, copy on file"),
    ChecklistItem(
        "deposit_or_financing",
        "Deposit collected, financing approved, or insurance claim approved (scope agreed)",
    ),
    ChecklistItem(
        "materials_selected", "Materials, colour and accessories chosen and written on the order"
    ),
    ChecklistItem("measurements_verified", "Measurements and pitch verified (report or site)"),
    ChecklistItem("permit_applied", "Permit applied for (or not needed where the town says so)"),
    ChecklistItem("hoa_approval", "HOA approval received, if the property has an HOA", False),
    ChecklistItem(
        "site_notes", "Site notes handed over: access, parking, pets, gate codes, dumpster spot"
    ),
    ChecklistItem("customer_briefed", "Customer told what happens next and who their contact is"),
)

PRODUCTION_TO_FINANCE = (
    ChecklistItem("completion_photos", "Completion photos uploaded (every slope, flashings)"),
    ChecklistItem("final_walkthrough", "Final walkthrough done and signed by the customer"),
    ChecklistItem("site_clean", "Site cleaned, magnet sweep done, dumpster pulled"),
    ChecklistItem("change_orders", "Change orders and supplements recorded with their amounts"),
    ChecklistItem(
        "permit_closed", "Permit final inspection passed (or not needed where the town says so)"
    ),
    ChecklistItem("warranty_registered", "Manufacturer warranty registered"),
    ChecklistItem(
        "depreciation_paperwork",
        "Certificate of completion and final invoice sent to the carrier to release "
        "depreciation, if it is an insurance job",
        False,
    ),
)

# Handing a job back (production finds the contract incomplete) or on within one function
# needs a reason in the note, not a checklist.
CHECKLISTS: dict[tuple[TeamFunction, TeamFunction], tuple[ChecklistItem, ...]] = {
    (SALES, PRODUCTION): SALES_TO_PRODUCTION,
    (PRODUCTION, FINANCE): PRODUCTION_TO_FINANCE,
}


def checklist_for(source: TeamFunction | None, target: TeamFunction) -> tuple[ChecklistItem, ...]:
    """The items a handoff from a ``source`` team (None: the job has no team yet) to a
    ``target`` team must tick."""
    if source is None:
        return ()
    return CHECKLISTS.get((source, target), ())
