"""The composition root: settings, registry, sources, schema and the HTTP edge."""

import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator, Hashable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gateway.admission.limits import ListSizes
from gateway.audit import AccessLog
from gateway.auth import (
    BearerAuthBackend,
    BearerVerifier,
    DemoOrJwksVerifier,
    JwksVerifier,
    PrincipalUser,
    TokenVerifier,
    unauthenticated,
)
from gateway.disclosure.budget import QueryBudget, build_query_budget
from gateway.errors import ConfigurationError
from gateway.federation.breaker import BreakerState
from gateway.federation.context import GatewayContext
from gateway.federation.deadline import request_deadline
from gateway.federation.fanout import SourceCallObserver, SourceCalls
from gateway.federation.ids import NodeIdCodec
from gateway.federation.loaders import build_loaders
from gateway.federation.owners import OwnerIndex
from gateway.federation.reads import Federation
from gateway.graph import build_schema
from gateway.http.endpoint import EdgeOptions, GraphQLEndpoint
from gateway.http.logs import install_logging
from gateway.http.metrics import Metrics
from gateway.http.persisted import PersistedQueries, read_manifest
from gateway.http.ratelimit import build_rate_limiter
from gateway.http.request_id import RequestIdMiddleware
from gateway.http.tracing import TracingObserver
from gateway.keys import key_source
from gateway.playground.routes import DemoTokens, playground_html, playground_routes
from gateway.policy import row_scope
from gateway.principal import PUBLIC
from gateway.regions import load_regions
from gateway.registry import load_registry
from gateway.settings import GatewaySettings
from gateway.source_tokens import SourceTokenSigner
from gateway.sources.factory import build_source
from gateway.stats_size import BucketEstimator
from gateway.token_cache import VerifiedTokens
from gateway.tokens import DEMO_ISSUER

logger = logging.getLogger("lapor.gateway")


class GatewayContexts:
    """The per-request context every resolver receives, built once execution is to begin."""

    def __init__(
        self,
        federation: Federation,
        settings: GatewaySettings,
        access_log: AccessLog | None,
        node_ids: NodeIdCodec,
        query_budget: QueryBudget | None = None,
        *,
        buckets: BucketEstimator,
    ) -> None:
        self.federation = federation
        self.settings = settings
        self.access_log = access_log
        self.node_ids = node_ids
        self.query_budget = query_budget
        self.buckets = buckets

    def __call__(
        self, request: Request, request_id: str, plans: dict[Hashable, Any]
    ) -> GatewayContext:
        request_deadline.set(time.monotonic() + self.settings.request_deadline_seconds)
        user = request.scope.get("user")
        principal = user.principal if isinstance(user, PrincipalUser) else PUBLIC
        scope = row_scope(principal)
        return GatewayContext(
            principal=principal,
            scope=scope,
            federation=self.federation,
            loaders=build_loaders(self.federation, scope),
            # To the minute, so identical concurrent calls are identical and can be coalesced.
            now=datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0),
            max_page_size=self.settings.max_page_size,
            node_ids=self.node_ids,
            buckets=self.buckets,
            request_id=request_id,
            access_log=self.access_log,
            query_budget=self.query_budget,
            plans=plans,
        )


def build_verifier(settings: GatewaySettings) -> BearerVerifier | None:
    """The edge's token verifier; None only in demo mode without any key (no token accepted).

    Production verifies RS256/ES256 tokens against the JWKS and refuses to start without one;
    demo mode verifies its HS256 tokens (issuer DEMO_ISSUER), and JWKS tokens too if configured.
    """
    if settings.jwt_secret is not None and not settings.demo:
        raise ConfigurationError("HS256 secrets are accepted only in demo mode")
    regions = load_regions()
    keys = key_source(settings)
    jwks = (
        None
        if keys is None
        else JwksVerifier(
            keys=keys,
            algorithms=tuple(settings.jwt_algorithms),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            regions=regions,
            leeway_seconds=settings.jwt_leeway_seconds,
        )
    )
    if not settings.demo:
        if jwks is None:
            raise ConfigurationError(
                "production mode needs jwt_jwks_file or jwt_jwks_url (the token signing keys); "
                'set one, or run with mode = "demo"'
            )
        return jwks
    demo = (
        None
        if settings.jwt_secret is None
        else TokenVerifier(
            key=settings.jwt_secret.get_secret_value(),
            algorithms=("HS256",),
            issuer=DEMO_ISSUER,
            audience=settings.jwt_audience,
            regions=regions,
            leeway_seconds=settings.jwt_leeway_seconds,
        )
    )
    if demo is not None and jwks is not None:
        return DemoOrJwksVerifier(demo=demo, jwks=jwks)
    return demo or jwks


def build_node_ids(settings: GatewaySettings) -> NodeIdCodec:
    """The codec of global node ids, from `node_id_key_file`.

    Production refuses to start without one: ids must stay the same across restarts and
    replicas. Demo mode without one seals with a random key of this process.
    """
    if settings.node_id_key_file is not None:
        return NodeIdCodec.from_file(settings.node_id_key_file)
    if not settings.demo:
        raise ConfigurationError(
            "production mode needs node_id_key_file (the key sealing global node ids; every "
            "replica must share it); make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))' > node-id-key`"
        )
    logger.warning("no node_id_key_file: node ids are sealed with a random key of this process")
    return NodeIdCodec.ephemeral()


def create_app(settings: GatewaySettings, *, demo_tokens: DemoTokens | None = None) -> Starlette:
    """Wire settings, registry, sources, schema and middleware into one ASGI app."""
    verifier = build_verifier(settings)  # first: a production gateway without keys stops here
    node_ids = build_node_ids(settings)
    regions = load_regions()
    registry = load_registry(settings.registry, regions)
    signer = (
        SourceTokenSigner.from_file(
            settings.source_token_key_file, issuer=settings.source_token_issuer
        )
        if settings.source_token_key_file is not None
        else None
    )
    install_logging(settings.log_lines_per_second)
    metrics = Metrics(public=settings.metrics_public) if settings.metrics_enabled else None
    observers: list[SourceCallObserver] = [metrics] if metrics is not None else []
    if settings.tracing_enabled:
        observers.append(TracingObserver())
    calls = SourceCalls(
        (source.id for source in registry.sources),
        failure_threshold=settings.breaker_failures,
        reset_after=settings.breaker_reset_seconds,
        observers=observers,
    )
    if metrics is not None:
        metrics.watch_breakers((source.id for source in registry.sources), calls.state)
    sources = [build_source(config, signer) for config in registry.sources]
    owners = OwnerIndex(settings.owner_index_url) if settings.owner_index_url else None
    federation = Federation(registry, sources, regions, calls, owners)
    access_log = AccessLog(settings.audit_url) if settings.audit_url else None
    buckets = settings.bucket_estimator(regions)
    schema = build_schema(
        settings.query_limits(ListSizes()),
        max_page_size=settings.max_page_size,
        sources=len(registry.sources),
        buckets=buckets,
    )
    limiter = build_rate_limiter(settings.rate_limit_per_minute, settings.redis_url)
    query_budget = build_query_budget(settings.out_of_scope_buckets_per_day, settings.redis_url)
    manifest = settings.persisted_queries_manifest
    graphql = GraphQLEndpoint(
        documents=schema.documents,
        execute=schema.execute,
        context=GatewayContexts(
            federation, settings, access_log, node_ids, query_budget, buckets=buckets
        ),
        options=EdgeOptions(
            max_body_bytes=settings.max_body_bytes,
            allow_get_queries=settings.allow_get_queries,
            max_batch_size=settings.max_batch_size,
            deadline_seconds=settings.request_deadline_seconds,
            suggestions=settings.introspection_enabled,
            explain=settings.mode == "demo" or settings.explain_plans,
        ),
        persisted=PersistedQueries(
            settings.persisted_queries, read_manifest(manifest) if manifest else None
        ),
        limiter=limiter,
        metrics=metrics,
        browser_get=lambda request: playground_page(request),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await federation.open()
        if access_log is not None:
            await access_log.open()
        # Start-up objects (schema, registry, regions) live for the process: keep them out of
        # every later garbage collection.
        gc.freeze()
        try:
            yield
        finally:
            await federation.close()
            if access_log is not None:
                await access_log.close()
            if limiter is not None:
                await limiter.close()
            if query_budget is not None:
                await query_budget.close()

    async def playground_page(request: Request) -> Response:
        """GET /graphql from a browser: GraphiQL (other GETs: see `GraphQLEndpoint`)."""
        return playground_html(request.scope.get("root_path", ""))

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> Response:
        """Ready while any source can be called; each source's circuit state for operators."""
        states = {source.id: calls.state(source.id).value for source in registry.sources}
        ready = any(state != BreakerState.OPEN for state in states.values())
        body = {"status": "ready" if ready else "unavailable", "sources": states}
        return JSONResponse(body, status_code=200 if ready else 503)

    routes = [
        Route("/graphql", graphql.handle, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *([Route("/metrics", metrics.endpoint)] if metrics is not None else []),
        *playground_routes(demo_tokens if settings.demo else None),
    ]
    middleware = [
        # Outermost: every response, a 401 or a 413 included, carries its request id.
        Middleware(RequestIdMiddleware),
        Middleware(GZipMiddleware, minimum_size=1024),
        Middleware(
            AuthenticationMiddleware,
            backend=BearerAuthBackend(
                None if verifier is None else VerifiedTokens(verifier.verify_async)
            ),
            on_error=unauthenticated,
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.federation = federation
    app.state.query_budget = query_budget
    return app
