"""Prometheus metrics: requests by operation and code, source calls by source, breakers.

Each app has its own registry (tests build many apps in one process). Operation names are
client-chosen text, so only names of documents that validated are used as labels, and at most
`MAX_OPERATION_LABELS` of them; the rest count as `other`. The counters show which sources
every caller's requests reached (a public lookup of an id it may not see still asks the owning
source), so only a client on the loopback address is answered unless `metrics_public`.
"""

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.federation.breaker import BreakerState
from gateway.http.observed import failure_code

MAX_OPERATION_LABELS = 200
LOOPBACK_CLIENTS = frozenset({"127.0.0.1", "::1"})
FORBIDDEN_MESSAGE = "/metrics answers only the loopback address (set metrics_public to open it)"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class BreakerCollector(Collector):
    """Each source's circuit state, read at scrape time (1 for the current state)."""

    def __init__(self, sources: Iterable[str], state: Callable[[str], BreakerState]) -> None:
        self.sources = list(sources)
        self.state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "lapor_source_breaker_state",
            "Circuit breaker state per source (1 = the current state).",
            labels=["source", "state"],
        )
        for source in self.sources:
            current = self.state(source)
            for state in BreakerState:
                family.add_metric([source, state.value], 1.0 if state is current else 0.0)
        yield family


class Metrics:
    """The gateway's metrics; also a `SourceCallObserver`."""

    def __init__(self, *, public: bool = False) -> None:
        self.public = public
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "lapor_requests",
            "GraphQL requests by operation and outcome code (OK when no error).",
            ["operation", "code"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "lapor_request_seconds",
            "GraphQL request latency by operation.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.source_calls = Counter(
            "lapor_source_calls", "Guarded source calls.", ["source"], registry=self.registry
        )
        self.source_errors = Counter(
            "lapor_source_errors",
            "Failed source calls by code.",
            ["source", "code"],
            registry=self.registry,
        )
        self.source_seconds = Histogram(
            "lapor_source_call_seconds",
            "Source call latency (breaker, retry and all).",
            ["source"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._operations: set[str] = set()

    def watch_breakers(self, sources: Iterable[str], state: Callable[[str], BreakerState]) -> None:
        self.registry.register(BreakerCollector(sources, state))

    def operation_label(self, name: str | None, validated: bool) -> str:
        if not validated:
            return "invalid"
        if not name:
            return "anonymous"
        if name in self._operations:
            return name
        if len(self._operations) >= MAX_OPERATION_LABELS:
            return "other"
        self._operations.add(name)
        return name

    def request(self, operation: str, code: str, seconds: float) -> None:
        self.requests.labels(operation, code).inc()
        self.request_seconds.labels(operation).observe(seconds)

    @contextlib.contextmanager
    def observe(self, source_id: str) -> Iterator[None]:
        started = time.perf_counter()
        self.source_calls.labels(source_id).inc()
        try:
            yield
        except BaseException as error:
            self.source_errors.labels(source_id, failure_code(error) or "INTERNAL").inc()
            raise
        finally:
            self.source_seconds.labels(source_id).observe(time.perf_counter() - started)

    async def endpoint(self, request: Request) -> Response:
        client = request.client.host if request.client else ""
        if not self.public and client not in LOOPBACK_CLIENTS:
            body = {"errors": [{"message": FORBIDDEN_MESSAGE, "extensions": {"code": "FORBIDDEN"}}]}
            return JSONResponse(body, status_code=403)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
