"""The source service: one SQL database behind the source contract, for the gateway only.

`lapor-gateway source serve --config FILE` runs this app so that a province or regency can
host its own complaints. All data access is `SqlSource` (the very code the gateway runs
in-process), so a remote source answers exactly like an embedded one. Routes:

- `POST /graphql`: the contract; a bearer scope token signed by the gateway is checked before
  the body is read (401 otherwise), and its scope is the only one applied;
- `GET /healthz`: `ok` (no data), for orchestration.

Introspection stays on: the service is internal, and its callers hold the gateway's key.
"""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.authentication import AuthenticationError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http.temporal_response import TemporalResponse

from gateway.service.auth import ScopeTokenVerifier
from gateway.service.schema import ServiceContext, build_contract_schema
from gateway.service.settings import ServiceSettings
from gateway.source_tokens import ScopeClaim
from gateway.sources.sql import SqlSource

CLAIM_KEY = "lapor.scope_claim"
"""Where the verified claim waits in the ASGI scope for the GraphQL context."""


class ContractGraphQL(GraphQL[ServiceContext, None]):
    """Strawberry over ASGI; the context holds the source and the verified token claim."""

    def __init__(self, source: SqlSource, settings: ServiceSettings) -> None:
        super().__init__(build_contract_schema(), graphql_ide=None, allow_queries_via_get=False)
        self.source = source
        self.settings = settings

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def get_context(
        self, request: Request | Any, response: TemporalResponse | Any
    ) -> ServiceContext:
        claim = request.scope.get(CLAIM_KEY)
        if not isinstance(claim, ScopeClaim):  # unreachable behind TokenGate; fail closed
            raise PermissionError("no verified scope token")
        return ServiceContext(source=self.source, claim=claim, settings=self.settings)


class TokenGate:
    """ASGI wrapper: verify the bearer token, then hand the request on with its claim."""

    def __init__(self, verifier: ScopeTokenVerifier, app: ContractGraphQL) -> None:
        self.verifier = verifier
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scheme, _, token = Request(scope).headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthenticationError("expected `Authorization: Bearer <token>`")
            claim = await self.verifier.verify(token.strip())
        except AuthenticationError as error:
            await _unauthenticated(str(error))(scope, receive, send)
            return
        await self.app({**scope, CLAIM_KEY: claim}, receive, send)


def _unauthenticated(message: str) -> Response:
    body = {"errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}]}
    return Response(
        orjson.dumps(body),
        status_code=401,
        media_type="application/json",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def create_service_app(
    settings: ServiceSettings, *, verifier: ScopeTokenVerifier | None = None
) -> Starlette:
    """The service app over `settings.url`; the verifier defaults to the configured key."""
    source = SqlSource(settings.source_config())
    gate = TokenGate(
        verifier or ScopeTokenVerifier.from_settings(settings), ContractGraphQL(source, settings)
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await source.open()
        try:
            yield
        finally:
            await source.close()

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    routes = [Route("/graphql", gate, methods=["POST"]), Route("/healthz", healthz)]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.source = source
    return app
