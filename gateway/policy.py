"""Authorization policy: pure functions from a principal to what it may see. No I/O.

Row scope (DESIGN.md §4): national and ombudsman callers see every complaint; provincial `PP`
the complaints handled inside `PP`; regency `PP.KK` those handled inside `PP.KK`; the public
only verified, non-confidential complaints. The scope is computed once per request and pushed
into every source query, so rows outside it are never fetched.
"""

from dataclasses import dataclass

from gateway.domain import PrincipalTier
from gateway.principal import Principal
from gateway.regions import NATIONAL, is_inside


@dataclass(frozen=True, slots=True)
class RowScope:
    """The complaints a caller may read.

    `region` is None for every region (national agencies included), else a region code whose
    subtree bounds the handling region. `published_only` restricts to verified,
    non-confidential complaints (unknown confidentiality counts as confidential).
    """

    region: str | None
    published_only: bool = False

    def includes_region(self, code: str) -> bool:
        """Whether complaints handled in `code` (or `NATIONAL`) can be in scope."""
        if self.region is None:
            return True
        return code != NATIONAL and is_inside(code, self.region)


EVERYTHING = RowScope(region=None)


def row_scope(principal: Principal) -> RowScope:
    match principal.tier:
        case PrincipalTier.NATIONAL | PrincipalTier.OMBUDSMAN:
            return EVERYTHING
        case PrincipalTier.PROVINCIAL | PrincipalTier.REGENCY:
            if principal.region is None:
                # Authentication rejects such tokens; an empty scope is the safe answer anyway.
                return RowScope(region="", published_only=True)
            return RowScope(region=principal.region)
        case _:
            return RowScope(region=None, published_only=True)


def aggregate_scope(principal: Principal) -> RowScope:
    """Aggregates span all regions for every tier (rankings are the point); the public
    counts only published complaints."""
    return RowScope(region=None, published_only=principal.tier is PrincipalTier.PUBLIC)
