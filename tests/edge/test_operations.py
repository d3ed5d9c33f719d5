"""Operations: /metrics, per-principal rate limits (memory and Redis), source-call spans,
masked unexpected errors, and the bound on a whole execution."""

import asyncio
import socket
import time
import uuid
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import gateway.app
from gateway.http.metrics import Metrics
from gateway.http.tracing import TracingObserver
from tests.edge.conftest import EdgeApp, codes, post, production_token

COUNT = "{ complaints(first: 1) { totalCount } }"


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_metrics_count_requests_sources_and_breakers(edge_app: EdgeApp) -> None:
    client = edge_app(metrics_public=True)
    client.post("/graphql", json={"query": "query Count " + COUNT})
    client.post("/graphql", json={"query": "{ nope }"})
    text = client.get("/metrics").text
    assert 'lapor_requests_total{code="OK",operation="Count"} 1.0' in text
    assert 'lapor_requests_total{code="GRAPHQL_VALIDATION_FAILED",operation="invalid"} 1.0' in text
    assert 'lapor_request_seconds_count{operation="Count"} 1.0' in text
    assert 'lapor_source_calls_total{source="reg-12.71"}' in text
    assert 'lapor_source_call_seconds_count{source="national"}' in text
    assert 'lapor_source_breaker_state{source="prov-31",state="CLOSED"} 1.0' in text


def test_metrics_count_source_errors(edge_app: EdgeApp) -> None:
    client = edge_app(metrics_public=True)
    federation = client.app.state.federation  # type: ignore[attr-defined]
    source = federation.sources["prov-31"]

    async def broken(*_: Any, **__: Any) -> Any:
        raise ConnectionRefusedError

    original = source.count
    source.count = broken
    try:
        post(client, COUNT, token=None)
    finally:
        source.count = original
    text = client.get("/metrics").text
    assert 'lapor_source_errors_total{code="SOURCE_UNAVAILABLE",source="prov-31"}' in text


def test_metrics_answer_only_the_loopback_address_unless_public(edge_app: EdgeApp) -> None:
    """Found outside: the counters show which source a public lookup of a hidden complaint's
    id reached, so an open /metrics told where that complaint is handled."""
    remote = edge_app().get("/metrics")
    assert remote.status_code == 403
    assert remote.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "lapor_" not in remote.text
    assert edge_app(client=("127.0.0.1", 40000)).get("/metrics").status_code == 200
    assert edge_app(client=("::1", 40000)).get("/metrics").status_code == 200
    assert edge_app(metrics_public=True).get("/metrics").status_code == 200


def test_operation_labels_are_bounded(edge_app: EdgeApp) -> None:
    client = edge_app()
    metrics = Metrics()
    for i in range(300):
        metrics.operation_label(f"Op{i}", validated=True)
    assert metrics.operation_label("Op299", validated=True) == "other"
    assert metrics.operation_label("Op0", validated=True) == "Op0"
    assert client.get("/metrics").status_code == 403  # not a loopback client: see below


def test_rate_limit_per_principal_in_memory(edge_app: EdgeApp) -> None:
    client = edge_app(rate_limit_per_minute=3)
    for _ in range(3):
        assert post(client, "{ __typename }").status_code == 200
    limited = post(client, "{ __typename }")
    assert limited.status_code == 429
    assert codes(limited) == ["RATE_LIMITED"]
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # Another principal has its own budget.
    from tests.conftest import token_for

    assert post(client, "{ __typename }", token=token_for("NATIONAL")).status_code == 200


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379")
def test_rate_limit_is_shared_through_redis(edge_app: EdgeApp) -> None:
    settings = {"rate_limit_per_minute": 3, "redis_url": "redis://127.0.0.1:6379/15"}
    one, two = edge_app(production=True, **settings), edge_app(production=True, **settings)
    token = production_token(subject=f"rate-{uuid.uuid4().hex}")
    statuses = [
        post(client, "{ __typename }", token=token).status_code for client in (one, two, one, two)
    ]
    assert statuses == [200, 200, 200, 429]


def test_rate_limit_lets_requests_through_when_redis_is_down(edge_app: EdgeApp) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = edge_app(rate_limit_per_minute=1, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    assert [post(client, "{ __typename }").status_code for _ in range(3)] == [200, 200, 200]


def test_one_span_per_source_call(edge_app: EdgeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(
        gateway.app, "TracingObserver", lambda: TracingObserver(provider.get_tracer("test"))
    )
    client = edge_app(tracing_enabled=True)
    post(client, '{ complaints(first: 1, filter: {region: "12"}) { totalCount } }')
    spans = exporter.get_finished_spans()
    assert {span.name for span in spans} == {"source.call"}
    # The planner contacts only the sources that can hold region 12's complaints.
    assert {(span.attributes or {}).get("lapor.source") for span in spans} == {
        "prov-12",
        "reg-12.71",
        "reg-12.72",
    }


def test_unexpected_errors_are_masked_with_the_request_id(
    edge_app: EdgeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = edge_app()
    federation = client.app.state.federation  # type: ignore[attr-defined]

    def leak(_: str) -> Any:
        raise RuntimeError("password=hunter2 at /srv/secret")

    monkeypatch.setattr(federation.calls, "state", leak)
    response = post(client, "{ sources { id state } }")
    body = response.json()
    assert "hunter2" not in response.text
    assert "secret" not in response.text
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


def test_the_whole_execution_is_bounded_by_the_deadline(edge_app: EdgeApp) -> None:
    client = edge_app(request_deadline_seconds=0.2)
    federation = client.app.state.federation  # type: ignore[attr-defined]

    async def stuck(*_: Any, **__: Any) -> Any:
        await asyncio.sleep(30)

    original = federation.page
    federation.page = stuck
    try:
        started = time.monotonic()
        response = post(client, "{ complaints { totalCount } }")
        elapsed = time.monotonic() - started
    finally:
        federation.page = original
    assert response.status_code == 504
    assert codes(response) == ["REQUEST_TIMEOUT"]
    assert elapsed < 2
