"""Building complaints in bulk: each relation a selection asks for is loaded once for the whole
list (one batch per source through the request's loaders), then attached as a plain value.

Two rounds at most: the complaint's children (history, dispositions, follow-ups), category and
cleared reporters first, then every agency any of them names, in one batch per owning source.
What the policy withholds is never loaded, and masked here whatever a source returned.
"""

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.types.base import get_object_definition
from strawberry.types.nodes import Selection
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import GatewayError
from gateway.federation.context import GatewayContext
from gateway.federation.facts import facts_of
from gateway.federation.ids import NodeIdCodec
from gateway.federation.merge import SourcedComplaint
from gateway.policy import can_read_body, can_read_field
from gateway.principal import Principal
from gateway.sources.records import (
    AgencyRecord,
    CategoryRecord,
    DispositionRecord,
    FollowUpRecord,
    StatusEventRecord,
)
from resolvers.loading import SourceKey, load_all, load_if
from resolvers.projection import children, field_names
from resolvers.reporters import load_reporters
from schema.complaints.types import (
    Agency,
    Category,
    Complaint,
    Disposition,
    FollowUp,
    Loaded,
    Reporter,
    StatusEvent,
)
from schema.enums import ComplaintStatus

PLAIN_FIELDS: dict[str, str] = {
    field.graphql_name or to_camel_case(field.python_name): field.python_name
    for field in get_object_definition(Complaint, strict=True).fields
    if field.base_resolver is None
}
"""Complaint's fields read straight from the record (GraphQL name: attribute). Those the policy
does not let the caller read, or that have no rule, are masked to null on every complaint."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """The relations a selection of complaint fields needs (and the caller may read)."""

    agency: bool = False
    category: bool = False
    history: bool = False
    history_agency: bool = False
    dispositions: bool = False
    disposition_agencies: bool = False
    follow_ups: bool = False
    follow_up_agency: bool = False
    reporter: bool = False

    @classmethod
    def from_selections(cls, selections: Sequence[Selection], principal: Principal) -> "Wanted":
        names = {name for name in field_names(selections) if can_read_field(principal, name)}

        def nested(relation: str, *agency_fields: str) -> bool:
            inner = field_names(children(selections, relation)) if relation in names else set()
            return bool(inner & set(agency_fields))

        return cls(
            agency="handlingAgency" in names,
            category="category" in names,
            history="statusHistory" in names,
            history_agency=nested("statusHistory", "actorAgency"),
            dispositions="dispositions" in names,
            disposition_agencies=nested("dispositions", "fromAgency", "toAgency"),
            follow_ups="followUps" in names,
            follow_up_agency=nested("followUps", "agency"),
            reporter="reporter" in names,
        )

    @property
    def nested_agencies(self) -> bool:
        return self.history_agency or self.disposition_agencies or self.follow_up_agency

    @property
    def names(self) -> tuple[str, ...]:
        """The relations loaded, by their flag's name (for the plan)."""
        return tuple(name for name in self.__dataclass_fields__ if getattr(self, name))


def withheld(selections: Sequence[Selection], principal: Principal) -> tuple[str, ...]:
    """Selected complaint fields this caller may not read (null on every complaint)."""
    names = (name for name in field_names(selections) if not name.startswith("__"))
    return tuple(sorted(name for name in names if not can_read_field(principal, name)))


@dataclass(frozen=True)
class _Relations:
    history: dict[Any, Any]
    dispositions: dict[Any, Any]
    follow_ups: dict[Any, Any]
    categories: dict[Any, Any]
    reporters: dict[SourceKey, Loaded[Reporter]]


async def assemble_complaints(
    context: GatewayContext, rows: Sequence[SourcedComplaint], wanted: Wanted
) -> list[Complaint]:
    loaders = context.loaders
    keys = [(row.source_id, row.record.id) for row in rows]
    agencies_first = wanted.agency and not wanted.nested_agencies
    history, dispositions, follow_ups, categories, agencies, reporters = await asyncio.gather(
        load_if(wanted.history, loaders.status_events_by_complaint, keys),
        load_if(wanted.dispositions, loaders.dispositions_by_complaint, keys),
        load_if(wanted.follow_ups, loaders.follow_ups_by_complaint, keys),
        load_if(wanted.category, loaders.category_by_code, _category_keys(rows)),
        load_if(agencies_first, loaders.agency_by_code, _agency_codes(rows)),
        load_reporters(context, rows) if wanted.reporter else _no_reporters(),
    )
    if wanted.nested_agencies:
        codes = _nested_agency_codes(wanted, history, dispositions, follow_ups)
        if wanted.agency:
            codes += _agency_codes(rows)
        agencies = await load_all(loaders.agency_by_code, codes)
    relations = _Relations(history, dispositions, follow_ups, categories, reporters)
    build = _Builder(agencies, context.principal, wanted, context.node_ids)
    return [build.complaint(row, relations) for row in rows]


async def _no_reporters() -> dict[SourceKey, Loaded[Reporter]]:
    return {}


def _category_keys(rows: Sequence[SourcedComplaint]) -> list[tuple[str, str]]:
    return [(row.source_id, row.record.category_code) for row in rows if row.record.category_code]


def _agency_codes(rows: Sequence[SourcedComplaint]) -> list[str]:
    return [row.record.agency_code for row in rows if row.record.agency_code]


def _nested_agency_codes(
    wanted: Wanted,
    history: dict[Any, Any],
    dispositions: dict[Any, Any],
    follow_ups: dict[Any, Any],
) -> list[str]:
    codes: list[str] = []
    for events in _lists(history) if wanted.history_agency else ():
        codes += [event.actor_agency for event in events if event.actor_agency]
    for hops in _lists(dispositions) if wanted.disposition_agencies else ():
        codes += [code for hop in hops for code in (hop.from_agency, hop.to_agency)]
    for notes in _lists(follow_ups) if wanted.follow_up_agency else ():
        codes += [note.agency_code for note in notes]
    return codes


def _lists(loaded: dict[Any, Any]) -> Iterable[list[Any]]:
    return (value for value in loaded.values() if isinstance(value, list))


class _Builder:
    """Maps records to schema objects, masking what the policy withholds; one Agency object
    per code for the whole response."""

    def __init__(
        self,
        agencies: Mapping[str, AgencyRecord | GatewayError | None],
        principal: Principal,
        wanted: Wanted,
        node_ids: NodeIdCodec,
    ) -> None:
        self._records = agencies
        self._node_ids = node_ids
        self._agencies: dict[str, Loaded[Agency]] = {}
        self._principal = principal
        self._wanted = wanted
        self._masked = [
            attr for name, attr in PLAIN_FIELDS.items() if not can_read_field(principal, name)
        ]

    def agency(self, code: str | None) -> Loaded[Agency]:
        if code is None:
            return None
        if code not in self._agencies:
            record = self._records.get(code)
            self._agencies[code] = (
                Agency.from_record(record) if isinstance(record, AgencyRecord) else record
            )
        return self._agencies[code]

    def complaint(self, row: SourcedComplaint, relations: _Relations) -> Complaint:
        record, wanted = row.record, self._wanted
        key = (row.source_id, record.id)
        complaint = Complaint.from_record(record, self._node_ids)
        for attribute in self._masked:
            setattr(complaint, attribute, None)
        if not can_read_body(self._principal, facts_of(record)):
            complaint.body = None
        if wanted.agency:
            complaint.handling_agency = self.agency(record.agency_code)
        if wanted.category:
            category = relations.categories.get((row.source_id, record.category_code))
            complaint.category = (
                Category.from_record(category) if isinstance(category, CategoryRecord) else category
            )
        if wanted.history:
            complaint.status_history = _map(relations.history.get(key), self._event)
        if wanted.dispositions:
            complaint.dispositions = _map(relations.dispositions.get(key), self._hop)
        if wanted.follow_ups:
            complaint.follow_ups = _map(relations.follow_ups.get(key), self._follow_up)
        if wanted.reporter:
            complaint.reporter = relations.reporters.get(key)
        return complaint

    def _event(self, record: StatusEventRecord) -> StatusEvent:
        return StatusEvent(
            from_status=ComplaintStatus(record.from_status) if record.from_status else None,
            to_status=ComplaintStatus(record.to_status),
            at=record.at,
            note=record.note,
            actor_agency=self.agency(record.actor_agency),
        )

    def _hop(self, record: DispositionRecord) -> Disposition:
        return Disposition(
            at=record.at,
            reason=record.reason,
            from_agency=self.agency(record.from_agency),
            to_agency=self.agency(record.to_agency),
        )

    def _follow_up(self, record: FollowUpRecord) -> FollowUp:
        return FollowUp(at=record.at, body=record.body, agency=self.agency(record.agency_code))


def _map(loaded: Any, build: Any) -> Any:
    if loaded is None or isinstance(loaded, GatewayError):
        return loaded
    return [build(record) for record in loaded]
