"""`lapor-gateway demo` as a user runs it: a real process serving GraphiQL and the API."""

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def demo_server(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("demo-log") / "demo.log"
    # The console script the README runs, from the same environment as the tests.
    command = [
        str(Path(sys.executable).parent / "lapor-gateway"),
        "demo",
        "--port",
        str(port),
        "--data-dir",
        str(demo_dir),
    ]
    log = log_path.open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the demo did not start within 30 s:\n{log_path.read_text()}")
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def test_demo_serves_graphiql_and_demo_identities(demo_server: str) -> None:
    page = httpx.get(f"{demo_server}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    identities = httpx.get(f"{demo_server}/graphql/demo-tokens").json()
    assert [identity["label"] for identity in identities] == [
        "National analyst",
        "Provincial staff — Sumatera Utara (12)",
        "Regency operator — Kota Medan (12.71)",
        "Public (no token)",
    ]


def test_demo_identity_tokens_are_accepted(demo_server: str) -> None:
    identities = httpx.get(f"{demo_server}/graphql/demo-tokens").json()
    tiers = []
    for identity in identities:
        headers = {"Authorization": f"Bearer {identity['token']}"} if identity["token"] else {}
        response = httpx.post(
            f"{demo_server}/graphql",
            json={"query": "{ viewer { tier region } }"},
            headers=headers,
        )
        assert response.status_code == 200
        tiers.append(response.json()["data"]["viewer"])
    assert tiers == [
        {"tier": "NATIONAL", "region": None},
        {"tier": "PROVINCIAL", "region": "12"},
        {"tier": "REGENCY", "region": "12.71"},
        {"tier": "PUBLIC", "region": None},
    ]
