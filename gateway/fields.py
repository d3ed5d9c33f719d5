"""The complaint's fields, declared once.

Each field of the public `Complaint` type names who may read it (a rule the policy decides),
the complaint columns a selection of it reads (what sources are asked to select), and the
filters and stats dimensions that read it (each is an oracle on the field, so a caller who may
not read the field may not use them). The policy's field checks and the projection pushed to
the sources come from this one table; a test walks the schema's `Complaint` type and its
filter input against it, so a field or a filter added without a declaration fails, and until
declared it is readable and usable by nobody.
"""

from dataclasses import dataclass
from enum import Enum


class FieldRule(Enum):
    """Who may read a complaint field, row scope aside (decided in `gateway.policy`)."""

    EVERYONE = "EVERYONE"
    """Whoever may see the row, the public included."""
    OFFICIALS = "OFFICIALS"
    """Any tier but the public."""
    CONTENT = "CONTENT"
    """Officials; confidential content only inside their row scope."""
    REPORTER = "REPORTER"
    """The reporter's identity: decided per complaint."""


@dataclass(frozen=True, slots=True)
class ComplaintField:
    name: str
    """The GraphQL field of `Complaint`."""
    rule: FieldRule
    columns: tuple[str, ...] = ()
    """Complaint columns it is built from (a relation: the key it is loaded by)."""
    filters: tuple[str, ...] = ()
    """`ComplaintFilter` fields that read it."""
    dimensions: tuple[str, ...] = ()
    """`Dimension` values that group by it (`StatsDimension` in the public schema)."""


_E, _O = FieldRule.EVERYONE, FieldRule.OFFICIALS

COMPLAINT_FIELDS: tuple[ComplaintField, ...] = (
    ComplaintField("id", _E),
    ComplaintField("trackingId", _O, ("tracking_id",)),
    ComplaintField("type", _O, ("type",), ("type",), ("TYPE",)),
    ComplaintField("status", _E, ("status",), ("status",), ("STATUS",)),
    ComplaintField("title", _E, ("title",), ("text",)),
    ComplaintField("body", FieldRule.CONTENT, ("body",), ("text",)),
    ComplaintField("channel", _E, ("channel",), ("channel",), ("CHANNEL",)),
    ComplaintField("incidentDate", _O, ("incident_date",)),
    ComplaintField(
        "submittedAt", _E, ("submitted_at",), ("submittedFrom", "submittedTo"), ("YEAR", "MONTH")
    ),
    ComplaintField("verifiedAt", _E, ("verified_at",)),
    ComplaintField("disposedAt", _E, ("disposed_at",)),
    ComplaintField("inProgressAt", _E, ("in_progress_at",)),
    ComplaintField("respondedAt", _E, ("responded_at",)),
    ComplaintField("finishedAt", _E, ("finished_at",), ("overdue",)),
    ComplaintField("verifyDueAt", _E, ("verify_due_at",)),
    ComplaintField("completionDueAt", _E, ("completion_due_at",), ("overdue",)),
    ComplaintField("region", _E, ("region_code",), ("region",), ("PROVINCE", "REGENCY")),
    ComplaintField("incidentRegion", _O, ("incident_region",), ("incidentRegion",)),
    ComplaintField("isAnonymous", _O, ("is_anonymous",)),
    ComplaintField("isConfidential", _O, ("is_confidential",)),
    ComplaintField("reporter", FieldRule.REPORTER),
    ComplaintField("handlingAgency", _E, ("agency_code",), ("agency", "tier"), ("AGENCY", "TIER")),
    ComplaintField("category", _E, ("category_code",), ("category",), ("CATEGORY",)),
    ComplaintField("statusHistory", _O),
    ComplaintField("dispositions", _O),
    ComplaintField("followUps", _O),
)

FIELDS: dict[str, ComplaintField] = {field.name: field for field in COMPLAINT_FIELDS}


def _readers(attribute: str) -> dict[str, tuple[str, ...]]:
    readers: dict[str, tuple[str, ...]] = {}
    for field in COMPLAINT_FIELDS:
        for name in getattr(field, attribute):
            readers[name] = (*readers.get(name, ()), field.name)
    return readers


FIELDS_READ_BY_FILTER: dict[str, tuple[str, ...]] = _readers("filters")
"""The fields each filter reads; a filter not here reads something undeclared."""
FIELDS_READ_BY_DIMENSION: dict[str, tuple[str, ...]] = _readers("dimensions")
