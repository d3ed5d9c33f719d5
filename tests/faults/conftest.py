"""The fault suite's world: `tests.conftest.small_world` in five SQLite databases, two of
them behind real source services on 127.0.0.1, and the answers of two reference gateways.

- healthy: `national`, `prov-12`, `prov-31` (sql) and `reg-12.71` (remote, a real service);
- `reg-12.72` (seven complaints) is the source that misbehaves: its real service is the
  upstream a fault server relays to once it is healthy again.

The reference answers come from the registry without `reg-12.72` (what the healthy sources
must still give) and from the registry with the real `reg-12.72` (what recovery must give).
"""

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from gateway.registry import SourceConfig
from gateway.service.app import create_service_app
from tests.conftest import small_world
from tests.factories import write_sqlite_sources
from tests.faults.harness import FAULTY, PROBE, QUERY, ask, open_gateway
from tests.service.harness import KeyPair, make_key_pair, running_service, service_settings

HEALTHY_REMOTE = "reg-12.71"


@dataclass(frozen=True)
class FaultWorld:
    directory: Path
    keys: KeyPair
    healthy: list[SourceConfig]
    """Every source but the faulty one (one of them remote)."""
    upstream: str
    """The faulty source's real service (/graphql)."""
    real_faulty: SourceConfig
    """The faulty source as a healthy remote (its real service)."""


@dataclass(frozen=True)
class Reference:
    """Answers (`data`) of the reference gateways."""

    without: dict[str, Any]
    without_probe: dict[str, Any]
    full: dict[str, Any]
    full_probe: dict[str, Any]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultWorld]:
    directory = tmp_path_factory.mktemp("faults")
    configs = asyncio.run(write_sqlite_sources(small_world(), directory))
    keys = make_key_pair(directory / "keys")
    with ExitStack() as stack:
        urls = {
            config.id: stack.enter_context(
                running_service(create_service_app(service_settings(config, keys.public)))
            )
            for config in configs
            if config.id in (HEALTHY_REMOTE, FAULTY)
        }
        healthy = [
            replace(config, kind="remote", url=urls[config.id], timeout=2.0)
            if config.id == HEALTHY_REMOTE
            else config
            for config in configs
            if config.id != FAULTY
        ]
        faulty = next(config for config in configs if config.id == FAULTY)
        yield FaultWorld(
            directory=directory,
            keys=keys,
            healthy=healthy,
            upstream=urls[FAULTY],
            real_faulty=replace(faulty, kind="remote", url=urls[FAULTY], timeout=2.0),
        )


async def _answers(directory: Path, sources: list[SourceConfig], keys: KeyPair) -> list[Any]:
    async with open_gateway(directory, sources, keys) as client:
        bodies = [(await ask(client, query)).json() for query in (QUERY, PROBE)]
    for body in bodies:
        assert "errors" not in body, body
    return [body["data"] for body in bodies]


@pytest.fixture(scope="module")
async def reference(world: FaultWorld) -> Reference:
    without, without_probe = await _answers(world.directory / "without", world.healthy, world.keys)
    full, full_probe = await _answers(
        world.directory / "full", [*world.healthy, world.real_faulty], world.keys
    )
    # Not vacuous: the healthy remote's rows are there, and the faulty source's would be.
    regions = {
        (edge["node"]["region"] or {}).get("code") for edge in without["complaints"]["edges"]
    }
    assert HEALTHY_REMOTE.removeprefix("reg-") in regions
    assert full["complaints"]["totalCount"] == without["complaints"]["totalCount"] + 7
    return Reference(without, without_probe, full, full_probe)


TIMINGS: dict[str, dict[str, float]] = {}
"""Seconds per scenario and phase, printed at the end of the run."""


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("fault suite: gateway response times (s)")
    for scenario, phases in TIMINGS.items():
        measured = "  ".join(f"{phase} {seconds:.3f}" for phase, seconds in phases.items())
        terminalreporter.write_line(f"{scenario:<22} {measured}")
