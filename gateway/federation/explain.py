"""What a request planned, root field by root field: the sources it asks, the complaint columns
it pushes down, the relations it loads and the fields the caller is not shown.

Resolvers record a `PlanStep` as they plan, from the same values they then act on, so the
record cannot drift from the behaviour. In demo mode a request that sends
`"extensions": {"plan": true}` gets the steps back in the response's `extensions.plan`, and
`lapor-gateway plan` prints them for a query: a frontend or an operator can see why a query
touched what it touched. A lookup by id names its source only when the caller may see the
complaint: a plan tells nothing of a complaint the caller may not see, not even where it is.
"""

from dataclasses import dataclass, field
from typing import Any

PLAN_EXTENSION = "plan"


@dataclass(frozen=True, slots=True)
class PlanStep:
    path: str
    """The root field's response key."""
    sources: tuple[str, ...]
    """The sources asked, in plan order (scope and filter decide them)."""
    columns: tuple[str, ...] = ()
    """Complaint columns selected from each source (pages)."""
    relations: tuple[str, ...] = ()
    """Relations loaded in bulk, one batch per source."""
    withheld: tuple[str, ...] = ()
    """Selected complaint fields the caller may not read: null on every complaint."""
    detail: dict[str, Any] = field(default_factory=dict)
    """What else decided the plan (a grouping, whether aggregates are exact)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sources": list(self.sources),
            "columns": list(self.columns),
            "relations": list(self.relations),
            "withheld": list(self.withheld),
            **self.detail,
        }
