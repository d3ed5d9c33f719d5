"""Authorization policy: pure functions from a principal (and a complaint's facts) to what it
may see. No I/O; every rule of DESIGN.md §4 is decided here and nowhere else.

Row scope: national and ombudsman callers see every complaint; provincial `PP` the complaints
handled inside `PP`; regency `PP.KK` those handled inside `PP.KK`; the public only verified,
non-confidential complaints, and of those only the fields whose rule is EVERYONE
(`gateway.fields`: a field with no rule is readable by nobody). The scope is
computed once per request and pushed into every source query, so rows outside it are never
fetched; the gateway checks every row again (`row_visible`) in case a source misbehaves.

Unknown anonymous/confidential flags (`None`) count as anonymous and confidential.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from gateway.domain import ComplaintStatus, PrincipalTier, Role
from gateway.errors import AuthorizationError
from gateway.fields import FIELDS, FIELDS_READ_BY_DIMENSION, FIELDS_READ_BY_FILTER, FieldRule
from gateway.principal import Principal
from gateway.regions import NATIONAL, is_inside


@dataclass(frozen=True, slots=True)
class RowScope:
    """The complaints a caller may read row by row.

    `region` is None for every region (national agencies included), else a region code whose
    subtree bounds the handling region ("" bounds nothing). `published_only` restricts to
    verified, non-confidential complaints.
    """

    region: str | None
    published_only: bool = False

    def includes_region(self, code: str) -> bool:
        """Whether complaints handled in `code` (or `NATIONAL`) can be in scope."""
        if self.region is None:
            return True
        return bool(self.region) and code != NATIONAL and is_inside(code, self.region)

    @property
    def unbounded(self) -> bool:
        return self.region is None and not self.published_only


EVERYTHING = RowScope(region=None)
NOTHING = RowScope(region="", published_only=True)


@dataclass(frozen=True, slots=True)
class ComplaintFacts:
    """What the policy needs to know of one complaint."""

    region_code: str | None
    agency_code: str | None
    status: str | None
    verified: bool
    is_anonymous: bool | None
    is_confidential: bool | None


def row_scope(principal: Principal) -> RowScope:
    match principal.tier:
        case PrincipalTier.NATIONAL | PrincipalTier.OMBUDSMAN:
            return EVERYTHING
        case PrincipalTier.PROVINCIAL | PrincipalTier.REGENCY:
            # Authentication rejects such tokens without a region; nothing is the safe answer.
            return RowScope(region=principal.region) if principal.region else NOTHING
        case _:
            return RowScope(region=None, published_only=True)


def row_visible(scope: RowScope, facts: ComplaintFacts) -> bool:
    """The gateway's own check of a row a source returned."""
    if scope.published_only and not (facts.verified and facts.is_confidential is False):
        return False
    if scope.region is None:
        return True
    return scope.includes_region(facts.region_code or NATIONAL)


# --- Fields -------------------------------------------------------------------------------


def can_read_field(principal: Principal, field: str) -> bool:
    """Whether a complaint field is readable at all by this caller (row scope aside); false
    for a field with no rule."""
    declared = FIELDS.get(field)
    if declared is None:
        return False
    return declared.rule is FieldRule.EVERYONE or principal.tier is not PrincipalTier.PUBLIC


def readable_fields(principal: Principal) -> frozenset[str]:
    """The complaint fields this caller may read at all: what a plan of a selection depends
    on (`resolvers/plans.py`), so callers reading the same fields share plans."""
    return frozenset(name for name in FIELDS if can_read_field(principal, name))


def can_read_body(principal: Principal, facts: ComplaintFacts) -> bool:
    """Confidential (`rahasia`) content only inside the caller's row scope; never public."""
    if not can_read_field(principal, "body"):
        return False
    return facts.is_confidential is False or row_visible(row_scope(principal), facts)


def can_read_reporter(principal: Principal, facts: ComplaintFacts) -> bool:
    """Reporter identity: a provincial or regency OPERATOR of the handling agency, or OMBUDSMAN
    on an escalated complaint; never when the complaint is anonymous (or its flag is unknown)."""
    if facts.is_anonymous is not False:
        return False
    if principal.tier is PrincipalTier.OMBUDSMAN:
        return facts.status == ComplaintStatus.ESCALATED.value
    # Not NATIONAL (DESIGN.md §4): its row scope is everything, so its `agency` claim would be
    # the only gate, and any agency's reporters would be one claim away.
    return (
        principal.tier in {PrincipalTier.PROVINCIAL, PrincipalTier.REGENCY}
        and principal.role is Role.OPERATOR
        and principal.agency is not None
        and principal.agency == facts.agency_code
        and row_visible(row_scope(principal), facts)
    )


# --- Writes -------------------------------------------------------------------------------


def can_write(principal: Principal, facts: ComplaintFacts, dispose_to: str | None = None) -> bool:
    """Case work on a complaint (DESIGN.md §4, "writes"): an OPERATOR of its handling agency,
    on a complaint inside the caller's row scope. `dispose_to`, the region of the agency a
    disposition routes it to (`NATIONAL` for a K/L agency), asks for a disposition: the
    handling agency's operators may route their case anywhere, and a provincial ADMIN may route
    any complaint handled inside its province to an agency inside it. Analysts and the public
    write nothing; nobody writes a complaint outside their row scope."""
    if principal.tier is PrincipalTier.PUBLIC or not row_visible(row_scope(principal), facts):
        return False
    handling_operator = (
        principal.role is Role.OPERATOR
        and principal.agency is not None
        and principal.agency == facts.agency_code
    )
    if dispose_to is None or handling_operator:
        return handling_operator
    return (
        principal.tier is PrincipalTier.PROVINCIAL
        and principal.role is Role.ADMIN
        and principal.region is not None
        and dispose_to != NATIONAL
        and is_inside(dispose_to, principal.region)
    )


def can_read_access_log(principal: Principal) -> bool:
    return principal.tier is PrincipalTier.NATIONAL and principal.role is Role.ADMIN


# --- Filters and aggregates ---------------------------------------------------------------

CONTENT_FILTERS = frozenset({"text"})
"""Filters on complaint content: an oracle on rows, so never over rows outside row scope."""


def check_row_filters(principal: Principal, used: Iterable[str]) -> None:
    """Refuse (FORBIDDEN) filtering a list on a field the caller may not read."""
    for name in used:
        fields = FIELDS_READ_BY_FILTER.get(name, ("",))  # undeclared: reads nothing readable
        if not all(can_read_field(principal, field) for field in fields):
            raise AuthorizationError(
                f"filtering on `{name}` is not allowed for this caller", argument=name
            )


def check_aggregate_query(
    principal: Principal,
    used_filters: Iterable[str],
    dimensions: Iterable[str],
    region_filter: str | None,
) -> None:
    """Refuse (FORBIDDEN) aggregates that filter or group on fields the caller may not read,
    or that filter on content over complaints outside the caller's row scope."""
    used = list(used_filters)
    check_row_filters(principal, used)
    for dimension in dimensions:
        fields = FIELDS_READ_BY_DIMENSION.get(dimension, ("",))
        if not all(can_read_field(principal, field) for field in fields):
            raise AuthorizationError(
                f"grouping by {dimension} is not allowed for this caller", argument="groupBy"
            )
    scope = row_scope(principal)
    for name in CONTENT_FILTERS.intersection(used):
        if not _bounded_by(scope, region_filter) or scope.published_only:
            raise AuthorizationError(
                f"filtering aggregates on `{name}` is allowed only inside your own region",
                argument=name,
            )


def aggregate_scope(principal: Principal) -> RowScope:
    """Aggregates span all regions for every tier (rankings are the point); the public
    counts only published complaints."""
    return RowScope(region=None, published_only=principal.tier is PrincipalTier.PUBLIC)


def aggregate_split(principal: Principal) -> RowScope | None:
    """The rows counted as the caller's own in aggregates (exact, like the published rows
    anyone may list); None when none are (the public has no jurisdiction of its own). The
    rest is protected by the cell key method (`gateway.disclosure`)."""
    if principal.tier is PrincipalTier.PUBLIC:
        return None
    return row_scope(principal)


def aggregates_are_exact(principal: Principal, region_filter: str | None) -> bool:
    """Whether every complaint an aggregate can count is one the caller may list: then no
    figure is perturbed. The public counts only published complaints."""
    if principal.tier is PrincipalTier.PUBLIC:
        return True
    return _bounded_by(row_scope(principal), region_filter)


def _bounded_by(scope: RowScope, region_filter: str | None) -> bool:
    """Whether a region filter keeps a query inside the scope's regions."""
    if scope.region is None:
        return True
    return (
        region_filter is not None and bool(scope.region) and is_inside(region_filter, scope.region)
    )
