"""Regency portal page: the gateway against a bare Starlette floor, side by side in one run.

A Kota Medan (12.71) operator asks for the latest 50 complaints with handling agency, category
and status history. The floor answers the same POST with the same JSON, from the same SQLite
source and the same SQL (the page, then agencies, categories and status events) through
SQLAlchemy Core on aiosqlite, serialised by orjson. Both run as one-worker uvicorn processes;
a raw keep-alive HTTP/1.1 load generator (asking no compression) drives them in interleaved
rounds. Only 127.0.0.1 is contacted. See bench/README.md.
"""

import argparse
import asyncio
import contextlib
import gc
import importlib.metadata
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import uvloop
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.federation.ids import NODE_ID_KEY_FILE, NodeIdCodec
from gateway.sources.models import AgencyRow, CategoryRow, ComplaintRow, StatusEventRow

REGION, PAGE_SIZE = "12.71", 50
DOCUMENT = (
    f'{{ complaints(first: {PAGE_SIZE}, filter: {{region: "{REGION}"}}) {{ edges {{ node {{'
    " id trackingId title status submittedAt handlingAgency { code name }"
    " category { code name } statusHistory { fromStatus toStatus at } } } } }"
)
DEFAULT_DATA_DIR = Path("/tmp/lapor-bench")  # noqa: S108 - a throwaway bench data dir
DB_ENV, CONFIG_ENV = "LAPOR_BENCH_FLOOR_DB", "LAPOR_BENCH_GATEWAY_CONFIG"
KEY_ENV = "LAPOR_BENCH_NODE_ID_KEY"  # the floor seals ids as the gateway does, with its key
PACKAGES = ("strawberry-graphql", "graphql-core", "starlette", "uvicorn", "sqlalchemy", "aiosqlite")
SERVER_FLAGS = ["--loop", "uvloop", "--http", "httptools"]  # both come with uvicorn[standard]
C = ComplaintRow.__table__.c  # type: ignore[attr-defined]
A = AgencyRow.__table__.c  # type: ignore[attr-defined]
K = CategoryRow.__table__.c  # type: ignore[attr-defined]
E = StatusEventRow.__table__.c  # type: ignore[attr-defined]


def create_floor_app() -> Starlette:
    """The floor: the gateway's SQL (see gateway/sources/sql.py) and JSON, by hand."""
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{os.environ[DB_ENV]}", connect_args={"timeout": 5.0}
    )
    node_ids = NodeIdCodec.from_file(Path(os.environ[KEY_ENV]))

    async def rows(statement: Any) -> Sequence[Any]:
        async with engine.connect() as connection:
            return (await connection.execute(statement)).all()

    async def page(_: Request) -> Response:
        columns = (C.id, C.submitted_at, C.agency_code, C.category_code, C.status, C.title)
        found = await rows(
            select(*columns, C.tracking_id)
            .where(C.regency_code == REGION)
            .order_by(C.submitted_at.desc(), C.id.desc())
            .limit(PAGE_SIZE + 1)  # the gateway's has-next probe
        )
        found, ids = found[:PAGE_SIZE], [row.id for row in found[:PAGE_SIZE]]
        in_scope = select(C.id).where(C.id.in_(ids), C.regency_code == REGION)
        agency_codes = list(dict.fromkeys(row.agency_code for row in found))
        category_codes = list(dict.fromkeys(row.category_code for row in found))
        agencies, categories, events = await asyncio.gather(
            rows(
                select(A.code, A.name, A.tier, A.kind, A.region_code).where(
                    A.code.in_(agency_codes)
                )
            ),
            rows(select(K.code, K.name).where(K.code.in_(category_codes))),
            rows(
                select(E.complaint_id, E.from_status, E.to_status, E.at, E.actor_agency, E.note)
                .where(E.complaint_id.in_(in_scope))
                .order_by(E.complaint_id, E.at, E.id)
            ),
        )
        agency = {row.code: {"code": row.code, "name": row.name} for row in agencies}
        category = {row.code: {"code": row.code, "name": row.name} for row in categories}
        history: dict[str, list[dict[str, Any]]] = {complaint_id: [] for complaint_id in ids}
        for e in events:
            history[e.complaint_id].append(
                {"fromStatus": e.from_status, "toStatus": e.to_status, "at": e.at}
            )
        edges = [
            {"node": {
                "id": node_ids.encode("Complaint", row.id), "trackingId": row.tracking_id,
                "title": row.title, "status": row.status, "submittedAt": row.submitted_at,
                "handlingAgency": agency.get(row.agency_code),
                "category": category.get(row.category_code), "statusHistory": history[row.id],
            }}
            for row in found
        ]  # fmt: skip
        body = orjson.dumps({"data": {"complaints": {"edges": edges}}})
        return Response(body, media_type="application/json")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        gc.freeze()  # as the gateway does after start-up
        yield
        await engine.dispose()

    return Starlette(routes=[Route("/graphql", page, methods=["POST"])], lifespan=lifespan)


def create_gateway_app() -> Starlette:
    from gateway.app import create_app
    from gateway.settings import load_settings

    settings = load_settings(Path(os.environ[CONFIG_ENV]))
    # One token sends every request: the per-principal limit (600 a minute) would answer most
    # of them 429. Everything else stays as configured.
    return create_app(settings.model_copy(update={"rate_limit_per_minute": 0}))


Server = tuple[subprocess.Popen[bytes], int]
APOLLO_DIR = Path(__file__).resolve().parent / "apollo"
APOLLO_VARIANTS = ("dataloader", "eager")
SEALED_ENV = "LAPOR_BENCH_SEALED_IDS"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(factory: str, env: dict[str, str], module: str = "bench.portal_page") -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", f"{module}:{factory}"]
    command += ["--app-dir", str(Path(__file__).resolve().parent.parent), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command + SERVER_FLAGS, env={**os.environ, **env}, start_new_session=True
    )
    return process, port


def start_apollo(variant: str, env: dict[str, str]) -> Server:
    """Apollo Server 5 on Node (bench/apollo/server.mjs), after `npm install --prefix
    bench/apollo`."""
    if not (APOLLO_DIR / "node_modules").is_dir():
        raise SystemExit("--apollo needs: npm install --prefix bench/apollo --no-audit --no-fund")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - node on our own server file
        ["node", str(APOLLO_DIR / "server.mjs")],  # noqa: S607 - the machine's Node.js
        env={**os.environ, **env, "PORT": str(port), "VARIANT": variant},
        start_new_session=True,
    )
    return process, port


def write_sealed_ids(db: Path, key: Path, target: Path) -> None:
    """The gateway's sealed ids of the page's complaints, for the Apollo peers."""
    import sqlite3

    codec = NodeIdCodec.from_file(key)
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT id FROM complaint WHERE regency_code = ? "
            "ORDER BY submitted_at DESC, id DESC LIMIT ?",
            (REGION, PAGE_SIZE + 1),
        ).fetchall()
    target.write_bytes(orjson.dumps({cid: codec.encode("Complaint", cid) for (cid,) in rows}))


def wait_ready(name: str, server: Server) -> None:
    """uvicorn listens only once the app's start-up is done: a connection means ready."""
    process, port = server
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode} before serving")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise SystemExit(f"{name} not ready on port {port} after a minute")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def check_same(ports: dict[str, int], body: bytes, token: str) -> None:
    """Fail loudly unless both answer the same 50 ids in the same order, and the same JSON."""
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    url = "http://127.0.0.1:{}/graphql"
    answers = {
        n: httpx.post(url.format(p), content=body, headers=headers).json() for n, p in ports.items()
    }
    ids = {
        n: [e["node"]["id"] for e in a["data"]["complaints"]["edges"]] for n, a in answers.items()
    }
    if "errors" in answers["gateway"] or len(ids["gateway"]) != PAGE_SIZE:
        raise SystemExit(f"gateway answered badly: {str(answers['gateway'])[:500]}")
    for name in answers:
        if ids[name] != ids["gateway"]:
            raise SystemExit(f"different complaints: gateway {ids['gateway']} {name} {ids[name]}")
        if answers[name] != answers["gateway"]:
            where = first_difference(answers["gateway"], answers[name])
            raise SystemExit(f"same ids, but the gateway's and the {name}'s JSON differ: {where}")


def first_difference(left: Any, right: Any, path: str = "") -> str:
    """Where two JSON values first differ, and how."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right)):
            if left.get(key, "<absent>") != right.get(key, "<absent>"):
                return first_difference(left.get(key), right.get(key), f"{path}.{key}")
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{index}]")
    return f"{path}: {str(left)[:120]} != {str(right)[:120]}"


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    """The server's CPU seconds (all its threads) over the round, from /proc."""


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def worker(port: int, payload: bytes, deadline: float, result: Result) -> None:
    """One keep-alive connection sending the same request until the deadline."""
    writer: asyncio.StreamWriter | None = None
    while (started := time.perf_counter()) < deadline:
        try:
            async with asyncio.timeout(10):
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(payload)
                head = await reader.readuntil(b"\r\n\r\n")
                length = head.lower().split(b"\r\ncontent-length:", 1)[1].split(b"\r\n", 1)[0]
                body = await reader.readexactly(int(length))
            if not head.startswith(b"HTTP/1.1 200 ") or b'"errors"' in body:
                raise ValueError(head.split(b"\r\n", 1)[0] + b" " + body[:300])
            result.latencies.append(time.perf_counter() - started)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
            if not result.errors:
                print(f"  first error: {e!r}"[:400], file=sys.stderr)
            result.errors += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


async def load(port: int, payload: bytes, concurrency: int, seconds: float) -> Result:
    result, started = Result(), time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(worker(port, payload, deadline, result) for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


async def run_rounds(
    targets: dict[str, tuple[int, bytes, int]], args: argparse.Namespace
) -> dict[str, list[Result]]:
    results: dict[str, list[Result]] = {name: [] for name in targets}
    for number in range(1, args.rounds + 1):
        for name, (port, payload, pid) in targets.items():
            await load(port, payload, args.concurrency, args.warmup)
            spent = cpu_seconds(pid)
            result = await load(port, payload, args.concurrency, args.seconds)
            result.cpu = cpu_seconds(pid) - spent
            results[name].append(result)
            rate = len(result.latencies) / result.seconds
            print(
                f"  round {number} {name:<18} {rate:8.1f} req/s, {result.errors} errors", flush=True
            )
    return results


def summarise(results: dict[str, list[Result]]) -> int:
    """Print the table and ratios; returns the number of failed requests."""
    print(
        f"{'target':<18} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
        f" {'CPU ms/req':>10}"
    )
    rates, p50, cpu, errors = {}, {}, {}, 0
    for name, rounds in results.items():
        latencies = [latency * 1000 for result in rounds for latency in result.latencies]
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        rates[name] = len(latencies) / sum(result.seconds for result in rounds)
        p50[name], failed = cuts[49], sum(result.errors for result in rounds)
        cpu[name] = 1000 * sum(r.cpu for r in rounds) / max(len(latencies), 1)
        errors += failed
        print(
            f"{name:<18} {len(latencies):>9} {rates[name]:>9.1f} {cuts[49]:>8.2f} {cuts[98]:>8.2f}"
            f" {failed:>7} {cpu[name]:>10.2f}"
        )
    for name in rates:
        if name != "gateway":
            print(f"{name}/gateway req/s: {rates[name] / max(rates['gateway'], 1e-9):.2f}x")
            print(f"gateway/{name} p50:   {p50['gateway'] / max(p50[name], 1e-9):.2f}x")
            print(f"gateway/{name} CPU:   {cpu['gateway'] / max(cpu[name], 1e-9):.2f}x")
    return errors


def main() -> int:
    from gateway.demo.setup import CONFIG_FILE, is_seeded, seed_data_dir, write_demo_config
    from gateway.domain import PrincipalTier, Role
    from gateway.tokens import demo_secret, issue_demo_token

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR,
        help="demo data dir, seeded first if it holds no demo (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--seconds", type=float, default=10.0, help="per round and target")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent connections")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each round")
    parser.add_argument(
        "--apollo",
        action="store_true",
        help="add Apollo Server 5 peers (DataLoader, and eager SQL per relation); needs "
        "`npm install --prefix bench/apollo --no-audit --no-fund` first",
    )
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    if not is_seeded(data_dir):
        print(f"seeding the demo into {data_dir} (about a minute) ...", flush=True)
        seed_data_dir(data_dir, 1.0, lambda line: print(f"  {line}", flush=True))
    write_demo_config(data_dir)  # as `lapor-gateway demo` does: this version's config and keys
    secret = demo_secret(data_dir)
    token = issue_demo_token(secret, PrincipalTier.REGENCY, region=REGION, role=Role.OPERATOR)
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in PACKAGES)
    print(
        f"workload: {PAGE_SIZE}-complaint page, REGENCY operator token for {REGION}\n"
        f"document: {DOCUMENT}\n"
        f"load:     {args.concurrency} keep-alive connections, {args.rounds} interleaved rounds"
        f" of {args.seconds:g} s per target, each after {args.warmup:g} s warm-up, no gzip\n"
        f"servers:  uvicorn, 1 worker each, {' '.join(SERVER_FLAGS)}, access log off\n"
        f"versions: python {platform.python_version()}, {versions}",
        flush=True,
    )
    body = orjson.dumps({"query": DOCUMENT})
    servers: dict[str, Server] = {}
    try:
        config, db = data_dir / CONFIG_FILE, data_dir / "sources" / f"reg-{REGION}.db"
        servers["gateway"] = start_server("create_gateway_app", {CONFIG_ENV: str(config)})
        key = data_dir / NODE_ID_KEY_FILE
        servers["floor"] = start_server("create_floor_app", {DB_ENV: str(db), KEY_ENV: str(key)})
        servers["strawberry"] = start_server(
            "create_strawberry_app", {DB_ENV: str(db), KEY_ENV: str(key)}, "bench.plain_strawberry"
        )
        if args.apollo:
            sealed = data_dir / "bench-sealed-ids.json"
            write_sealed_ids(db, key, sealed)
            for variant in APOLLO_VARIANTS:
                servers[f"apollo-{variant}"] = start_apollo(
                    variant, {DB_ENV: str(db), SEALED_ENV: str(sealed)}
                )
        for name, server in servers.items():
            wait_ready(name, server)
        check_same({name: port for name, (_, port) in servers.items()}, body, token)
        print("check:    same 50 ids in the same order, and the same JSON, from all", flush=True)
        head = "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {}\r\n"
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        targets = {
            name: (port, head.format(port, token).encode() + body, process.pid)
            for name, (process, port) in servers.items()
        }
        results = uvloop.run(run_rounds(targets, args))  # the cheapest loop for the client
    finally:
        for process, _ in servers.values():
            stop(process)
    return 1 if summarise(results) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
