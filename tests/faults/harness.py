"""A gateway for the fault suite: the app in this event loop (lifespan and all) behind
`httpx.ASGITransport`, so the test can see every task the gateway leaves in its loop."""

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from gateway.app import create_app
from gateway.federation.ids import demo_node_id_key
from gateway.registry import SourceConfig, write_registry
from gateway.settings import GatewaySettings
from tests.conftest import SECRET, token_for
from tests.service.harness import KeyPair

FAULTY = "reg-12.72"
"""The source that misbehaves in every scenario (Kota/Kab. 12.72, seven complaints)."""
DEADLINE_SECONDS = 3.0
SOURCE_TIMEOUT_SECONDS = 1.0
BREAKER_FAILURES = 3
BREAKER_RESET_SECONDS = 1.5
MAX_RESPONSE_BYTES = 64 * 1024

QUERY = """{
  complaints(first: 60) {
    totalCount complete missingSources
    pageInfo { hasNextPage }
    edges { node { id title status submittedAt region { code } handlingAgency { code name } } }
  }
  complaintStats(groupBy: [REGENCY, STATUS]) {
    complete missingSources
    total { count verified resolved overdue }
    buckets { key { regency status } count verified resolved overdue }
  }
}"""
"""Three calls to every source: a page, a count and the stats."""
PROBE = """{
  complaintStats(groupBy: [REGENCY, STATUS]) {
    complete missingSources
    total { count verified resolved overdue }
    buckets { key { regency status } count verified resolved overdue }
  }
}"""
"""One call to every source."""
SOURCES = "{ sources { id state } }"
FIELDS = ("complaints", "complaintStats")


def _registry(directory: Path, sources: list[SourceConfig]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    registry = directory / "registry.toml"
    write_registry(registry, sources)
    return registry


@asynccontextmanager
async def open_gateway(
    directory: Path, sources: list[SourceConfig], keys: KeyPair
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway over `sources`, started and stopped by its own lifespan in this loop."""
    settings = GatewaySettings(
        mode="demo",
        registry=_registry(directory, sources),
        jwt_secret=SECRET,
        source_token_key_file=keys.private,
        # Shared like the source-token key: every gateway of a test gives a complaint one id.
        node_id_key_file=demo_node_id_key(keys.private.parent),
        request_deadline_seconds=DEADLINE_SECONDS,
        breaker_failures=BREAKER_FAILURES,
        breaker_reset_seconds=BREAKER_RESET_SECONDS,
        rate_limit_per_minute=0,
        metrics_enabled=False,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token_for('NATIONAL')}"}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers=headers
        ) as client,
    ):
        yield client


async def ask(client: httpx.AsyncClient, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query})


async def breaker_state(client: httpx.AsyncClient, source_id: str = FAULTY) -> str:
    """The circuit state `/readyz` reports for the source."""
    response = await client.get("/readyz")
    return str(response.json()["sources"][source_id])


async def listed_state(client: httpx.AsyncClient, source_id: str = FAULTY) -> str:
    """The circuit state the `sources` query reports for the source."""
    body = (await ask(client, SOURCES)).json()
    states = {source["id"]: str(source["state"]) for source in body["data"]["sources"]}
    return states[source_id]


def without_faulty(data: dict[str, Any]) -> dict[str, Any]:
    """An answer of the registry without the faulty source, as the faulty registry must give
    it: the same rows, counts and buckets, marked incomplete with the faulty source missing."""
    expected = copy.deepcopy(data)
    for name in FIELDS:
        if name in expected:
            expected[name].update(complete=False, missingSources=[FAULTY])
    return expected


def source_errors(body: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(path, code, source) of every error, sorted."""
    return sorted(
        (tuple(error["path"]), error["extensions"]["code"], error["extensions"].get("source"))
        for error in body.get("errors") or ()
    )


def other_tasks(before: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    """Tasks of this loop that were not there `before` (the current task aside)."""
    return asyncio.all_tasks() - before - {asyncio.current_task()}


@dataclass
class Stall:
    worst: float = 0.0
    """The longest the loop was late to wake a sleeper, in seconds."""


@asynccontextmanager
async def loop_stall(tick: float = 0.01) -> AsyncIterator[Stall]:
    """How long the event loop was blocked at worst while the block ran (the gateway shares
    this loop: nothing it does for a source may stall every other request)."""
    stall = Stall()
    loop = asyncio.get_running_loop()

    async def watch() -> None:
        while True:
            slept = loop.time()
            await asyncio.sleep(tick)
            stall.worst = max(stall.worst, loop.time() - slept - tick)

    watcher = asyncio.create_task(watch())
    try:
        yield stall
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
