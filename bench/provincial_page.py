"""Provincial page: the gateway against the SQL it needs, side by side in one run.

North Sumatra's provincial staff (a PROVINCIAL token for `12`) ask for the latest 100
complaints of their province: 34 SQLite sources (the provincial government's and 33
regencies'). The floor is that SQL measured directly with the stdlib `sqlite3` module on the
same files, one source after another, no Python beyond fetching the rows: each source's first
101 keys, then the winners' rows from the sources holding them (what the gateway's keys-first
merge asks). Rounds interleave the two; the gateway's CPU per request is read from
/proc/<pid>/stat. Only 127.0.0.1 is contacted. See bench/README.md.
"""

import argparse
import heapq
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import httpx
import orjson

from bench.portal_page import (
    CONFIG_ENV,
    DEFAULT_DATA_DIR,
    cpu_seconds,
    start_server,
    stop,
    wait_ready,
)

PROVINCE, PAGE_SIZE = "12", 100
DOCUMENT = (
    f"{{ complaints(first: {PAGE_SIZE}) {{ edges {{ node {{"
    " id title status submittedAt region { code } } } pageInfo { hasNextPage } } }"
)
KEYS = (
    "SELECT id, submitted_at FROM complaint WHERE province_code = ? "
    "ORDER BY submitted_at DESC, id DESC LIMIT ?"
)
ROWS = (
    "SELECT id, submitted_at, agency_code, is_anonymous, is_confidential, region_code, status,"
    " title, verified_at FROM complaint WHERE id IN ({}) AND province_code = ?"
)


def floor_page(connections: list[sqlite3.Connection]) -> float:
    """Seconds for the SQL of one page: every source's keys, then the winners' rows."""
    started = time.perf_counter()
    keys = [
        [(at, cid, index) for cid, at in connection.execute(KEYS, (PROVINCE, PAGE_SIZE + 1))]
        for index, connection in enumerate(connections)
    ]
    winners = list(heapq.merge(*keys, reverse=True))[:PAGE_SIZE]
    by_source: dict[int, list[str]] = {}
    for _, cid, index in winners:
        by_source.setdefault(index, []).append(cid)
    for index, ids in by_source.items():
        statement = ROWS.format(", ".join("?" * len(ids)))
        connections[index].execute(statement, (*ids, PROVINCE)).fetchall()
    return time.perf_counter() - started


def main() -> int:
    from gateway.demo.setup import CONFIG_FILE, is_seeded, seed_data_dir, write_demo_config
    from gateway.domain import PrincipalTier, Role
    from gateway.tokens import demo_secret, issue_demo_token

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--requests", type=int, default=60, help="per round and target")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    if not is_seeded(data_dir):
        print(f"seeding the demo into {data_dir} ...", flush=True)
        seed_data_dir(data_dir, 1.0, lambda line: print(f"  {line}", flush=True))
    write_demo_config(data_dir)
    token = issue_demo_token(
        demo_secret(data_dir), PrincipalTier.PROVINCIAL, region=PROVINCE, role=Role.ANALYST
    )
    files = [data_dir / "sources" / "prov-12.db"]
    files += sorted((data_dir / "sources").glob("reg-12.*.db"))
    connections = [sqlite3.connect(f"file:{path}?mode=ro", uri=True) for path in files]
    print(
        f"workload: {PAGE_SIZE}-complaint page, PROVINCIAL token for {PROVINCE}, "
        f"{len(files)} SQLite sources\ndocument: {DOCUMENT}\n"
        f"load:     sequential (c1), {args.rounds} interleaved rounds of {args.requests} "
        f"requests per target; load average {os.getloadavg()[0]:.2f} at the start",
        flush=True,
    )
    process, port = server = start_server(
        "create_gateway_app", {CONFIG_ENV: str(data_dir / CONFIG_FILE)}
    )
    gateway: list[float] = []
    floor: list[float] = []
    cpu: list[float] = []
    try:
        wait_ready("gateway", server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
            body = orjson.dumps({"query": DOCUMENT})
            first = client.post("/graphql", content=body, headers=headers).json()
            edges = first["data"]["complaints"]["edges"]
            if "errors" in first or len(edges) != PAGE_SIZE:
                raise SystemExit(f"gateway answered badly: {str(first)[:400]}")
            for _ in range(10):  # warm-up: caches, pools
                client.post("/graphql", content=body, headers=headers)
                floor_page(connections)
            for number in range(1, args.rounds + 1):
                spent = cpu_seconds(process.pid)
                for _ in range(args.requests):
                    started = time.perf_counter()
                    answer = client.post("/graphql", content=body, headers=headers)
                    gateway.append(time.perf_counter() - started)
                    if answer.status_code != 200 or b'"errors"' in answer.content:
                        raise SystemExit(f"gateway failed: {answer.text[:300]}")
                cpu.append((cpu_seconds(process.pid) - spent) / args.requests)
                floor += [floor_page(connections) for _ in range(args.requests)]
                print(
                    f"  round {number}: gateway p50 {statistics.median(gateway) * 1000:.1f} ms,"
                    f" SQL p50 {statistics.median(floor) * 1000:.2f} ms",
                    flush=True,
                )
    finally:
        stop(process)
    p50, p99 = (statistics.quantiles(gateway, n=100)[i] * 1000 for i in (49, 98))
    sql = statistics.median(floor) * 1000
    print(f"gateway: p50 {p50:.1f} ms, p99 {p99:.1f} ms, CPU {statistics.median(cpu) * 1000:.1f}"
          f" ms/request (all threads)")  # fmt: skip
    print(f"SQL alone (34 sources, keys then winners): p50 {sql:.2f} ms")
    print(f"gateway/SQL p50: {p50 / sql:.1f}x")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
