"""Projection: the complaint columns a selection needs, so sources select only those."""

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

# GraphQL field -> complaint columns; relations need the key they load by.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "trackingId": ("tracking_id",),
    "type": ("type",),
    "status": ("status",),
    "title": ("title",),
    "body": ("body",),
    "channel": ("channel",),
    "incidentDate": ("incident_date",),
    "verifiedAt": ("verified_at",),
    "disposedAt": ("disposed_at",),
    "inProgressAt": ("in_progress_at",),
    "respondedAt": ("responded_at",),
    "finishedAt": ("finished_at",),
    "verifyDueAt": ("verify_due_at",),
    "completionDueAt": ("completion_due_at",),
    "region": ("region_code",),
    "incidentRegion": ("incident_region",),
    "isAnonymous": ("is_anonymous",),
    "isConfidential": ("is_confidential",),
    "handlingAgency": ("agency_code",),
    "category": ("category_code",),
}


def field_names(selections: Iterable[Selection]) -> set[str]:
    """Names of the fields selected at this level, through fragments of any depth."""
    names: set[str] = set()
    for selection in selections:
        if isinstance(selection, SelectedField):
            names.add(selection.name)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            names |= field_names(selection.selections)
    return names


def children(selections: Iterable[Selection], name: str) -> list[Selection]:
    """The selections under every occurrence of field `name` (aliases and fragments merged)."""
    found: list[Selection] = []
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                found += selection.selections
        elif isinstance(selection, FragmentSpread | InlineFragment):
            found += children(selection.selections, name)
    return found


def complaint_columns(selections: Iterable[Selection]) -> frozenset[str]:
    return frozenset(
        column for name in field_names(selections) for column in _COLUMNS.get(name, ())
    )
