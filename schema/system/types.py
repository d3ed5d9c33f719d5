"""The gateway describing itself: its sources and the caller."""

import strawberry

from schema.enums import PrincipalTier, Role


@strawberry.type(description="A complaint source of the registry.")
class SourceInfo:
    id: str
    kind: str
    covers: list[str]
    state: str = strawberry.field(
        description="Its circuit: CLOSED (healthy), OPEN (failing: not called), HALF_OPEN "
        "(one probe call allowed)."
    )


@strawberry.type(description="The caller as the gateway sees it, so a frontend can adapt.")
class Viewer:
    tier: PrincipalTier
    region: str | None
    agency: str | None
    role: Role | None
    scope: str = strawberry.field(
        description="The handling regions readable row by row: `ALL`, a region code, or "
        "`PUBLISHED` (verified, non-confidential complaints only)."
    )
