"""Reporter identity: loaded only for complaints the policy clears, and only once each read is
in the access log. If the log cannot be written, the identity is withheld (fail closed)."""

import logging
from collections.abc import Sequence

from gateway.audit import entry_for
from gateway.errors import AuditUnavailableError, GatewayError
from gateway.federation.context import GatewayContext
from gateway.federation.facts import facts_of
from gateway.federation.merge import SourcedComplaint
from gateway.policy import can_read_reporter
from gateway.sources.records import ReporterRecord
from resolvers.loading import SourceKey, load_all
from schema.complaints.types import Loaded, Reporter

logger = logging.getLogger("lapor.audit")


async def load_reporters(
    context: GatewayContext, rows: Sequence[SourcedComplaint]
) -> dict[SourceKey, Loaded[Reporter]]:
    cleared = [row for row in rows if can_read_reporter(context.principal, facts_of(row.record))]
    if not cleared:
        return {}
    keys = [(row.source_id, row.record.id) for row in cleared]
    loaded = await load_all(context.loaders.reporter_by_complaint, keys)
    found = {key: value for key, value in loaded.items() if isinstance(value, ReporterRecord)}
    withheld = await _log_reads(context, found)
    reporters: dict[SourceKey, Loaded[Reporter]] = {}
    for key, value in loaded.items():
        if withheld is not None and key in found:
            reporters[key] = withheld
        elif isinstance(value, ReporterRecord):
            reporters[key] = Reporter(
                name=value.name, nik=value.nik, phone=value.phone, email=value.email
            )
        else:
            reporters[key] = value
    return reporters


async def _log_reads(
    context: GatewayContext, found: dict[SourceKey, ReporterRecord]
) -> GatewayError | None:
    """Write one entry per identity about to be shown; the error to show instead, if any."""
    if not found:
        return None
    entries = [
        entry_for(
            context.principal,
            context.request_id,
            context.now,
            context.node_ids.encode("Complaint", complaint_id),
            source_id,
        )
        for source_id, complaint_id in found
    ]
    try:
        if context.access_log is None:
            raise RuntimeError("no access log is configured")
        await context.access_log.record(entries)
    except Exception:
        logger.exception("reporter access log unavailable; identities withheld")
        return AuditUnavailableError("reporter identity withheld: its read could not be logged")
    return None
