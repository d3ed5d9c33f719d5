"""`lapor-gateway up` for real: 34 processes over a small seed, then 3 regencies killed.

The tests run in file order against one running topology (module fixture): the provincial
stats query first equals the all-SQLite demo's; then three regency services are killed with
SIGKILL and the query still answers in time, naming exactly those three; then SIGINT stops
`up` and no child survives. PostgreSQL holds the SQL sources when it is reachable (database
`lapor_topology_test` on the tests' server), else their SQLite files do.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.demo.setup import seed_data_dir, seed_id
from gateway.domain import PrincipalTier, Role
from gateway.regions import load_regions
from gateway.settings import load_settings
from gateway.tokens import demo_secret, issue_demo_token
from gateway.topology.layout import UpPaths, schema_name, split_topology
from gateway.topology.postgres import LoadJob, load_sources
from tests.conftest import POSTGRES_URL, postgres_reachable
from tests.topology.processes import free_port, is_running

SCALE = 0.02  # volumes outside North Sumatra; the province itself is always full size
START_SECONDS = 240  # seeding is done by then; loading PostgreSQL and 34 process starts remain
DEADLINE_SECONDS = 10.0  # the gateway's request deadline (the default setting)
MARGIN_SECONDS = 5.0
KILLED = ("reg-12.05", "reg-12.71", "reg-12.77")
TOPOLOGY_DATABASE = "lapor_topology_test"
STATS = """
{
  complaintStats(filter: {region: "12"}, groupBy: [REGENCY]) {
    buckets { key { regency } count verified resolved overdue resolutionRate }
    total { count verified resolved overdue resolutionRate }
    complete
    missingSources
  }
}
"""


def topology_postgres_url() -> str:
    url = make_url(POSTGRES_URL).set(database=TOPOLOGY_DATABASE)
    return url.render_as_string(hide_password=False)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: Path
    state: dict[str, Any]
    postgres: bool

    @property
    def url(self) -> str:
        return str(self.state["url"])

    def pids(self) -> list[int]:
        services = [entry["pid"] for entry in self.state["services"].values()]
        return [self.state["gateway"]["pid"], *services]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("topology")
    seed_data_dir(data_dir, SCALE, lambda _: None)
    return data_dir


@pytest.fixture(scope="module")
def token(seeded: Path) -> str:
    return issue_demo_token(
        demo_secret(seeded), PrincipalTier.PROVINCIAL, region="12", role=Role.ANALYST
    )


@pytest.fixture(scope="module")
def sqlite_demo_stats(seeded: Path, token: str) -> dict[str, Any]:
    """The same query against the demo as `lapor-gateway demo` serves it: 72 SQLite sources
    in the gateway's own process."""
    with TestClient(create_app(load_settings(seeded / "gateway.toml"))) as client:
        response = client.post(
            "/graphql", json={"query": STATS}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    stats: dict[str, Any] = body["data"]["complaintStats"]
    assert stats["complete"] is True
    assert len(stats["buckets"]) >= 33
    return stats


@pytest.fixture(scope="module")
def topology(seeded: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    postgres = postgres_reachable()
    storage = ["--postgres-url", topology_postgres_url()] if postgres else ["--no-postgres"]
    argv = [
        sys.executable,
        "-m",
        "gateway",
        "up",
        "--data-dir",
        str(seeded),
        "--port",
        str(free_port()),
        "--ready-timeout",
        "180",
        *storage,
    ]
    log = tmp_path_factory.mktemp("up-log") / "up.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT)
    state_file = UpPaths(seeded).state
    running = None
    try:
        deadline = time.monotonic() + START_SECONDS
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`up` did not become ready:\n{log.read_text()[-5000:]}")
            time.sleep(0.5)
        running = Running(process, seeded, log, json.loads(state_file.read_text()), postgres)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid in running.pids() if running else []:  # never leak a process, even on failure
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)


def stats_through(running: Running, token: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = httpx.post(
        f"{running.url}/graphql",
        json={"query": STATS},
        headers={"Authorization": f"Bearer {token}"},
        timeout=DEADLINE_SECONDS + 20,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["data"]["complaintStats"], body.get("errors", [])


def by_regency(stats: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {bucket["key"]["regency"]: bucket for bucket in stats["buckets"]}


def test_up_serves_the_province_exactly_as_the_sqlite_demo(
    topology: Running, token: str, sqlite_demo_stats: dict[str, Any]
) -> None:
    output = topology.output()
    assert f"GraphiQL {topology.url}/graphql" in output
    assert len(topology.state["services"]) == 33
    if topology.postgres:
        assert topology.state["postgres"].endswith(f"/{TOPOLOGY_DATABASE}")
        assert "39 sources" in output  # loaded now, or found loaded from this seed
    stats, errors = stats_through(topology, token)
    assert errors == []
    assert stats["complete"] is True
    assert stats["missingSources"] == []
    assert by_regency(stats) == by_regency(sqlite_demo_stats)
    assert stats["total"] == sqlite_demo_stats["total"]
    # The playground's identity picker works as in `lapor-gateway demo`.
    identities = httpx.get(f"{topology.url}/graphql/demo-tokens", timeout=10).json()
    assert next(identity["label"] for identity in identities) == "National analyst"


def test_postgres_load_is_recorded_and_not_repeated(topology: Running) -> None:
    if not topology.postgres:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432; SQLite files were served")
    sql = split_topology(load_regions()).sql
    jobs = [
        LoadJob(s.id, topology.data_dir / "sources" / f"{s.id}.db", schema_name(s.id)) for s in sql
    ]
    report = asyncio.run(
        load_sources(topology_postgres_url(), jobs, seed_id(topology.data_dir), lambda _: None)
    )
    assert report.loaded == ()
    assert len(report.skipped) == 39


def test_three_regencies_killed_leave_a_partial_answer_in_time(
    topology: Running, token: str, sqlite_demo_stats: dict[str, Any]
) -> None:
    killed = {source_id: topology.state["services"][source_id]["pid"] for source_id in KILLED}
    for pid in killed.values():
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(is_running(pid) for pid in killed.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    stats, errors = stats_through(topology, token)
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_SECONDS + MARGIN_SECONDS, f"answered in {elapsed:.1f} s"
    assert stats["complete"] is False
    assert sorted(stats["missingSources"]) == sorted(KILLED)
    assert errors
    assert {error["extensions"]["code"] for error in errors} == {"SOURCE_UNAVAILABLE"}
    expected = by_regency(sqlite_demo_stats)
    answered = by_regency(stats)
    gone = {source_id.removeprefix("reg-") for source_id in KILLED}
    assert gone.isdisjoint(answered)
    assert answered == {key: bucket for key, bucket in expected.items() if key not in gone}
    assert len([key for key in answered if key is not None]) == 33 - len(KILLED)
    # `up` noticed, and kept everything else running.
    time.sleep(1)
    output = topology.output()
    assert all(f"{source_id} (pid {pid}) killed by SIGKILL" in output
               for source_id, pid in killed.items())  # fmt: skip
    assert topology.process.poll() is None
    others = [pid for pid in topology.pids() if pid not in killed.values()]
    assert all(is_running(pid) for pid in others)


def test_sigint_stops_every_child(topology: Running) -> None:
    pids = topology.pids()
    group = os.getpgid(topology.state["gateway"]["pid"])
    topology.process.send_signal(signal.SIGINT)
    assert topology.process.wait(timeout=30) == 0
    assert [pid for pid in pids if is_running(pid)] == []
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)
    assert "stopped 34 processes" in topology.output()
    assert not UpPaths(topology.data_dir).state.exists()
