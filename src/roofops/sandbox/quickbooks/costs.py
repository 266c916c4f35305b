"""What a demo job sells for and what it costs, in cents (the fake books' amount model).

Contract value is squares x the price per square (the RCV for insurance jobs); the margin centres
on 34 % (sd 7 points, kept within 12-52 %), and one job in fourteen loses 2-25 %. Permits,
disposal and equipment are sized from the job; materials and labor split what is left.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from roofops.demo.records import JobRow
from roofops.models.enums import JobType, Material, PayerKind

LOSS_SHARE = 1 / 14
FIXED_COST_CAP = 0.4
FALLBACK_PRICE_PER_SQUARE = 600_00
MATERIAL_SHARE: dict[Material, tuple[float, float]] = {
    Material.ASPHALT_SHINGLE: (0.42, 0.52),
    Material.METAL: (0.52, 0.62),
    Material.TILE: (0.50, 0.60),
    Material.LOW_SLOPE_TPO: (0.45, 0.55),
    Material.GUTTERS: (0.35, 0.45),
    Material.OTHER: (0.0, 0.05),
}
FULL_ROOF = (JobType.REROOF, JobType.NEW_CONSTRUCTION)


@dataclass(frozen=True)
class Economics:
    contract_cents: int
    supplement_cents: int
    materials_cents: int
    labor_cents: int
    permits_cents: int
    disposal_cents: int
    equipment_cents: int

    @property
    def revenue_cents(self) -> int:
        return self.contract_cents + self.supplement_cents


def economics(job: JobRow, rng: random.Random, price_per_square_cents: int | None) -> Economics:
    contract = _contract(job, rng, price_per_square_cents or FALLBACK_PRICE_PER_SQUARE)
    insured = job.payer == PayerKind.INSURANCE and bool(job.rcv_cents)
    supplement = int(contract * rng.uniform(0.04, 0.14)) if insured and rng.random() < 0.35 else 0
    cost = int((contract + supplement) * (1 - _margin(rng)))
    fixed = _fixed_costs(job, rng, contract, cost)
    rest = cost - sum(fixed)
    share = rng.uniform(*MATERIAL_SHARE[job.material]) * (
        0.6 if job.job_type == JobType.REPAIR else 1
    )
    materials = int(rest * share)
    return Economics(contract, supplement, materials, rest - materials, *fixed)


def _margin(rng: random.Random) -> float:
    if rng.random() < LOSS_SHARE:
        return rng.uniform(-0.25, -0.02)
    return min(0.52, max(0.12, rng.gauss(0.34, 0.07)))


def _contract(job: JobRow, rng: random.Random, price_per_square: int) -> int:
    """What the bookkeeper invoices against: the price the job was signed at."""
    if job.contract_cents is not None:
        return job.contract_cents
    if job.payer == PayerKind.INSURANCE and job.rcv_cents:
        return job.rcv_cents
    if job.job_type == JobType.GUTTERS:
        return rng.randint(120, 260) * rng.randint(1200, 1600)
    if job.job_type == JobType.INSPECTION:
        return rng.randint(295, 495) * 100
    squares = job.squares or Decimal(1)
    steep = 1 + (0.15 if (job.pitch or 0) >= 9 else 0)
    cents = int(squares * price_per_square * Decimal(str(rng.uniform(0.97, 1.10) * steep)))
    return max(cents, 450_00)


def _fixed_costs(job: JobRow, rng: random.Random, contract: int, cost: int) -> tuple[int, int, int]:
    """Permits, disposal and equipment, scaled down if they would exceed 40 % of the cost."""
    permits = min(950_00, 150_00 + contract * 6 // 1000) if job.job_type in FULL_ROOF else 0
    disposal, equipment = _disposal(job, rng), _equipment(job, rng)
    total = permits + disposal + equipment
    cap = int(cost * FIXED_COST_CAP)
    if total <= cap or total == 0:
        return permits, disposal, equipment
    return permits * cap // total, disposal * cap // total, equipment * cap // total


def _disposal(job: JobRow, rng: random.Random) -> int:
    if job.job_type in FULL_ROOF:
        dumpsters = max(1, math.ceil(float(job.squares or 1) / 30))
        heavy = 1.4 if job.material == Material.TILE else 1.0
        return int(dumpsters * rng.randint(425_00, 650_00) * heavy)
    if job.job_type == JobType.REPAIR and rng.random() < 0.3:
        return rng.randint(75_00, 150_00)
    return 0


def _equipment(job: JobRow, rng: random.Random) -> int:
    demanding = (job.pitch or 0) >= 9 or job.material in (Material.TILE, Material.LOW_SLOPE_TPO)
    if (demanding or job.job_type == JobType.NEW_CONSTRUCTION) and rng.random() < 0.6:
        return rng.randint(250_00, 1_400_00)
    return rng.randint(150_00, 400_00) if rng.random() < 0.08 else 0
