"""Gateway memory under mixed load: RSS and threads, sampled from /proc while it serves.

One gateway (uvicorn, one worker) over the embedded demo (72 SQLite sources) serves a mix for
`--minutes` at `--concurrency`: regency portal pages of every North Sumatra regency, the
provincial page, a national page, national and provincial stats, and lookups by id of
complaints the pages returned. RSS and the thread count are read from /proc/<pid>/status
every `--every` seconds; the script prints them, the peak, and the growth over the last half.
Only 127.0.0.1 is contacted. See bench/README.md.
"""

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path

import httpx
import orjson

from bench.portal_page import CONFIG_ENV, DEFAULT_DATA_DIR, start_server, stop, wait_ready

PAGE = (
    "query($r: String) { complaints(first: 50, filter: {region: $r}) { edges { node {"
    " id title status submittedAt handlingAgency { name } category { name }"
    " statusHistory { toStatus at } } } } }"
)
STATS = (
    "query($r: String) { complaintStats(filter: {region: $r}, groupBy: [REGENCY, YEAR])"
    " { buckets { key { regency year } count resolutionRate } } }"
)
LOOKUP = "query($id: ID!) { complaint(id: $id) { id title status region { code } } }"


def status_of(pid: int) -> dict[str, int]:
    """VmRSS (KiB) and Threads from /proc/<pid>/status."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "Threads"}:
            values[name] = int(value.split()[0])
    return values


def identities(data_dir: Path) -> list[tuple[str, str | None, str]]:
    """(token, region of the page, kind): regency operators of North Sumatra, its
    provincial staff, a national analyst."""
    from gateway.domain import PrincipalTier, Role
    from gateway.regions import load_regions
    from gateway.tokens import demo_secret, issue_demo_token

    secret = demo_secret(data_dir)
    regencies = [region.code for region in load_regions().subtree("12") if region.code != "12"]
    found = [
        (issue_demo_token(secret, PrincipalTier.REGENCY, region=code, role=Role.OPERATOR), code)
        for code in regencies
    ]
    provincial = issue_demo_token(secret, PrincipalTier.PROVINCIAL, region="12", role=Role.ANALYST)
    national = issue_demo_token(secret, PrincipalTier.NATIONAL, role=Role.ANALYST)
    return [
        *((token, code, "regency") for token, code in found),
        (provincial, "12", "provincial"),
        (national, None, "national"),
    ]


async def worker(
    client: httpx.AsyncClient,
    who: list[tuple[str, str | None, str]],
    deadline: float,
    seen: list[str],
    counts: dict[str, int],
    rng: random.Random,
) -> None:
    while time.monotonic() < deadline:
        token, region, kind = rng.choice(who)
        roll = rng.random()
        if roll < 0.6:
            query, variables, name = PAGE, {"r": region}, f"{kind} page"
        elif roll < 0.8:
            query, variables, name = STATS, {"r": region}, f"{kind} stats"
        elif seen:
            query, variables, name = LOOKUP, {"id": rng.choice(seen)}, "lookup"
        else:
            continue
        response = await client.post(
            "/graphql",
            content=orjson.dumps({"query": query, "variables": variables}),
            headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        )
        body = response.json()
        ok = response.status_code == 200 and "data" in body and body["data"] is not None
        key = name if ok else f"{name} failed"
        counts[key] = counts.get(key, 0) + 1
        if ok and query is PAGE and len(seen) < 5000 and kind == "regency":
            seen += [edge["node"]["id"] for edge in body["data"]["complaints"]["edges"][:5]]


async def drive(port: int, args: argparse.Namespace, pid: int, data_dir: Path) -> int:
    who = identities(data_dir)
    seen: list[str] = []
    counts: dict[str, int] = {}
    rng = random.Random(7)
    samples: list[tuple[float, int, int]] = []
    started = time.monotonic()
    deadline = started + args.minutes * 60
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30.0
    ) as client:
        workers = [
            asyncio.create_task(worker(client, who, deadline, seen, counts, rng))
            for _ in range(args.concurrency)
        ]
        while time.monotonic() < deadline:
            await asyncio.sleep(args.every)
            status = status_of(pid)
            samples.append((time.monotonic() - started, status["VmRSS"], status["Threads"]))
            print(
                f"  {samples[-1][0]:6.0f} s  RSS {status['VmRSS'] / 1024:6.1f} MiB"
                f"  threads {status['Threads']:4d}  answers {sum(counts.values())}",
                flush=True,
            )
        await asyncio.gather(*workers)
    failed = sum(n for name, n in counts.items() if name.endswith("failed"))
    half = [rss for at, rss, _ in samples if at >= args.minutes * 30]
    print(f"answers: {dict(sorted(counts.items()))}")
    print(f"peak RSS {max(rss for _, rss, _ in samples) / 1024:.1f} MiB, threads at most "
          f"{max(threads for _, _, threads in samples)}; over the last half RSS went from "
          f"{half[0] / 1024:.1f} to {half[-1] / 1024:.1f} MiB")  # fmt: skip
    return 1 if failed else 0


def main() -> int:
    from gateway.demo.setup import CONFIG_FILE, is_seeded, seed_data_dir, write_demo_config

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between samples")
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()
    if not is_seeded(data_dir):
        seed_data_dir(data_dir, 1.0, lambda line: print(f"  {line}", flush=True))
    write_demo_config(data_dir)
    print(
        f"workload: mixed (60% pages, 20% stats, 20% lookups by id) for {args.minutes:g} min"
        f" at concurrency {args.concurrency}; load average {os.getloadavg()[0]:.2f} at the start",
        flush=True,
    )
    process, port = server = start_server(
        "create_gateway_app", {CONFIG_ENV: str(data_dir / CONFIG_FILE)}
    )
    try:
        wait_ready("gateway", server)
        status = status_of(process.pid)
        print(f"  at start  RSS {status['VmRSS'] / 1024:6.1f} MiB  threads {status['Threads']}")
        return asyncio.run(drive(port, args, process.pid, data_dir))
    finally:
        stop(process)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
