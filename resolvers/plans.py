"""The plan of a complaint root field, worked out once per document and kept with it.

What a `complaints` page or a `complaint` lookup reads depends only on its selection and on
which complaint fields the caller may read: the columns pushed down to the sources, the
relations loaded in bulk, the fields withheld, and whether the total is counted. That is a
value (`ComplaintsPlan`), built the first time a document's field runs for a kind of caller
and kept with the prepared document (`PreparedDocument.plans`, evicted with it), so later
requests act on it without walking the selection again. `@skip`/`@include` may take a Boolean
variable, so the Boolean variables' values are part of the key.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.types.nodes import Selection

from gateway.policy import readable_fields
from gateway.principal import Principal
from resolvers.assemble import Wanted, withheld
from resolvers.projection import complaint_columns, field_names

PLANS_KEPT = 64
"""Plans kept per document (a document has a handful of root fields; caller kinds are few)."""


@dataclass(frozen=True, slots=True)
class ComplaintsPlan:
    columns: frozenset[str]
    """Complaint columns the sources select (of the fields the caller may read)."""
    wanted: Wanted
    """Relations loaded in bulk."""
    withheld: tuple[str, ...]
    """Selected fields the caller may not read: null on every complaint."""
    with_total: bool = False
    """Whether `totalCount` is selected (a count per source)."""


def plan_for(
    plans: dict[Hashable, Any],
    key: Hashable,
    principal: Principal,
    variables: dict[str, Any] | None,
    build: Callable[[], ComplaintsPlan],
) -> ComplaintsPlan:
    """The plan kept in `plans` for this field, kind of caller and directive variables, built
    by `build` the first time."""
    switches = tuple(sorted((k, v) for k, v in (variables or {}).items() if isinstance(v, bool)))
    full_key = (key, readable_fields(principal), switches)
    plan = plans.get(full_key)
    if plan is None:
        plan = build()
        if len(plans) >= PLANS_KEPT:
            plans.clear()
        plans[full_key] = plan
    assert isinstance(plan, ComplaintsPlan)
    return plan


def complaints_plan(
    nodes: Sequence[Selection], connection: Sequence[Selection], principal: Principal
) -> ComplaintsPlan:
    """The plan of a page: `nodes` the selections under `edges { node }`, `connection` those
    of the connection itself."""
    return ComplaintsPlan(
        columns=complaint_columns(nodes, principal),
        wanted=Wanted.from_selections(nodes, principal),
        withheld=withheld(nodes, principal),
        with_total="totalCount" in field_names(connection),
    )


def lookup_plan(selected: Sequence[Selection], principal: Principal) -> ComplaintsPlan:
    """The plan of a lookup by id (all columns are read: the loader batches lookups)."""
    return ComplaintsPlan(
        columns=frozenset(),
        wanted=Wanted.from_selections(selected, principal),
        withheld=withheld(selected, principal),
    )
