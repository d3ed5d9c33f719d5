"""A remote source that misbehaves costs the request its rows, nothing more.

For each fault a real server on 127.0.0.1 stands in for source `reg-12.72` beside four healthy
sources (one of them remote). The gateway must answer within its deadline, with HTTP 200, the
healthy sources' data exactly as a registry without the faulty source gives it, the faulty
source named in `missingSources`, one coded error per field at the field's path, none of the
server's text, and no task or connection left behind. Its circuit then opens (the server sees
no new connection while it is open) and closes again on a probe once the server is healthy.
"""

import asyncio
import copy
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.registry import SourceConfig
from tests.faults.conftest import TIMINGS, FaultWorld, Reference
from tests.faults.harness import (
    BREAKER_RESET_SECONDS,
    DEADLINE_SECONDS,
    FAULTY,
    FIELDS,
    MAX_RESPONSE_BYTES,
    PROBE,
    QUERY,
    SOURCE_TIMEOUT_SECONDS,
    ask,
    breaker_state,
    listed_state,
    loop_stall,
    open_gateway,
    other_tasks,
    source_errors,
    without_faulty,
)
from tests.faults.servers import (
    LEAK_MARKERS,
    Fault,
    FaultServer,
    KillableServer,
    eventually,
    held_connections,
)
from tests.processes import free_port  # bound, then closed: nothing listens there

MARGIN_SECONDS = 1.5
"""Beyond the deadline, for a loaded machine."""
MAX_STALL_SECONDS = 0.8
"""The longest the gateway's event loop may be blocked: generous, for a loaded machine (up to
0.45 s seen with both cores busy), yet below what inflating a gzip bomb cost (1.0-1.4 s)."""
SETTLE_SECONDS = 5.0
"""How long a closed connection or a finished task may take to be seen as such."""
KILL_SOURCE_TIMEOUT_SECONDS = 2.5
"""The killed server's source waits longer, so that the kill, not a timeout, ends its calls."""
CALLS_PER_QUERY = 3
"""QUERY calls the faulty source three times (page, count, stats): enough to open it."""


@dataclass(frozen=True)
class Scenario:
    name: str
    code: str
    fault: Fault | None = None
    """The fault server's behaviour; None for a refused port or a killed process."""
    timeout: float = SOURCE_TIMEOUT_SECONDS
    """The faulty source's `timeout` in the registry."""


SCENARIOS = [
    Scenario("hang", "SOURCE_TIMEOUT", Fault.HANG),
    Scenario("drip-head", "SOURCE_TIMEOUT", Fault.DRIP_HEAD),
    Scenario("drip-body", "SOURCE_TIMEOUT", Fault.DRIP_BODY),
    Scenario("http-500", "SOURCE_ERROR", Fault.HTTP_500),
    Scenario("malformed-json", "SOURCE_BAD_RESPONSE", Fault.MALFORMED_JSON),
    Scenario("wrong-types", "SOURCE_BAD_RESPONSE", Fault.WRONG_TYPES),
    Scenario("wrong-fields", "SOURCE_BAD_RESPONSE", Fault.WRONG_FIELDS),
    Scenario("huge-streamed", "SOURCE_TOO_LARGE", Fault.HUGE_STREAMED),
    Scenario("huge-declared", "SOURCE_TOO_LARGE", Fault.HUGE_DECLARED),
    # The gateway asks for `identity` and reads the body as sent: a compressed answer is not
    # the contract's JSON (and is never inflated, so it cannot grow past the cap).
    Scenario("gzip-bomb", "SOURCE_BAD_RESPONSE", Fault.GZIP_BOMB),
    Scenario("refused", "SOURCE_UNAVAILABLE"),
    Scenario("killed-mid-response", "SOURCE_UNAVAILABLE", timeout=KILL_SOURCE_TIMEOUT_SECONDS),
]


class FaultyRemote:
    """The faulty source's server, whatever its fault: where it listens, what it has seen, and
    the way back to health (a relay to the real service on the same port)."""

    def __init__(self, scenario: Scenario, upstream: str, stack: ExitStack) -> None:
        self.upstream = upstream
        self.stack = stack
        self.server: FaultServer | None = None
        self.killable: KillableServer | None = None
        if scenario.fault is not None:
            self.server = stack.enter_context(FaultServer(scenario.fault, upstream))
            self.port = self.server.port
        elif scenario.name == "refused":
            self.port = free_port()
        else:
            self.killable = stack.enter_context(KillableServer())
            self.port = self.killable.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def accepted(self) -> int:
        return self.server.accepted if self.server is not None else 0

    @property
    def open(self) -> int:
        return self.server.open if self.server is not None else 0

    async def while_in_flight(self) -> None:
        """Called while the first request is in flight: the killable server dies now."""
        if self.killable is not None:
            await self.killable.answering(CALLS_PER_QUERY, within=KILL_SOURCE_TIMEOUT_SECONDS)
            self.killable.kill()

    def heal(self) -> None:
        if self.server is not None:
            self.server.fault = Fault.HEALTHY
        else:
            self.server = self.stack.enter_context(
                FaultServer(Fault.HEALTHY, self.upstream, port=self.port)
            )


@contextmanager
def timed(phases: dict[str, float], phase: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[phase] = time.perf_counter() - started


def assert_no_leak(response: httpx.Response, port: int) -> None:
    text = response.text
    leaked = [marker for marker in (*LEAK_MARKERS, f":{port}") if marker in text]
    assert not leaked, f"internal text reached the client: {leaked}"


def assert_partial(
    response: httpx.Response, expected: dict[str, Any], code: str, fields: tuple[str, ...]
) -> None:
    """HTTP 200, the healthy sources' data exactly, and one coded error per field."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == without_faulty(expected)
    assert source_errors(body) == sorted(((field,), code, FAULTY) for field in fields)
    for error in body["errors"]:
        assert error["message"] == f"source {FAULTY} did not answer ({code})"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
async def test_a_faulty_remote_costs_only_its_own_rows(
    scenario: Scenario,
    world: FaultWorld,
    reference: Reference,
    tmp_path: Path,
) -> None:
    phases = TIMINGS.setdefault(scenario.name, {})
    with ExitStack() as stack:
        remote = FaultyRemote(scenario, world.upstream, stack)
        faulty = SourceConfig(
            FAULTY,
            "remote",
            remote.url,
            ("12.72",),
            timeout=scenario.timeout,
            connect_timeout=SOURCE_TIMEOUT_SECONDS,
            max_response_bytes=MAX_RESPONSE_BYTES,
        )
        async with open_gateway(tmp_path, [*world.healthy, faulty], world.keys) as client:
            # 1. The fault: partial data within the deadline, nothing of the server's text,
            # and the loop every request shares never blocked for long.
            before = asyncio.all_tasks()
            async with loop_stall() as stall:
                started = time.perf_counter()
                request = asyncio.create_task(ask(client, QUERY))
                await remote.while_in_flight()
                response = await request
                phases["fault"] = elapsed = time.perf_counter() - started
            phases["stall"] = stall.worst
            assert elapsed < DEADLINE_SECONDS + MARGIN_SECONDS
            assert stall.worst < MAX_STALL_SECONDS
            assert_partial(response, reference.without, scenario.code, FIELDS)
            assert_no_leak(response, remote.port)

            # 2. Its circuit is open: no new connection reaches the server, even once healthy.
            assert await breaker_state(client) == "OPEN"
            assert await listed_state(client) == "OPEN"
            remote.heal()
            seen = remote.accepted
            with timed(phases, "open"):
                response = await ask(client, QUERY)
            assert_partial(response, reference.without, "SOURCE_UNAVAILABLE", FIELDS)
            assert_no_leak(response, remote.port)
            assert remote.accepted == seen

            # 3. Nothing left behind: the gateway's tasks have ended and its sockets to the
            # server are closed (the server saw every connection it held open close).
            assert await eventually(lambda: not other_tasks(before), SETTLE_SECONDS), other_tasks(
                before
            )
            assert await eventually(lambda: remote.open == 0, SETTLE_SECONDS), remote.open
            assert await eventually(lambda: not held_connections(remote.port), SETTLE_SECONDS), (
                held_connections(remote.port)
            )

            # 4. After `breaker_reset_seconds` one probe goes through and closes the circuit.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + BREAKER_RESET_SECONDS + SETTLE_SECONDS
            while await breaker_state(client) != "HALF_OPEN":
                assert loop.time() < deadline, "the circuit never became HALF_OPEN"
                await asyncio.sleep(0.05)
            with timed(phases, "probe"):
                response = await ask(client, PROBE)
            assert response.status_code == 200
            assert response.json() == {"data": reference.full_probe}
            assert remote.accepted == seen + 1
            assert await breaker_state(client) == "CLOSED"
            assert await listed_state(client) == "CLOSED"
            with timed(phases, "recovered"):
                response = await ask(client, QUERY)
            assert response.json() == {"data": reference.full}


async def test_a_remote_that_hangs_on_the_journey_only_loses_those_fields(
    world: FaultWorld, reference: Reference, tmp_path: Path
) -> None:
    """The faulty source pages, counts and groups, but never answers for its agencies: its
    rows are all there, each `handlingAgency` it owns is null with SOURCE_TIMEOUT at that
    node's path, and the request still ends within the deadline."""
    phases = TIMINGS.setdefault("hang-on-agencies", {})
    with FaultServer(Fault.HANG_ON_AGENCIES, world.upstream) as server:
        faulty = SourceConfig(
            FAULTY,
            "remote",
            server.url,
            ("12.72",),
            timeout=SOURCE_TIMEOUT_SECONDS,
            connect_timeout=SOURCE_TIMEOUT_SECONDS,
            max_response_bytes=MAX_RESPONSE_BYTES,
        )
        async with open_gateway(tmp_path, [*world.healthy, faulty], world.keys) as client:
            before = asyncio.all_tasks()
            with timed(phases, "fault"):
                response = await ask(client, QUERY)
            assert phases["fault"] < DEADLINE_SECONDS + MARGIN_SECONDS
            assert response.status_code == 200
            body = response.json()
            expected = copy.deepcopy(reference.full)
            lost = []
            for index, edge in enumerate(expected["complaints"]["edges"]):
                if edge["node"]["handlingAgency"]["code"].startswith("12.72-"):
                    edge["node"]["handlingAgency"] = None
                    lost.append(("complaints", "edges", index, "node", "handlingAgency"))
            assert len(lost) == 7
            assert body["data"] == expected
            assert source_errors(body) == sorted((path, "SOURCE_TIMEOUT", FAULTY) for path in lost)
            assert_no_leak(response, server.port)
            assert await eventually(lambda: not other_tasks(before), SETTLE_SECONDS)
            assert await eventually(lambda: server.open == 0, SETTLE_SECONDS), server.open
            assert await breaker_state(client) == "CLOSED"  # one failure of three


class HealthyJourneysLostError(Exception):
    """The known issue below: healthy sources' nested fields failed with the slow source."""


def without_agencies(data: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(data)
    for edge in stripped["complaints"]["edges"]:
        edge["node"].pop("handlingAgency")
    return stripped


async def test_a_source_slower_than_the_deadline_is_cut_at_the_deadline(
    world: FaultWorld, reference: Reference, tmp_path: Path
) -> None:
    """The faulty source's `timeout` (10 s) is longer than the request deadline (3 s): the
    deadline cuts its calls, and the healthy rows, counts and buckets arrive in time. (Every
    check passes but the last, which the known issue fails.)"""
    phases = TIMINGS.setdefault("hang-past-deadline", {})
    with FaultServer(Fault.HANG, world.upstream) as server:
        faulty = SourceConfig(
            FAULTY,
            "remote",
            server.url,
            ("12.72",),
            timeout=10.0,
            connect_timeout=SOURCE_TIMEOUT_SECONDS,
            max_response_bytes=MAX_RESPONSE_BYTES,
        )
        async with open_gateway(tmp_path, [*world.healthy, faulty], world.keys) as client:
            before = asyncio.all_tasks()
            with timed(phases, "fault"):
                response = await ask(client, QUERY)
            assert DEADLINE_SECONDS - 0.1 < phases["fault"] < DEADLINE_SECONDS + MARGIN_SECONDS
            assert response.status_code == 200
            body = response.json()
            expected = without_faulty(reference.without)
            assert without_agencies(body["data"]) == without_agencies(expected)
            assert body["data"]["complaintStats"] == expected["complaintStats"]
            faulty_errors = [error for error in source_errors(body) if error[2] == FAULTY]
            assert faulty_errors == sorted(((field,), "SOURCE_TIMEOUT", FAULTY) for field in FIELDS)
            assert_no_leak(response, server.port)
            assert await eventually(lambda: not other_tasks(before), SETTLE_SECONDS)
            assert await eventually(lambda: server.open == 0, SETTLE_SECONDS), server.open
            assert await eventually(lambda: not held_connections(server.port), SETTLE_SECONDS)
            if body["data"] != expected or source_errors(body) != faulty_errors:
                raise HealthyJourneysLostError(source_errors(body)[:3])


FLAPS = 30


async def test_a_flapping_remote_mostly_answers_with_a_bounded_share_of_retries(
    world: FaultWorld, reference: Reference, tmp_path: Path
) -> None:
    """Every other request to the source is dropped (connection closed, no answer): the one
    retry of an unavailable source rescues some requests, within the retry budget, and the
    circuit stays closed (the failures are never consecutive enough)."""
    phases = TIMINGS.setdefault("flap-50%", {})
    with FaultServer(Fault.FLAP, world.upstream) as server:
        faulty = SourceConfig(
            FAULTY,
            "remote",
            server.url,
            ("12.72",),
            timeout=SOURCE_TIMEOUT_SECONDS,
            connect_timeout=SOURCE_TIMEOUT_SECONDS,
            max_response_bytes=MAX_RESPONSE_BYTES,
        )
        async with open_gateway(tmp_path, [*world.healthy, faulty], world.keys) as client:
            complete = 0
            slowest = 0.0
            for _ in range(FLAPS):
                started = time.perf_counter()
                response = await ask(client, PROBE)
                slowest = max(slowest, time.perf_counter() - started)
                assert response.status_code == 200
                body = response.json()
                if body["data"]["complaintStats"]["complete"]:
                    assert body == {"data": reference.full_probe}
                    complete += 1
                else:
                    assert_partial(
                        response,
                        reference.without_probe,
                        "SOURCE_UNAVAILABLE",
                        ("complaintStats",),
                    )
                assert_no_leak(response, server.port)
            assert await breaker_state(client) == "CLOSED"
    phases["slowest"] = slowest
    retries = server.requests - FLAPS  # one call per request; the rest are retries
    phases["complete-share"] = complete / FLAPS
    phases["retry-share"] = retries / FLAPS
    # Without retries exactly half would complete; the budget (3 tokens, then one per five
    # calls) lets about a quarter of the calls retry, and no more.
    assert complete > FLAPS * 0.55
    assert 1 <= retries <= 3 + 0.2 * FLAPS
    assert complete == server.requests // 2  # each relayed (even) request completed one
