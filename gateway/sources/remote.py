"""RemoteSource: a complaint source reached over HTTP, speaking the source contract.

Each `Source` method is one GraphQL document (module constants below) POSTed to the source
service's endpoint with a fresh per-call scope token (`gateway.source_tokens`): the row scope
travels signed in the token, never as an argument, and the service enforces it itself.
Answers become frozen records right here (`gateway.sources.contract`), strictly checked.

Failures are coded, never carrying the remote's text: connection refused or reset →
SOURCE_UNAVAILABLE; an HTTP timeout → SOURCE_TIMEOUT; HTTP errors (5xx, a refused token)
and GraphQL errors → SOURCE_ERROR (or the service's own SOURCE_TIMEOUT/SOURCE_UNAVAILABLE);
a body that is not the contract's shape (a compressed one included: the gateway asks for
`identity`) → SOURCE_BAD_RESPONSE; a body larger than `max_response_bytes` →
SOURCE_TOO_LARGE, read no further than the cap.
"""

import logging
from collections.abc import Sequence
from typing import Any, TypeVar

import httpx
import orjson

from gateway.errors import (
    SourceBadResponseError,
    SourceError,
    SourceTimeoutError,
    SourceTooLargeError,
    SourceUnavailableError,
)
from gateway.policy import RowScope
from gateway.registry import SourceConfig
from gateway.source_tokens import SourceTokenSigner
from gateway.sources.base import ComplaintCriteria, Dimension, PageRequest
from gateway.sources.changes import ChangeOutcome, ChangeResult, ComplaintChange
from gateway.sources.contract import (
    WireError,
    camel,
    change_variables,
    columns_to_wire,
    criteria_variables,
    decode_count,
    decode_outcome,
    decode_records,
    decode_stats,
    keyset_variables,
)
from gateway.sources.records import (
    AgencyRecord,
    CategoryRecord,
    ComplaintRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
    StatsRow,
    StatusEventRecord,
)

logger = logging.getLogger("lapor.sources")

R = TypeVar("R")

_ALWAYS = ("id", "submittedAt")
_OPTIONAL = tuple(camel(name) for name in ComplaintRecord._fields if camel(name) not in _ALWAYS)
_FLAGS = ", ".join(f"$with_{name}: Boolean! = false" for name in _OPTIONAL)
_COMPLAINT = (
    "fragment ComplaintFields on Complaint {\n  id submittedAt\n"
    + "".join(f"  {name} @include(if: $with_{name})\n" for name in _OPTIONAL)
    + "}\n"
)
"""Complaint fields travel only when asked: each column has an `@include` flag, so neither
the SQL nor the JSON nor GraphQL execution spends anything on a column no one wants."""

PAGE = (
    f"""
query Page($criteria: Criteria!, $order: SortOrder!, $limit: Int!, $after: Keyset,
           $columns: [String!], {_FLAGS}) {{
  page(criteria: $criteria, order: $order, limit: $limit, after: $after, columns: $columns) {{
    ...ComplaintFields
  }}
}}
"""
    + _COMPLAINT
)
COUNT = "query Count($criteria: Criteria!) { count(criteria: $criteria) }"
STATS = """
query Stats($criteria: Criteria!, $dimensions: [Dimension!]!) {
  stats(criteria: $criteria, dimensions: $dimensions) {
    province regency agency tier category type channel status year month
    count verified resolved overdue part countKey verifiedKey resolvedKey overdueKey
  }
}
"""
COMPLAINTS = (
    f"""
query Complaints($ids: [String!]!, $columns: [String!], {_FLAGS}) {{
  complaints(ids: $ids, columns: $columns) {{ ...ComplaintFields }}
}}
"""
    + _COMPLAINT
)
AGENCIES = """
query Agencies($codes: [String!]!) { agencies(codes: $codes) { code name tier kind regionCode } }
"""
CATEGORIES = "query Categories($codes: [String!]!) { categories(codes: $codes) { code name } }"
STATUS_EVENTS = """
query StatusEvents($ids: [String!]!) {
  statusEvents(complaintIds: $ids) { complaintId fromStatus toStatus at actorAgency note }
}
"""
DISPOSITIONS = """
query Dispositions($ids: [String!]!) {
  dispositions(complaintIds: $ids) { complaintId fromAgency toAgency at reason }
}
"""
FOLLOW_UPS = """
query FollowUps($ids: [String!]!) {
  followUps(complaintIds: $ids) { complaintId agencyCode at body }
}
"""
REPORTERS = """
query Reporters($ids: [String!]!) {
  reporters(complaintIds: $ids) { complaintId name nik phone email }
}
"""

APPLY_CHANGE = """
mutation ApplyChange($change: ChangeInput!) {
  applyChange(change: $change) { result version status }
}
"""

_UNAVAILABLE = (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
_REMOTE_CODES: dict[str, type[SourceError]] = {
    "SOURCE_TIMEOUT": SourceTimeoutError,
    "SOURCE_UNAVAILABLE": SourceUnavailableError,
}
_CHUNK = 64 * 1024


class RemoteSource:
    """A source service behind `config.url`; one pooled HTTP client, opened with the app."""

    def __init__(self, config: SourceConfig, signer: SourceTokenSigner) -> None:
        self.config = config
        self.signer = signer
        self._client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        """Create the connection pool (connections open lazily, on the first call)."""
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.timeout, connect=self.config.connect_timeout),
                limits=httpx.Limits(
                    max_connections=2 * self.config.pool_size,
                    max_keepalive_connections=self.config.pool_size,
                ),
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment sees the scope tokens
            )

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def fetch_page(self, request: PageRequest) -> list[ComplaintRecord]:
        variables = {
            "criteria": criteria_variables(request.criteria),
            "order": request.order.value,
            "limit": request.limit,
            "after": keyset_variables(request.after),
            **_projection(request.columns),
        }
        data = await self._query(PAGE, variables, request.criteria.scope)
        return self._decode(ComplaintRecord, data, "page")

    async def count(self, criteria: ComplaintCriteria) -> int:
        data = await self._query(COUNT, {"criteria": criteria_variables(criteria)}, criteria.scope)
        try:
            return decode_count(data.get("count"))
        except WireError as error:
            raise self._bad_response(error) from None

    async def fetch_stats(
        self,
        criteria: ComplaintCriteria,
        dimensions: Sequence[Dimension],
        split: RowScope | None = None,
    ) -> list[StatsRow]:
        variables = {
            "criteria": criteria_variables(criteria),
            "dimensions": [dimension.value for dimension in dimensions],
        }
        data = await self._query(STATS, variables, criteria.scope, split, operation="stats")
        try:
            return decode_stats(data.get("stats"), dimensions)
        except WireError as error:
            raise self._bad_response(error) from None

    async def fetch_complaints(
        self, ids: Sequence[str], scope: RowScope, columns: frozenset[str]
    ) -> list[ComplaintRecord]:
        variables = {"ids": list(ids), **_projection(columns)}
        data = await self._query(COMPLAINTS, variables, scope)
        return self._decode(ComplaintRecord, data, "complaints")

    async def apply_change(self, change: ComplaintChange, scope: RowScope) -> ChangeOutcome:
        if scope.published_only:  # the public's scope writes nothing: not even a call
            return ChangeOutcome(ChangeResult.NOT_FOUND)
        variables = {"change": change_variables(change)}
        data = await self._query(APPLY_CHANGE, variables, scope, operation="write")
        try:
            return decode_outcome(data.get("applyChange"))
        except WireError as error:
            raise self._bad_response(error) from None

    async def fetch_agencies(self, codes: Sequence[str]) -> list[AgencyRecord]:
        data = await self._query(AGENCIES, {"codes": list(codes)}, _REFERENCE_SCOPE)
        return self._decode(AgencyRecord, data, "agencies")

    async def fetch_categories(self, codes: Sequence[str]) -> list[CategoryRecord]:
        data = await self._query(CATEGORIES, {"codes": list(codes)}, _REFERENCE_SCOPE)
        return self._decode(CategoryRecord, data, "categories")

    async def fetch_status_events(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[StatusEventRecord]:
        data = await self._query(STATUS_EVENTS, {"ids": list(complaint_ids)}, scope)
        return self._decode(StatusEventRecord, data, "statusEvents")

    async def fetch_dispositions(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[DispositionRecord]:
        data = await self._query(DISPOSITIONS, {"ids": list(complaint_ids)}, scope)
        return self._decode(DispositionRecord, data, "dispositions")

    async def fetch_reporters(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[ReporterRecord]:
        data = await self._query(REPORTERS, {"ids": list(complaint_ids)}, scope)
        return self._decode(ReporterRecord, data, "reporters")

    async def fetch_follow_ups(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[FollowUpRecord]:
        data = await self._query(FOLLOW_UPS, {"ids": list(complaint_ids)}, scope)
        return self._decode(FollowUpRecord, data, "followUps")

    # --- HTTP -------------------------------------------------------------------------------

    async def _query(
        self,
        document: str,
        variables: dict[str, Any],
        scope: RowScope,
        split: RowScope | None = None,
        operation: str = "rows",
    ) -> dict[str, Any]:
        """POST one document; the `data` object of a successful answer."""
        if self._client is None:
            await self.open()
        assert self._client is not None
        token = self.signer.sign(self.config.id, scope, split, operation)
        body = orjson.dumps({"query": document, "variables": variables})
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            # Bodies travel as they are: a compressed one would inflate past the cap (a 64 KB
            # gzip answer is 64 MiB) before a single byte of it was counted.
            "Accept-Encoding": "identity",
        }
        try:
            async with self._client.stream(
                "POST", self.config.url, content=body, headers=headers
            ) as response:
                self._check_status(response)
                payload = await self._read_capped(response)
        except httpx.TimeoutException:
            raise SourceTimeoutError("source timed out", source=self.config.id) from None
        except _UNAVAILABLE:
            logger.warning("source %s unreachable at %s", self.config.id, self.config.url)
            raise SourceUnavailableError("source unavailable", source=self.config.id) from None
        except httpx.HTTPError as error:
            logger.warning("source %s: HTTP failure (%s)", self.config.id, type(error).__name__)
            raise SourceError("source failed", source=self.config.id) from None
        return self._data(payload)

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 200:
            return
        if status in (401, 403):
            logger.error(
                "source %s refused the gateway's scope token (HTTP %d)", self.config.id, status
            )
        else:
            logger.warning("source %s answered HTTP %d", self.config.id, status)
        raise SourceError("source failed", source=self.config.id)

    async def _read_capped(self, response: httpx.Response) -> bytes:
        """The body, abandoned as soon as it passes the cap (announced or streamed)."""
        cap = self.config.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise self._too_large()
        body = bytearray()
        async for chunk in response.aiter_raw(_CHUNK):  # as sent: never inflated here
            body += chunk
            if len(body) > cap:
                raise self._too_large()
        return bytes(body)

    def _too_large(self) -> SourceTooLargeError:
        limit = self.config.max_response_bytes
        logger.warning("source %s: answer larger than %d bytes", self.config.id, limit)
        return SourceTooLargeError("source answer too large", source=self.config.id)

    def _data(self, payload: bytes) -> dict[str, Any]:
        try:
            document = orjson.loads(payload)
        except orjson.JSONDecodeError:
            raise self._bad_response(WireError("not JSON")) from None
        if not isinstance(document, dict):
            raise self._bad_response(WireError("not a JSON object"))
        errors = document.get("errors")
        if errors:
            raise self._remote_error(errors)
        data = document.get("data")
        if not isinstance(data, dict):
            raise self._bad_response(WireError("no `data` object"))
        return data

    def _remote_error(self, errors: object) -> SourceError:
        """The service's own code when it is one the gateway knows; its text stays out."""
        first = errors[0] if isinstance(errors, list) and errors else None
        extensions = first.get("extensions") if isinstance(first, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        logger.warning("source %s answered a GraphQL error (%s)", self.config.id, code)
        kind = _REMOTE_CODES.get(code, SourceError) if isinstance(code, str) else SourceError
        return kind("source failed", source=self.config.id)

    def _decode(self, record: type[R], data: dict[str, Any], field: str) -> list[R]:
        try:
            return decode_records(record, data.get(field))
        except WireError as error:
            raise self._bad_response(error) from None

    def _bad_response(self, error: WireError) -> SourceBadResponseError:
        logger.warning("source %s: answer not in the contract's shape (%s)", self.config.id, error)
        return SourceBadResponseError("source answered badly", source=self.config.id)


def _projection(columns: frozenset[str]) -> dict[str, object]:
    """`columns` for the source's SQL, and the `@include` flags of the same columns."""
    wire = columns_to_wire(columns)
    return {"columns": wire, **{f"with_{name}": True for name in wire if name not in _ALWAYS}}


_REFERENCE_SCOPE = RowScope(region="", published_only=True)
"""Agencies and categories are reference data, not complaint rows: their calls carry the
narrowest scope, so such a token opens no complaint at all."""
