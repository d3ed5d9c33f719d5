"""Who is asking: built once per request at the edge, read everywhere else."""

from dataclasses import dataclass

from gateway.domain import PrincipalTier, Role


@dataclass(frozen=True, slots=True)
class Principal:
    tier: PrincipalTier
    subject: str | None = None
    region: str | None = None
    agency: str | None = None
    role: Role | None = None


PUBLIC = Principal(tier=PrincipalTier.PUBLIC)
