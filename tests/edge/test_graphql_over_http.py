"""GraphQL over HTTP conformance: graphql-http's server audits against the real server
(uvicorn on 127.0.0.1), and the media-type rules they do not cover."""

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.edge.conftest import GRAPHQL_RESPONSE, EdgeApp, post
from tests.processes import free_port

REPO = Path(__file__).resolve().parents[2]
AUDIT_PREFIX = REPO / ".ci" / "audit"
GRAPHQL_HTTP = "graphql-http@1.23.1"


@pytest.fixture(scope="module")
def served(edge_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The gateway served by `lapor-gateway serve` (demo mode, GET queries on, so that the
    MAY audits about GET apply) on a free loopback port."""
    directory = tmp_path_factory.mktemp("served")
    config, log = directory / "gateway.toml", directory / "stderr.log"
    config.write_text(
        f'[gateway]\nmode = "demo"\nregistry = "{edge_registry}"\nallow_get_queries = true\n',
        encoding="utf-8",
    )
    port = free_port()
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gateway",
                "serve",
                "--config",
                str(config),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the gateway did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"{url}/graphql"
    finally:
        process.terminate()
        process.wait(timeout=10)


def graphql_http_installed() -> bool:
    return (AUDIT_PREFIX / "node_modules" / "graphql-http" / "package.json").exists()


def test_every_graphql_http_server_audit_passes(served: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the graphql-http audits need Node.js 18+")
    if not graphql_http_installed():
        npm = shutil.which("npm")
        assert npm is not None, "node without npm: install graphql-http into .ci/audit by hand"
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AUDIT_PREFIX),
                "--no-audit",
                "--no-fund",
                GRAPHQL_HTTP,
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    audit = subprocess.run(
        [node, str(Path(__file__).with_name("audit.mjs")), served],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert " 0 failed" in audit.stdout


def test_request_errors_are_4xx_for_graphql_response_json_and_200_for_json(
    edge_app: EdgeApp,
) -> None:
    client = edge_app()
    for accept, status in ((GRAPHQL_RESPONSE, 400), ("application/json", 200)):
        response = post(client, "{ nope }", accept=accept)
        assert response.status_code == status
        assert response.headers["content-type"].startswith(accept)
        assert "data" not in response.json()


def test_an_execution_error_is_200_with_data(edge_app: EdgeApp) -> None:
    response = post(edge_app(), "{ complaints(first: -1) { totalCount } }")
    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_an_accept_without_a_json_type_is_406(edge_app: EdgeApp) -> None:
    response = post(edge_app(), "{ __typename }", accept="text/csv")
    assert response.status_code == 406


def test_accept_quality_orders_the_choice(edge_app: EdgeApp) -> None:
    accept = f"application/json;q=0.5, {GRAPHQL_RESPONSE}"
    response = post(edge_app(), "{ __typename }", accept=accept)
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


def test_every_response_has_a_request_id(edge_app: EdgeApp) -> None:
    client = edge_app()
    ok = post(client, "{ __typename }")
    unauthenticated = post(client, "{ __typename }", token="not-a-token")
    assert unauthenticated.status_code == 401
    for response in (ok, unauthenticated, client.get("/healthz")):
        assert len(response.headers["x-request-id"]) >= 8
    mine = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "trace-12345678"}
    )
    assert mine.headers["x-request-id"] == "trace-12345678"
    forged = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "a b\tc"}
    )
    assert forged.headers["x-request-id"] != "a b\tc"
