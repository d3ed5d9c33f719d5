"""Failover: North Sumatra's stats through `lapor-gateway up`, then with 3 regencies killed.

Starts `lapor-gateway up` (or reuses a running one: `--url`), asks a North Sumatra provincial
analyst's stats query by regency `--runs` times one after another, SIGKILLs three of the 33
regency source services by pid, asks again, and prints both latency distributions with the
workload and versions. Everything it started is stopped at the end. Only 127.0.0.1 is
contacted. See bench/README.md.
"""

import argparse
import importlib.metadata
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

DEFAULT_DATA_DIR = Path("/tmp/lapor-bench")  # noqa: S108 - a throwaway bench data dir
PACKAGES = ("strawberry-graphql", "starlette", "uvicorn", "httpx", "sqlalchemy", "asyncpg")
KILLED = ("reg-12.05", "reg-12.71", "reg-12.77")
START_SECONDS = 900  # a first run seeds (a minute or two) and loads PostgreSQL
DOCUMENT = (
    '{ complaintStats(filter: {region: "12"}, groupBy: [REGENCY]) { '
    "buckets { key { regency } count verified resolved overdue resolutionRate } "
    "total { count resolutionRate } complete missingSources } }"
)


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    """Seconds per request."""
    wrong: int = 0
    """Answers not as expected (an error status, or other missing sources than expected)."""
    regencies: int = 0


def start_up(args: argparse.Namespace, log: Path) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "gateway", "up", "--data-dir", str(args.data_dir)]
    argv += ["--port", str(args.port), "--ready-timeout", "300"]
    if args.no_postgres:
        argv.append("--no-postgres")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        # Our own interpreter and arguments.
        return subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603


def wait_state(state_file: Path, process: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    deadline = time.monotonic() + START_SECONDS
    while not state_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"`up` did not become ready; its output:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    state: dict[str, Any] = json.loads(state_file.read_text())
    return state


def stop_up(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(
    client: httpx.Client, phase: Phase, runs: int, warmup: int, missing: tuple[str, ...]
) -> None:
    for number in range(warmup + runs):
        started = time.perf_counter()
        response = client.post("/graphql", json={"query": DOCUMENT})
        elapsed = time.perf_counter() - started
        stats = response.json()["data"]["complaintStats"] if response.status_code == 200 else None
        ok = stats is not None and sorted(stats["missingSources"]) == sorted(missing)
        if number >= warmup:
            phase.latencies.append(elapsed)
            phase.wrong += not ok
            if stats is not None:
                phase.regencies = sum(1 for b in stats["buckets"] if b["key"]["regency"])


def row(phase: Phase) -> str:
    ms = sorted(latency * 1000 for latency in phase.latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return (
        f"{phase.name:<18} {len(ms):>5} {cuts[49]:>8.1f} {cuts[98]:>8.1f} {ms[-1]:>8.1f}"
        f" {phase.regencies:>10} {phase.wrong:>6}"
    )


def main() -> int:
    from gateway.demo.setup import is_seeded
    from gateway.domain import PrincipalTier, Role
    from gateway.tokens import demo_secret, issue_demo_token
    from gateway.topology.layout import UpPaths

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR,
        help="demo data dir, seeded by `up` if it holds no demo (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--url", help="reuse the `up` already serving this data dir at URL")
    parser.add_argument("--port", type=int, default=8000, help="gateway port when starting up")
    parser.add_argument("--no-postgres", action="store_true", help="SQL sources from SQLite")
    parser.add_argument("--runs", type=int, default=50, help="measured requests per phase")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured requests first")
    args = parser.parse_args()
    if 2 * (args.runs + args.warmup) > 550:
        parser.error("at most 550 requests in all: the demo limit is 600 a minute per token")
    args.data_dir = args.data_dir.resolve()
    paths = UpPaths(args.data_dir)
    process = None
    log = paths.root / "failover-bench.log"
    try:
        if args.url:
            state: dict[str, Any] = json.loads(paths.state.read_text())
            if state["url"] != args.url.rstrip("/"):
                raise SystemExit(f"{paths.state} describes {state['url']}, not {args.url}")
        else:
            if not is_seeded(args.data_dir):
                print(f"`up` seeds the demo into {args.data_dir} first ...", flush=True)
            started = time.monotonic()
            process = start_up(args, log)
            state = wait_state(paths.state, process, log)
            print(f"up:       ready in {time.monotonic() - started:.1f} s (log {log})")
        token = issue_demo_token(
            demo_secret(args.data_dir), PrincipalTier.PROVINCIAL, region="12", role=Role.ANALYST
        )
        versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in PACKAGES)
        print(
            f"workload: PROVINCIAL analyst of 12, stats by regency of North Sumatra: prov-12 "
            f"(SQL) + 33 regency source services over HTTP, one request at a time, "
            f"{args.warmup} warm-up + {args.runs} measured per phase\n"
            f"document: {DOCUMENT}\n"
            f"storage:  SQL sources in {state['postgres'] or 'their SQLite files'}; "
            f"services over their SQLite files\n"
            f"machine:  {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}\n"
            f"versions: python {platform.python_version()}, {versions}",
            flush=True,
        )
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=state["url"], headers=headers, timeout=30) as client:
            healthy = Phase("all 33 up")
            measure(client, healthy, args.runs, args.warmup, ())
            for source_id in KILLED:
                os.kill(state["services"][source_id]["pid"], signal.SIGKILL)
            time.sleep(0.5)
            first = Phase("first after kill")
            measure(client, first, 1, 0, KILLED)
            degraded = Phase("3 killed")
            measure(client, degraded, args.runs, args.warmup, KILLED)
        print(f"killed:   {', '.join(KILLED)} (SIGKILL, by pid)")
        print(f"{'phase':<18} {'n':>5} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
              f"{'regencies':>10} {'wrong':>6}")  # fmt: skip
        for phase in (healthy, first, degraded):
            print(row(phase))
        if args.url:
            print(f"note: {', '.join(KILLED)} stay down; restart `up` to bring them back")
        return 1 if healthy.wrong or first.wrong or degraded.wrong else 0
    finally:
        if process is not None:
            stop_up(process)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
