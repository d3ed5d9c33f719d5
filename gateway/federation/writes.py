"""Writes through the federation: a change goes to the one source that owns the complaint now.

That is the source of the complaint's home region, or, when that source has no such complaint
in the caller's scope, of the region the owner index says it moved to (`owners.py`), exactly
as a lookup by id is routed, so a source outside the caller's scope is never asked. The call
is guarded like a read (deadline, breaker; a refused connection, which wrote nothing, is
retried once). A change whose call timed out may still have been made: its author learns
which by the version, since a retry of a change that was made meets VERSION_CONFLICT with the
new version, never a second write.
"""

from gateway.federation.ids import home_region
from gateway.federation.reads import Federation
from gateway.policy import RowScope
from gateway.sources.base import Source
from gateway.sources.changes import ChangeOutcome, ChangeResult, ComplaintChange

_NOT_FOUND = ChangeOutcome(ChangeResult.NOT_FOUND)


async def apply_change(
    federation: Federation, change: ComplaintChange, scope: RowScope
) -> ChangeOutcome:
    home = home_region(change.complaint_id, federation.regions)
    outcome = await _apply_in(federation, home, change, scope)
    if outcome.result is not ChangeResult.NOT_FOUND or federation.owners is None:
        return outcome
    moved = (await federation.owners.regions_of([change.complaint_id])).get(change.complaint_id)
    if moved is None or moved == home:
        return outcome
    return await _apply_in(federation, moved, change, scope)


async def _apply_in(
    federation: Federation, region: str | None, change: ComplaintChange, scope: RowScope
) -> ChangeOutcome:
    source = federation.owner_in_scope(region, scope)
    if source is None:
        return _NOT_FOUND

    async def write(owner: Source) -> ChangeOutcome:
        return await owner.apply_change(change, scope)

    return await federation.calls.call(source, write)
