"""No request stalls the demo through `complaintStats` (the finding: an anonymous nine-dimension
grouping ran ~20 s of CPU on the event loop, answered after the 10 s deadline, and `/healthz`
waited up to 21 s meanwhile).

Against the real demo data: over-large groupings are refused at once while `/healthz` and a
small query keep answering over real HTTP; a large allowed answer (~5,000 buckets) is watched
by a loop-lag monitor; and the bucket estimate bounds the buckets the demo really has.
"""

import asyncio
import gc
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.domain import PrincipalTier
from gateway.policy import EVERYTHING
from gateway.regions import load_regions
from gateway.settings import load_settings
from gateway.sources.base import ComplaintCriteria, Dimension
from gateway.stats_size import DEFAULT_BUCKET_CAP, BucketEstimator
from gateway.tokens import demo_secret, issue_demo_token
from tests.loop_hold import loop_hold

ALL_BUT_TYPE = "PROVINCE,REGENCY,AGENCY,TIER,CATEGORY,CHANNEL,STATUS,YEAR,MONTH"
NINE_DIMENSIONS = (
    f"{{ complaintStats(groupBy:[{ALL_BUT_TYPE}]) {{ buckets {{ key {{ province regency agency "
    "tier category channel status year month } count } total { count } } }"
)
"""The finding's query, as sent: now over the cost budget at the edge."""
NINE_DIMENSIONS_TOTAL_ONLY = (
    f"{{ complaintStats(groupBy:[{ALL_BUT_TYPE}]) {{ total {{ count }} }} }}"
)
"""The same grouping at a small cost: refused by the bucket cap, before any source."""
SMALL = "{ viewer { tier } }"
POLL_TYPICAL = 0.100
"""The median poll: measured 5-7 ms (before the cap: the finding's 21 s)."""
POLL_LIMIT = 0.250
"""Every poll. Measured at worst 15-70 ms, once 172 ms with a load average of 20 on the two
cores, when no request took over 20 ms in the server's own log: the machine, not the server,
held that poll. Still below any stall a stats request could cause (unsliced completion of
the cap's 10,000 buckets held the loop 0.45 s; the finding, 21 s)."""
POLL_SECONDS = 2.0
"""How long the polls run while the big queries are sent again and again."""


@dataclass
class Polls:
    seconds: list[float] = field(default_factory=list)


async def poll(client: httpx.AsyncClient, request: Any, polls: Polls, until: float) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        response = await request(client)
        polls.seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
        await asyncio.sleep(0.05)


async def refusals(client: httpx.AsyncClient, until: float) -> list[str]:
    codes = []
    while time.monotonic() < until:
        for query in (NINE_DIMENSIONS, NINE_DIMENSIONS_TOTAL_ONLY):
            response = await client.post("/graphql", json={"query": query})
            codes += [error["extensions"]["code"] for error in response.json()["errors"]]
        await asyncio.sleep(0.1)  # paced: the demo allows 600 requests a minute per client
    return codes


async def test_the_nine_dimension_stats_are_refused_while_the_server_keeps_answering(
    demo_server: str,
) -> None:
    health, small = Polls(), Polls()
    async with (
        httpx.AsyncClient(base_url=demo_server, timeout=30) as big_client,
        httpx.AsyncClient(base_url=demo_server, timeout=30) as poll_client,
    ):
        until = time.monotonic() + POLL_SECONDS
        codes, _, _ = await asyncio.gather(
            refusals(big_client, until),
            poll(poll_client, lambda c: c.get("/healthz"), health, until),
            poll(poll_client, lambda c: c.post("/graphql", json={"query": SMALL}), small, until),
        )
    assert set(codes) == {"QUERY_TOO_COMPLEX", "STATS_TOO_LARGE"}
    assert codes.count("STATS_TOO_LARGE") == codes.count("QUERY_TOO_COMPLEX") >= 1
    for polls in (health, small):
        assert len(polls.seconds) >= 10
        assert statistics.median(polls.seconds) < POLL_TYPICAL, polls.seconds
        assert max(polls.seconds) < POLL_LIMIT, polls.seconds


REGENCY_BY_STATUS = """{ complaintStats(groupBy: [REGENCY, STATUS]) {
  buckets { key { regency status } count verified resolved overdue } total { count } } }"""
"""~5,000 buckets of the demo (estimate 6,180, under the cap)."""
HOLD_LIMIT = 0.035
"""The aim is 20 ms of loop CPU at a time; measured alone this request holds 12-17 ms (once the
statement is built once per fan-out, and merging and presenting run in a worker thread), and
21-27 ms inside the whole test session, whose other fixtures' tasks share this event loop and
are counted too. Unbounded, these buckets' completion alone held the loop ~0.25 s, and the
fan-out's batch of source answers ~55 ms."""


@pytest.fixture(scope="module")
async def national(demo_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The demo gateway in this test's event loop, as a national analyst (exact aggregates)."""
    app = create_app(load_settings(demo_dir / "gateway.toml"))
    token = issue_demo_token(demo_secret(demo_dir), PrincipalTier.NATIONAL)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://demo",
            headers={"Authorization": f"Bearer {token}"},
        ) as client,
    ):
        await client.post("/graphql", json={"query": SMALL})
        yield client


async def test_a_large_allowed_answer_holds_the_loop_only_briefly(
    national: httpx.AsyncClient,
) -> None:
    await national.post("/graphql", json={"query": REGENCY_BY_STATUS})  # warm: plans, sources
    holds = []
    # The server freezes its start-up objects out of the collector; here everything the test
    # session made before is frozen too, or collecting it would be timed as the server's.
    gc.collect()
    gc.freeze()
    try:
        for _ in range(3):
            async with loop_hold() as hold:
                response = await national.post("/graphql", json={"query": REGENCY_BY_STATUS})
            body = response.json()
            assert "errors" not in body, body["errors"]
            assert len(body["data"]["complaintStats"]["buckets"]) > 4_000
            holds.append(hold.worst)
    finally:
        gc.unfreeze()
    print("worst loop holds (ms):", [round(worst * 1000, 1) for worst in holds])
    assert max(holds) < HOLD_LIMIT, holds


@pytest.mark.parametrize(
    ("dimensions", "region"),
    [
        ((Dimension.PROVINCE, Dimension.REGENCY, Dimension.TIER), None),
        ((Dimension.REGENCY, Dimension.STATUS), None),
        ((Dimension.YEAR, Dimension.MONTH, Dimension.STATUS), None),
        ((Dimension.CATEGORY, Dimension.CHANNEL, Dimension.TYPE, Dimension.YEAR), None),
        ((Dimension.AGENCY, Dimension.YEAR), "12"),
    ],
    ids=lambda value: "-".join(d.value for d in value) if isinstance(value, tuple) else value,
)
async def test_the_estimate_bounds_the_demos_buckets(
    national: httpx.AsyncClient, dimensions: tuple[Dimension, ...], region: str | None
) -> None:
    names = ", ".join(d.value for d in dimensions)
    query = (
        f"query($f: ComplaintFilter) {{ complaintStats(filter: $f, groupBy: [{names}]) "
        "{ buckets { count } } }"
    )
    variables = {"f": {"region": region} if region else None}
    response = await national.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert "errors" not in body, body["errors"]
    actual = len(body["data"]["complaintStats"]["buckets"])
    now = datetime.now(UTC).replace(tzinfo=None)
    criteria = ComplaintCriteria(scope=EVERYTHING, now=now, region=region)
    estimate = BucketEstimator(load_regions()).estimate(dimensions, criteria)
    assert 0 < actual <= estimate <= DEFAULT_BUCKET_CAP
