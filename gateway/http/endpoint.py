"""`/graphql`: GraphQL over HTTP, with every edge check before execution.

In order, cheapest first, and each before any source is called:

1. method (POST; GET for queries only where enabled; GraphiQL for browsers) and `Accept`;
2. the caller's rate (429 with `Retry-After`);
3. `Content-Type` (JSON only: 415 for forms and `text/plain`, the CSRF vectors) and the body
   within its size (413), as JSON in UTF-8 (400);
4. the parameters (400), batching (off by default), persisted queries;
5. the document: parse, limits and validation, once per distinct text (`DocumentCache`);
6. the operation (a mutation never runs over GET) and the variables' coercion;
7. execution, bounded by the request deadline as a whole as well as per source call.

Request errors (steps 4-6) answer 400 to `application/graphql-response+json` and 200 to
`application/json`, with no `data` entry, as the GraphQL-over-HTTP spec asks; once execution
has begun the answer is 200 with `data`. Unexpected failures are masked as
`INTERNAL_SERVER_ERROR` with the request id (also in `X-Request-Id`) that finds them in the
logs.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, OperationType
from graphql.execution.values import get_variable_values
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.graphql import OperationType as StrawberryOperation

from gateway.admission.documents import DocumentCache
from gateway.auth import PrincipalUser
from gateway.federation.context import GatewayContext
from gateway.federation.explain import PLAN_EXTENSION
from gateway.http.body import (
    BAD_REQUEST,
    GraphQLParams,
    decode_json,
    parse_params,
    query_string_params,
    read_body,
)
from gateway.http.errors import HttpError, graphql_response
from gateway.http.logs import REQUEST_LOGGER
from gateway.http.metrics import Metrics
from gateway.http.negotiation import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    is_acceptable_body,
    response_media_type,
)
from gateway.http.persisted import PersistedQueries
from gateway.http.ratelimit import RATE_LIMITED, RateLimiter, rate_key
from gateway.http.request_id import request_id_of
from gateway.principal import PUBLIC, Principal

logger = logging.getLogger(REQUEST_LOGGER)
failures = logging.getLogger("lapor.errors")

ContextFactory = Callable[[Request, str, dict[Hashable, Any]], GatewayContext]
Execute = Callable[..., Awaitable[Any]]
EXECUTION_GRACE_SECONDS = 0.5
"""Beyond the request deadline, time for the sources' own timeouts to come back as partial
results before the whole execution is abandoned."""


@dataclass(frozen=True, slots=True)
class EdgeOptions:
    max_body_bytes: int
    allow_get_queries: bool
    max_batch_size: int
    deadline_seconds: float
    suggestions: bool
    explain: bool = False
    """Answer `"extensions": {"plan": true}` with the request's plan (demo mode)."""


@dataclass(slots=True)
class Outcome:
    """What the request log line and the metrics say about one request."""

    principal: Principal = PUBLIC
    operation: str | None = None
    validated: bool = False
    codes: list[str] = field(default_factory=list)
    cost: int = 0
    execution_ms: float | None = None


class GraphQLEndpoint:
    """The `/graphql` route (GET and POST)."""

    def __init__(
        self,
        *,
        documents: DocumentCache,
        execute: Execute,
        context: ContextFactory,
        options: EdgeOptions,
        persisted: PersistedQueries,
        limiter: RateLimiter | None = None,
        metrics: Metrics | None = None,
        browser_get: Callable[[Request], Awaitable[Response]] | None = None,
    ) -> None:
        self.documents = documents
        self.execute = execute
        self.context = context
        self.options = options
        self.persisted = persisted
        self.limiter = limiter
        self.metrics = metrics
        self.browser_get = browser_get

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = request_id_of(request.scope)
        outcome = Outcome()
        user = request.scope.get("user")
        outcome.principal = user.principal if isinstance(user, PrincipalUser) else PUBLIC
        media_type = JSON
        try:
            media_type = self._media_type(request)
            response = await self._handle(request, request_id, media_type, outcome)
        except HttpError as error:
            outcome.codes.append(error.code)
            response = error.response(media_type, request_id)
        except Exception:
            failures.exception(
                "unexpected error at the edge",
                extra={"request_id": request_id, "code": "INTERNAL_SERVER_ERROR"},
            )
            outcome.codes.append("INTERNAL_SERVER_ERROR")
            response = HttpError(500, "INTERNAL_SERVER_ERROR", "Internal server error").response(
                media_type, request_id
            )
        self._record(request_id, outcome, response.status_code, time.perf_counter() - started)
        return response

    def _media_type(self, request: Request) -> str:
        accept = request.headers.get("accept")
        if request.method == "GET" and not self._get_executes(request):
            return JSON
        chosen = response_media_type(accept)
        if chosen is None:
            raise HttpError(
                406,
                "NOT_ACCEPTABLE",
                f"accept {GRAPHQL_RESPONSE_JSON} or {JSON}",
            )
        return chosen

    def _get_executes(self, request: Request) -> bool:
        return self.options.allow_get_queries and (
            "query" in request.query_params or "extensions" in request.query_params
        )

    async def _handle(
        self, request: Request, request_id: str, media_type: str, outcome: Outcome
    ) -> Response:
        if request.method == "GET" and not self._get_executes(request):
            return await self._get_without_query(request)
        await self._check_rate(request, outcome.principal)
        if request.method == "GET":
            params: GraphQLParams | list[object] = query_string_params(request.query_params)
        else:
            if not is_acceptable_body(request.headers.get("content-type")):
                raise HttpError(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    f"send the request as {JSON} (UTF-8)",
                )
            data = decode_json(await read_body(request, self.options.max_body_bytes))
            params = data if isinstance(data, list) else parse_params(data)
        if isinstance(params, list):
            return await self._batch(request, request_id, params, outcome)
        body, status = await self._single(request, request_id, params, media_type, outcome)
        return graphql_response(body, status, media_type)

    async def _get_without_query(self, request: Request) -> Response:
        if self.browser_get is not None and "text/html" in request.headers.get("accept", ""):
            return await self.browser_get(request)
        if self.options.allow_get_queries:
            raise HttpError(400, BAD_REQUEST, "the request has no `query`")
        raise HttpError(405, "METHOD_NOT_ALLOWED", "send queries with POST", {"Allow": "POST"})

    async def _check_rate(self, request: Request, principal: Principal) -> None:
        if self.limiter is None:
            return
        client = request.client.host if request.client else None
        retry_after = await self.limiter.hit(rate_key(principal, client))
        if retry_after is not None:
            raise HttpError(
                429,
                RATE_LIMITED,
                "too many requests; retry later",
                {"Retry-After": str(int(retry_after))},
            )

    async def _batch(
        self, request: Request, request_id: str, items: list[object], outcome: Outcome
    ) -> Response:
        if self.options.max_batch_size == 0:
            raise HttpError(400, "BATCHING_DISABLED", "send one operation per request")
        if not items or len(items) > self.options.max_batch_size:
            raise HttpError(
                400,
                "BATCH_TOO_LARGE",
                f"a batch holds 1 to {self.options.max_batch_size} operations",
            )
        bodies = []
        for item in items:
            try:
                body, _ = await self._single(request, request_id, parse_params(item), JSON, outcome)
            except HttpError as error:
                outcome.codes.append(error.code)
                body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
            bodies.append(body)
        # A batch mixes outcomes: its status is 200 and each item carries its own errors.
        return graphql_response(bodies, 200, JSON)

    async def _single(
        self,
        request: Request,
        request_id: str,
        params: GraphQLParams,
        media_type: str,
        outcome: Outcome,
    ) -> tuple[dict[str, Any], int]:
        resolved = self.persisted.resolve(params)
        prepared = self.documents.prepare(resolved.query)
        if request.method == "GET":
            # Before validation: whatever else is wrong, a mutation over GET is a 405.
            chosen = prepared.operation(params.operation_name)
            if chosen is not None and chosen.operation is not OperationType.QUERY:
                raise HttpError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    "only queries may be sent with GET",
                    {"Allow": "POST"},
                )
        if not prepared.valid:
            return self._request_errors(list(prepared.errors), media_type, outcome)
        self.persisted.remember(resolved)
        operation = prepared.operation(params.operation_name)
        if operation is None:
            message = (
                f"unknown operation {params.operation_name!r}"
                if params.operation_name
                else "the document has several operations: name one with `operationName`"
            )
            error = GraphQLError(message, extensions={"code": BAD_REQUEST})
            return self._request_errors([error], media_type, outcome)
        outcome.validated = True
        outcome.operation = operation.name.value if operation.name else None
        outcome.cost = prepared.cost
        if operation.variable_definitions:
            assert self.documents.schema is not None
            coerced = get_variable_values(
                self.documents.schema,
                operation.variable_definitions,
                params.variables or {},
                max_errors=10,
                hide_suggestions=not self.options.suggestions,
            )
            if isinstance(coerced, list):
                for error in coerced:
                    error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
                return self._request_errors(coerced, media_type, outcome)
        executed = await self._execute(
            request, request_id, resolved.query, params, outcome, prepared.plans
        )
        return executed, 200

    def _request_errors(
        self, errors: list[GraphQLError], media_type: str, outcome: Outcome
    ) -> tuple[dict[str, Any], int]:
        formatted = [_formatted(error) for error in errors]
        outcome.codes.extend(str(e.get("extensions", {}).get("code", "")) for e in formatted)
        return {"errors": formatted}, 400 if media_type == GRAPHQL_RESPONSE_JSON else 200

    async def _execute(
        self,
        request: Request,
        request_id: str,
        query: str,
        params: GraphQLParams,
        outcome: Outcome,
        plans: dict[Hashable, Any],
    ) -> dict[str, Any]:
        context = self.context(request, request_id, plans)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.options.deadline_seconds + EXECUTION_GRACE_SECONDS):
                result = await self.execute(
                    query,
                    variable_values=params.variables,
                    context_value=context,
                    operation_name=params.operation_name,
                    allowed_operation_types=(StrawberryOperation.QUERY,),
                )
        except TimeoutError:
            raise HttpError(
                504, "REQUEST_TIMEOUT", "the request did not finish within its deadline"
            ) from None
        finally:
            outcome.execution_ms = round((time.perf_counter() - started) * 1000, 3)
        body: dict[str, Any] = {"data": result.data}
        if self.options.explain and (params.extensions or {}).get(PLAN_EXTENSION) is True:
            body["extensions"] = {PLAN_EXTENSION: [step.as_json() for step in context.plan]}
        if result.errors:
            body["errors"] = [_formatted(error) for error in result.errors]
            outcome.codes.extend(
                str(e.get("extensions", {}).get("code", "")) for e in body["errors"]
            )
        return body

    def _record(self, request_id: str, outcome: Outcome, status: int, seconds: float) -> None:
        codes = list(dict.fromkeys(code for code in outcome.codes if code))
        code = codes[0] if codes else "OK"
        if self.metrics is not None:
            label = self.metrics.operation_label(outcome.operation, outcome.validated)
            self.metrics.request(label, code, seconds)
        principal = outcome.principal
        logger.info(
            "request",
            extra={
                "request_id": request_id,
                "operation": outcome.operation if outcome.validated else None,
                "principal": principal.subject or "public",
                "tier": principal.tier.value,
                "status": status,
                "code": code,
                "codes": codes or None,
                "cost": outcome.cost or None,
                "duration_ms": round(seconds * 1000, 3),
                "execution_ms": outcome.execution_ms,
            },
        )


def _formatted(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = formatted.get("extensions") or {}
    if "code" not in extensions:
        formatted["extensions"] = {**extensions, "code": "GRAPHQL_VALIDATION_FAILED"}
    return formatted
