"""Aggregates: `complaintStats` against two floors, side by side in one run.

Three stats queries (national by province; national by province and year; North Sumatra by
regency, year and month) are asked of the gateway over HTTP as a national analyst (exact
figures), and the same GROUP BY is run by hand twice: floor A with the stdlib sqlite3 module
over the source files one after another (all 72 for a national query), summing the groups in
Python; floor B over the same rows loaded into one PostgreSQL table with the sources' indexes.
Rounds interleave the three targets; each round also asks the national query 8 at a time.
Server CPU per request comes from /proc. Only 127.0.0.1 is contacted. See bench/README.md.
"""

import argparse
import asyncio
import contextlib
import importlib.metadata
import os
import platform
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import asyncpg
import httpx
import orjson
from sqlalchemy import Boolean, Date, DateTime
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from gateway.domain import RESOLVED_STATUSES
from gateway.sources.models import ComplaintRow

DEFAULT_ROOT = Path(tempfile.gettempdir()) / "lapor-bench-stats"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_stats"
PACKAGES = (
    "strawberry-graphql", "graphql-core", "starlette", "uvicorn", "sqlalchemy", "aiosqlite",
    "asyncpg",
)  # fmt: skip
RATE_BUDGET = 550  # the demo's limit is 600 requests a minute per token: stay under it in all
PARTIAL_CODES = frozenset({"SOURCE_TIMEOUT", "SOURCE_UNAVAILABLE"})
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CALLS = "lapor_source_calls_total{"
COPY_BATCH = 20_000
TABLE = ComplaintRow.__table__  # type: ignore[attr-defined]
COLUMNS = {
    "PROVINCE": "province_code", "REGENCY": "regency_code", "AGENCY": "agency_code",
    "TIER": "tier", "CATEGORY": "category_code", "TYPE": "type", "CHANNEL": "channel",
    "STATUS": "status", "YEAR": "submitted_year", "MONTH": "submitted_month",
}  # fmt: skip

Key = tuple[object, ...]
Sums = dict[Key, tuple[int, int, int, int]]
"""Per group: count, verified, resolved, overdue."""


@dataclass(frozen=True)
class StatsQuery:
    name: str
    dimensions: tuple[str, ...]
    region: str | None = None

    @property
    def document(self) -> str:
        keys = " ".join(dimension.lower() for dimension in self.dimensions)
        where = f', filter: {{region: "{self.region}"}}' if self.region else ""
        return (
            f"{{ complaintStats(groupBy: [{', '.join(self.dimensions)}]{where}) {{ "
            f"buckets {{ key {{ {keys} }} count verified resolved overdue }} "
            "total { count } complete missingSources } }"
        )

    def sql(self, now: str, region: str) -> str:
        """The GROUP BY of gateway/sources/sql.py for the counts the answer shows, by hand;
        `now` and `region` are the dialect's placeholders."""
        keys = ", ".join(COLUMNS[dimension] for dimension in self.dimensions)
        resolved = ", ".join(f"'{status.value}'" for status in RESOLVED_STATUSES)
        return (
            f"SELECT {keys}, count(*),"  # noqa: S608 - constants of this file
            " sum(CASE WHEN verified_at IS NOT NULL THEN 1 ELSE 0 END),"
            f" sum(CASE WHEN status IN ({resolved}) THEN 1 ELSE 0 END),"
            f" sum(CASE WHEN completion_due_at < coalesce(finished_at, {now}) THEN 1 ELSE 0 END)"
            f" FROM complaint{self.where(region)} GROUP BY {keys}"
        )

    def where(self, region: str) -> str:
        """Complaints handled inside the region (gateway/sources/sql_filters.py)."""
        if not self.region:
            return ""
        return f" WHERE {'regency_code' if '.' in self.region else 'province_code'} = {region}"

    def params(self, now: object) -> tuple[object, ...]:
        return (now, self.region) if self.region else (now,)

    def key_of(self, bucket: dict[str, Any]) -> Key:
        return tuple(bucket["key"][dimension.lower()] for dimension in self.dimensions)


QUERIES = (
    StatsQuery("national x province", ("PROVINCE",)),
    StatsQuery("national x province, year", ("PROVINCE", "YEAR")),
    StatsQuery("12 x regency, year, month", ("REGENCY", "YEAR", "MONTH"), region="12"),
)
CONCURRENT_QUERY = QUERIES[0]


def minute_now() -> datetime:
    """The gateway's `now` for a request: naive UTC, to the minute (gateway/app.py)."""
    return datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0)


def add_rows(sums: dict[Key, list[int]], rows: Sequence[Sequence[Any]]) -> None:
    for row in rows:
        width = len(row) - 4
        counts = sums.setdefault(tuple(row[:width]), [0, 0, 0, 0])
        for index in range(4):
            counts[index] += int(row[width + index] or 0)


def frozen(sums: dict[Key, list[int]]) -> Sums:
    return {key: (c[0], c[1], c[2], c[3]) for key, c in sums.items()}


def process_cpu(pid: int) -> float | None:
    """utime + stime of a process (all its threads), in seconds; None if it is not ours to see."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass(frozen=True)
class Answer:
    seconds: float
    outcome: str
    """ok, partial (complete: false or a source failure code), or error."""
    sums: Sums | None = None
    codes: tuple[str, ...] = ()


class Target(Protocol):
    name: str

    async def ask(self, query: StatsQuery) -> Answer: ...

    def cpu(self) -> float | None:
        """Cumulative CPU seconds of whatever does this target's work."""
        ...

    async def calls(self) -> float | None:
        """Cumulative database calls made (by the gateway: source calls, from /metrics)."""
        ...


class GatewayTarget:
    name = "gateway"

    def __init__(self, client: httpx.AsyncClient, pid: int | None) -> None:
        self.client, self.pid = client, pid

    async def ask(self, query: StatsQuery) -> Answer:
        started = time.perf_counter()
        body = orjson.dumps({"query": query.document})
        try:
            response = await self.client.post("/graphql", content=body)
        except httpx.TransportError as error:
            return Answer(time.perf_counter() - started, "error", codes=(type(error).__name__,))
        return judge(query, response, time.perf_counter() - started)

    def cpu(self) -> float | None:
        return process_cpu(self.pid) if self.pid is not None else None

    async def calls(self) -> float | None:
        """Identical concurrent source calls are shared (gateway/federation/coalesce.py): this
        counts the calls made, once each."""
        response = await self.client.get("/metrics")
        if response.status_code != 200:
            return None
        lines = response.text.splitlines()
        return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(CALLS))


def judge(query: StatsQuery, response: httpx.Response, seconds: float) -> Answer:
    if response.status_code != 200:
        return Answer(seconds, "error", codes=(f"HTTP {response.status_code}",))
    body = orjson.loads(response.content)
    errors = body.get("errors") or []
    codes = tuple(str((e.get("extensions") or {}).get("code")) for e in errors)
    stats = (body.get("data") or {}).get("complaintStats")
    if stats is None:
        return Answer(seconds, "error", codes=codes)
    sums = {
        query.key_of(b): (b["count"], b["verified"], b["resolved"], b["overdue"])
        for b in stats["buckets"]
    }
    partial = not stats["complete"] or any(code in PARTIAL_CODES for code in codes)
    outcome = "partial" if partial else "error" if errors else "ok"
    return Answer(seconds, outcome, sums, codes)


class SqliteFloor:
    """Floor A: the GROUP BY on each source file in turn, one connection each, opened once.

    A query goes only to the files holding rows it counts (found once, before timing), as the
    gateway asks only the sources covering its region: a file without them would still be
    scanned whole, its statistics making the region index look useless there."""

    name = "floor A"

    def __init__(self, files: Sequence[Path], queries: Sequence[StatsQuery]) -> None:
        self.connections = [
            sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            for path in files
        ]
        self.asked = {query.name: self.holding(query) for query in queries}
        self.statements = 0

    def holding(self, query: StatsQuery) -> list[sqlite3.Connection]:
        probe = f"SELECT 1 FROM complaint{query.where('?')} LIMIT 1"  # noqa: S608 - constants
        params = query.params(None)[1:]
        return [c for c in self.connections if c.execute(probe, params).fetchone()]

    async def ask(self, query: StatsQuery) -> Answer:
        started = time.perf_counter()
        # SQLite keeps datetimes as SQLAlchemy writes them (gateway/demo/seed/store.py).
        params = query.params(minute_now().strftime("%Y-%m-%d %H:%M:%S.%f"))
        sql, connections = query.sql("?", "?"), self.asked[query.name]
        sums: dict[Key, list[int]] = {}
        for connection in connections:
            add_rows(sums, connection.execute(sql, params).fetchall())
        self.statements += len(connections)
        return Answer(time.perf_counter() - started, "ok", frozen(sums))

    def cpu(self) -> float | None:
        return time.process_time()  # this process does the work, in this thread

    async def calls(self) -> float | None:
        return self.statements

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


class PostgresFloor:
    """Floor B: the GROUP BY on one table holding every source's complaints."""

    name = "floor B"

    def __init__(self, connection: asyncpg.Connection, pid: int) -> None:
        self.connection, self.pid = connection, pid
        self.statements = 0

    async def ask(self, query: StatsQuery) -> Answer:
        started = time.perf_counter()
        sql, params = query.sql("$1", "$2"), query.params(minute_now())
        sums: dict[Key, list[int]] = {}
        add_rows(sums, [tuple(row) for row in await self.connection.fetch(sql, *params)])
        self.statements += 1
        return Answer(time.perf_counter() - started, "ok", frozen(sums))

    def cpu(self) -> float | None:
        return process_cpu(self.pid)

    async def calls(self) -> float | None:
        return self.statements


# --- PostgreSQL: one table of every source's complaints, loaded once per seed --------------


def _converter(column_type: object) -> Callable[[Any], Any] | None:
    """SQLite holds datetimes and dates as ISO text and booleans as 0/1; COPY wants values."""
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Boolean):
        return bool
    return None


async def copy_source(connection: asyncpg.Connection, path: Path) -> int:
    columns = [column.name for column in TABLE.columns]
    converters = [_converter(column.type) for column in TABLE.columns]
    copied = 0
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as lite:
        cursor = lite.execute(f"SELECT {', '.join(columns)} FROM complaint")  # noqa: S608 - model names
        while rows := cursor.fetchmany(COPY_BATCH):
            records = [
                tuple(
                    v if c is None or v is None else c(v)
                    for v, c in zip(row, converters, strict=True)
                )
                for row in rows
            ]
            await connection.copy_records_to_table(
                "complaint", records=records, columns=columns, schema_name=PG_SCHEMA
            )
            copied += len(records)
    return copied


async def loaded_seed(connection: asyncpg.Connection) -> str | None:
    if not await connection.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{PG_SCHEMA}.loaded"):
        return None
    value = await connection.fetchval(f"SELECT seed_id FROM {PG_SCHEMA}.loaded")  # noqa: S608
    return str(value) if value else None


async def load_postgres(connection: asyncpg.Connection, files: Sequence[Path], seed: str) -> str:
    """Load every source's complaints into PG_SCHEMA.complaint unless this seed already is."""
    if await loaded_seed(connection) == seed:
        count = await connection.fetchval(f"SELECT complaints FROM {PG_SCHEMA}.loaded")  # noqa: S608
        return f"{count:,} complaints already loaded from this seed"
    started = time.perf_counter()
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    async with connection.transaction():
        await connection.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        await connection.execute(f"CREATE SCHEMA {PG_SCHEMA}")
        create = CreateTable(TABLE, include_foreign_key_constraints=())
        await connection.execute(str(create.compile(dialect=dialect)))
        count = 0
        for path in files:
            count += await copy_source(connection, path)
        for index in sorted(TABLE.indexes, key=lambda index: str(index.name)):
            await connection.execute(str(CreateIndex(index).compile(dialect=dialect)))
        await connection.execute(
            f"CREATE TABLE {PG_SCHEMA}.loaded (seed_id text, complaints bigint, seconds float8)"
        )
        seconds = time.perf_counter() - started
        await connection.execute(
            f"INSERT INTO {PG_SCHEMA}.loaded VALUES ($1, $2, $3)",  # noqa: S608
            seed, count, seconds,
        )  # fmt: skip
    await connection.execute(f"VACUUM (ANALYZE) {PG_SCHEMA}.complaint")
    return f"{count:,} complaints loaded in {time.perf_counter() - started:.1f} s (COPY)"


async def open_postgres(
    url: str, files: Sequence[Path], seed: str
) -> tuple[PostgresFloor | None, str]:
    """Floor B, or None and the reason it is skipped."""
    host = urlsplit(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        return None, f"{host} is not this machine (only 127.0.0.1 is contacted)"
    try:
        connection = await asyncpg.connect(
            url, timeout=5, server_settings={"search_path": PG_SCHEMA}
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return None, f"PostgreSQL unreachable at {url}: {error}"
    note = await load_postgres(connection, files, seed)
    # Every CPU second of the query is then the backend's own, readable in /proc.
    await connection.execute("SET max_parallel_workers_per_gather = 0")
    pid = int(await connection.fetchval("SELECT pg_backend_pid()"))
    version = await connection.fetchval("SHOW server_version")
    jit = await connection.fetchval("SHOW jit")
    visible = "readable" if process_cpu(pid) is not None else "NOT readable: CPU n/a"
    floor = PostgresFloor(connection, pid)
    return floor, (
        f"PostgreSQL {version} at {url}, table {PG_SCHEMA}.complaint: {note}; "
        f"no parallel workers, jit {jit}; backend pid {pid} ({visible})"
    )


# --- the gateway: the real server on a free port, or one already running -------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gateway(config: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`lapor-gateway serve` on the data dir's config, as `lapor-gateway demo` serves it."""
    port = free_port()
    argv = [sys.executable, "-m", "gateway", "serve", "--config", str(config)]
    argv += ["--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        # Our own interpreter and arguments.
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the gateway exited early; its log:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        time.sleep(0.2)
    stop(process)
    raise SystemExit(f"the gateway did not answer /healthz in 120 s; see {log}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def listening_pid(port: int) -> int | None:
    """The process listening on 127.0.0.1:`port` (via /proc/net/tcp and fd links), if visible."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{parts[9]}]")
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) in inodes for fd in fd_dir.iterdir()):
                return int(fd_dir.parent.name)
    return None


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Batch:
    """One target's requests for one query in one round (or a concurrency phase)."""

    answers: list[Answer] = field(default_factory=list)
    cpu: float | None = None
    calls: float | None = None
    seconds: float = 0.0


def spent(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


async def measure(target: Target, query: StatsQuery, requests: int, concurrency: int = 1) -> Batch:
    """`requests` answers, `concurrency` at a time; CPU and calls read around them (the
    /metrics scrape outside the CPU window)."""
    batch, remaining = Batch(), [requests]

    async def worker() -> None:
        while remaining[0] > 0:
            remaining[0] -= 1
            batch.answers.append(await target.ask(query))

    calls_before = await target.calls()
    cpu_before, started = target.cpu(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    batch.cpu = spent(cpu_before, target.cpu())
    batch.seconds = time.perf_counter() - started
    batch.calls = spent(calls_before, await target.calls())
    return batch


async def check_same(targets: Sequence[Target]) -> None:
    """Every target gives the same groups and counts for every query, or the bench stops."""
    for query in QUERIES:
        for attempt in range(2):  # a minute boundary between two answers moves `overdue`
            answers = {target.name: await target.ask(query) for target in targets}
            reference = answers["gateway"]
            if reference.outcome != "ok" or reference.sums is None:
                raise SystemExit(f"gateway answered {query.name} badly: {reference}")
            if all(answer.sums == reference.sums for answer in answers.values()):
                complaints = sum(counts[0] for counts in reference.sums.values())
                print(
                    f"check:    {query.name}: {len(reference.sums)} groups, {complaints:,} "
                    "complaints, the same from every target"
                )
                break
            if attempt:
                raise SystemExit(f"{query.name}: the targets disagree\n{disagreement(answers)}")


def disagreement(answers: dict[str, Answer]) -> str:
    gateway = answers["gateway"].sums or {}
    lines = []
    for name, answer in answers.items():
        sums = answer.sums or {}
        differ = [key for key in gateway.keys() | sums.keys() if gateway.get(key) != sums.get(key)]
        for key in sorted(differ, key=str)[:5]:
            lines.append(f"  {name}: {key}: gateway {gateway.get(key)} vs {sums.get(key)}")
    return "\n".join(lines)


Results = dict[tuple[str, str], list[Batch]]


async def run_rounds(
    targets: Sequence[Target], gateway: GatewayTarget, args: argparse.Namespace
) -> tuple[Results, list[Batch]]:
    results: Results = {(q.name, t.name): [] for q in QUERIES for t in targets}
    concurrent: list[Batch] = []
    for query in QUERIES:  # warm every connection and cache first, unmeasured
        for target in targets:
            await measure(target, query, args.warmup)
    share = [args.concurrent_requests // args.rounds] * args.rounds
    share[-1] += args.concurrent_requests - sum(share)
    for number in range(1, args.rounds + 1):
        for query in QUERIES:
            line = []
            for target in targets:
                batch = await measure(target, query, args.requests)
                results[query.name, target.name].append(batch)
                line.append(f"{target.name} {percentile(batch.answers, 50):7.1f}")
            print(f"  round {number} {query.name:<27} p50 ms: {', '.join(line)}", flush=True)
        batch = await measure(gateway, CONCURRENT_QUERY, share[number - 1], args.concurrency)
        concurrent.append(batch)
        print(
            f"  round {number} {'concurrency ' + str(args.concurrency):<27} p50 ms: gateway "
            f"{percentile(batch.answers, 50):7.1f} over {len(batch.answers)} requests",
            flush=True,
        )
    return results, concurrent


# --- reporting ------------------------------------------------------------------------------


def percentile(answers: Sequence[Answer], cut: int) -> float:
    ms = sorted(answer.seconds * 1000 for answer in answers)
    if len(ms) < 2:
        return ms[0] if ms else float("nan")
    return statistics.quantiles(ms, n=100, method="inclusive")[cut - 1]


@dataclass(frozen=True)
class Figures:
    n: int
    p50: float
    p99: float
    cpu_ms: float | None
    calls: float | None
    not_ok: int

    @classmethod
    def of(cls, batches: Sequence[Batch]) -> "Figures":
        answers = [answer for batch in batches for answer in batch.answers]
        n = max(len(answers), 1)
        cpu = total([batch.cpu for batch in batches])
        calls = total([batch.calls for batch in batches])
        return cls(
            n=len(answers),
            p50=percentile(answers, 50),
            p99=percentile(answers, 99),
            cpu_ms=None if cpu is None else cpu * 1000 / n,
            calls=None if calls is None else calls / n,
            not_ok=sum(answer.outcome != "ok" for answer in answers),
        )

    def row(self, label: str, target: str) -> str:
        cpu = "n/a" if self.cpu_ms is None else f"{self.cpu_ms:.1f}"
        calls = "n/a" if self.calls is None else f"{self.calls:.1f}"
        return (
            f"{label:<27} {target:<8} {self.n:>4} {self.p50:>9.1f} {self.p99:>9.1f}"
            f" {cpu:>11} {calls:>10} {self.not_ok:>7}"
        )


def total(values: Sequence[float | None]) -> float | None:
    return None if any(value is None for value in values) else sum(v or 0.0 for v in values)


def ratio(top: float | None, bottom: float | None) -> str:
    if top is None or bottom is None or bottom <= 0:
        return "n/a"
    return f"{top / bottom:.2f}x"


def print_table(results: Results, targets: Sequence[Target]) -> dict[str, dict[str, Figures]]:
    header = f"{'query':<27} {'target':<8} {'n':>4} {'p50 ms':>9} {'p99 ms':>9}"
    print(f"{header} {'CPU ms/req':>11} {'calls/req':>10} {'not ok':>7}")
    figures: dict[str, dict[str, Figures]] = {}
    for query in QUERIES:
        figures[query.name] = {t.name: Figures.of(results[query.name, t.name]) for t in targets}
        for index, (name, figure) in enumerate(figures[query.name].items()):
            print(figure.row(query.name if index == 0 else "", name))
    return figures


def print_ratios(figures: dict[str, dict[str, Figures]]) -> None:
    print(
        f"{'ratios':<27} {'gateway/floor A':>22}   {'floor B/gateway':>22}\n"
        f"{'':<27} {'p50':>10} {'CPU':>11}   {'p50':>10} {'CPU':>11}"
    )
    for name, by_target in figures.items():
        gateway, floor_a = by_target["gateway"], by_target["floor A"]
        floor_b = by_target.get("floor B")
        b_p50 = ratio(floor_b.p50, gateway.p50) if floor_b else "skipped"
        b_cpu = ratio(floor_b.cpu_ms, gateway.cpu_ms) if floor_b else "skipped"
        print(
            f"{name:<27} {ratio(gateway.p50, floor_a.p50):>10} "
            f"{ratio(gateway.cpu_ms, floor_a.cpu_ms):>11}   {b_p50:>10} {b_cpu:>11}"
        )


def print_concurrency(batches: Sequence[Batch], concurrency: int) -> int:
    figures = Figures.of(batches)
    answers = [answer for batch in batches for answer in batch.answers]
    partial = sum(answer.outcome == "partial" for answer in answers)
    errors = sum(answer.outcome == "error" for answer in answers)
    codes = Counter(code for answer in answers for code in answer.codes)
    rate = len(answers) / max(sum(batch.seconds for batch in batches), 1e-9)
    cpu = "n/a" if figures.cpu_ms is None else f"{figures.cpu_ms:.1f}"
    calls = "n/a" if figures.calls is None else f"{figures.calls:.1f}"
    print(
        f"concurrency {concurrency}, {CONCURRENT_QUERY.name}: {figures.n} requests, "
        f"{rate:.1f} req/s, p50 {figures.p50:.1f} ms, p99 {figures.p99:.1f} ms, "
        f"gateway CPU {cpu} ms/req, source calls {calls}/req, partial {partial}, "
        f"errors {errors}" + (f", codes {dict(codes)}" if codes else "")
    )
    return errors


# --- set-up ---------------------------------------------------------------------------------


def prepare_data(args: argparse.Namespace) -> tuple[Path, float]:
    """The data dir, seeded once at the asked scale (reused when it already holds it)."""
    import json

    from gateway.demo.setup import SEED_MARKER, is_seeded, seed_data_dir

    data_dir: Path = (args.data_dir or DEFAULT_ROOT / f"scale-{args.scale or 1.0:g}").resolve()
    if is_seeded(data_dir):
        recorded = float(json.loads((data_dir / SEED_MARKER).read_text())["scale"])
        if args.scale is not None and recorded != args.scale:
            raise SystemExit(f"{data_dir} holds a scale-{recorded:g} demo; pick another dir")
        print(f"data:     {data_dir}: a seeded scale-{recorded:g} demo, reused", flush=True)
        return data_dir, recorded
    if args.url:
        raise SystemExit(f"--url needs the --data-dir of that gateway; {data_dir} holds no demo")
    scale = args.scale or 1.0
    print(f"seeding:  the scale-{scale:g} demo into {data_dir} ...", flush=True)
    started = time.perf_counter()
    seed_data_dir(data_dir, scale, lambda line: None)
    print(f"seeded:   in {time.perf_counter() - started:.1f} s", flush=True)
    return data_dir, scale


def describe(data_dir: Path, scale: float, files: Sequence[Path], args: argparse.Namespace) -> None:
    complaints = 0
    for path in files:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as lite:
            complaints += lite.execute("SELECT count(*) FROM complaint").fetchone()[0]
    size = sum(path.stat().st_size for path in files) / 2**20
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in PACKAGES)
    gateway_requests = gateway_budget(args)
    print(
        f"data:     {len(files)} SQLite sources, {complaints:,} complaints, {size:,.0f} MiB,"
        f" scale {scale:g}\n"
        f"workload: national analyst token (exact figures); per round and query "
        f"{args.requests} requests to each target one at a time, {args.rounds} interleaved "
        f"rounds after {args.warmup} warm-up each; then {args.concurrency} at a time "
        f"({args.concurrent_requests} in all); {gateway_requests} gateway requests\n"
        f"floor A:  stdlib sqlite3 {sqlite3.sqlite_version}, the files in turn, groups summed "
        "in Python (CPU: this process)\n"
        f"floor SQL ({QUERIES[-1].name}): {QUERIES[-1].sql('?', '?')}\n"
        f"machine:  {platform.machine()}, {os.cpu_count()} CPUs\n"
        f"versions: python {platform.python_version()}, {versions}",
        flush=True,
    )
    for query in QUERIES:
        print(f"document: {query.document}")


def git_state() -> str:
    """Which code the gateway ran: a baseline is only comparable with its commit."""
    try:
        head = git("rev-parse", "--short", "HEAD").strip()
        changed = git("status", "--porcelain", "--untracked-files=no").splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"code at {head}" + (f" with {len(changed)} changed files" if changed else "")


def git(*args: str) -> str:
    root = str(Path(__file__).resolve().parent.parent)
    command = ["git", "-C", root, *args]
    # Read-only git commands on this checkout; git from PATH.
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return str(done.stdout)


def gateway_budget(args: argparse.Namespace) -> int:
    """Requests the gateway gets in all: two checks, warm-up and rounds per query, and the
    concurrent ones."""
    per_query: int = 2 + args.warmup + args.rounds * args.requests
    return len(QUERIES) * per_query + int(args.concurrent_requests)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path,
        help=f"demo data dir, seeded first if it holds none (default: {DEFAULT_ROOT}/scale-S)",
    )  # fmt: skip
    parser.add_argument("--scale", type=float, help="seed scale for a new data dir (default 1)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--requests", type=int, default=8, help="per round, query and target")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured, per query and target")
    parser.add_argument("--concurrency", type=int, default=8, help="for the concurrent phase")
    parser.add_argument(
        "--concurrent-requests", type=int, default=96, help="in all, spread over the rounds"
    )
    parser.add_argument("--url", help="measure the gateway already serving --data-dir at URL")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="floor B's database")
    parser.add_argument("--no-postgres", action="store_true", help="skip floor B")
    args = parser.parse_args()
    if min(args.rounds, args.requests, args.concurrency) < 1 or args.warmup < 0:
        parser.error("--rounds, --requests and --concurrency must be at least 1")
    if args.concurrent_requests < args.rounds:
        parser.error("--concurrent-requests must be at least --rounds")
    if gateway_budget(args) > RATE_BUDGET:
        parser.error(
            f"{gateway_budget(args)} gateway requests: at most {RATE_BUDGET} in all, "
            "the demo limit being 600 a minute per token"
        )
    if args.url and urlsplit(args.url).hostname not in {"127.0.0.1", "localhost"}:
        parser.error("--url must be on 127.0.0.1: this bench contacts nothing else")
    return args


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass(frozen=True)
class Setting:
    url: str
    pid: int | None
    token: str
    files: Sequence[Path]
    seed: str


async def measure_all(args: argparse.Namespace, setting: Setting) -> int:
    """Floors opened, answers checked, rounds run, figures printed; returns failed requests."""
    floor_a = SqliteFloor(setting.files, QUERIES)
    asked = ", ".join(f"{name} {len(files)}" for name, files in floor_a.asked.items())
    print(f"floor A:  files holding each query's rows: {asked}", flush=True)
    floor_b: PostgresFloor | None = None
    note = "--no-postgres"
    if not args.no_postgres:
        floor_b, note = await open_postgres(args.postgres, setting.files, setting.seed)
    print(f"floor B:  {note if floor_b else 'skipped: ' + note}", flush=True)
    headers = {"authorization": f"Bearer {setting.token}", "content-type": "application/json"}
    headers["accept-encoding"] = "identity"  # keep the gzip middleware out of the figures
    limits = httpx.Limits(max_connections=args.concurrency)
    try:
        async with httpx.AsyncClient(
            base_url=setting.url, headers=headers, timeout=60, limits=limits
        ) as client:
            gateway = GatewayTarget(client, setting.pid)
            targets: list[Target] = [gateway, floor_a, *([floor_b] if floor_b else [])]
            await check_same(targets)
            results, concurrent = await run_rounds(targets, gateway, args)
    finally:
        floor_a.close()
        if floor_b is not None:
            await floor_b.connection.close()
    print_ratios(print_table(results, targets))
    errors = print_concurrency(concurrent, args.concurrency)
    return errors + sum(Figures.of(batches).not_ok for batches in results.values())


def main() -> int:
    from gateway.demo.setup import CONFIG_FILE, seed_id
    from gateway.domain import PrincipalTier, Role
    from gateway.tokens import demo_secret, issue_demo_token

    args = parse_args()
    load_start = loadavg()
    data_dir, scale = prepare_data(args)
    files = sorted((data_dir / "sources").glob("*.db"))
    describe(data_dir, scale, files, args)
    token = issue_demo_token(demo_secret(data_dir), PrincipalTier.NATIONAL, role=Role.ANALYST)
    process = None
    try:
        if args.url:
            url = args.url.rstrip("/")
            pid = listening_pid(urlsplit(url).port or 80)
            print(
                f"gateway:  {url}, already running (pid {pid or 'not found: CPU n/a'}); "
                "its code is whatever it was started from"
            )
        else:
            log = data_dir / "bench-stats-gateway.log"
            process, url = start_gateway(data_dir / CONFIG_FILE, log)
            pid = process.pid
            print(
                f"gateway:  `lapor-gateway serve` at {url}, pid {pid}, {git_state()} (log {log})",
                flush=True,
            )
        print(f"load avg: start {load_start}", flush=True)
        setting = Setting(url, pid, token, files, seed_id(data_dir))
        failed = asyncio.run(measure_all(args, setting))
    finally:
        if process is not None:
            stop(process)
    print(f"load avg: start {load_start}, end {loadavg()} (1, 5, 15 min)")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
