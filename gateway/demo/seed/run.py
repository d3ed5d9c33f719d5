"""`seed_demo`: every source of the demo topology, written in parallel worker processes."""

import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from gateway.demo.seed.calibration import region_plan
from gateway.demo.seed.generate import generate_source
from gateway.demo.seed.store import write_sqlite
from gateway.demo.topology import DemoSource, demo_topology
from gateway.regions import load_regions


@dataclass(frozen=True)
class SeedSummary:
    sources: int
    complaints: int
    seconds: float


def seed_demo(
    data_dir: Path,
    *,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda _: None,
) -> SeedSummary:
    """Write `data_dir/sources/<source id>.db` for every demo source (not the registry).

    Sources are generated in spawned worker processes, one per core; a script that calls this
    must do so under `if __name__ == "__main__":`, as multiprocessing requires.
    """
    started = time.perf_counter()
    regions = load_regions()
    # Largest first, so the last job to finish is a small one.
    sources = sorted(demo_topology(regions), key=lambda s: -_planned(s, scale))
    target = data_dir / "sources"
    target.mkdir(parents=True, exist_ok=True)
    jobs = [(source, target / f"{source.id}.db", scale) for source in sources]
    workers = min(len(jobs), os.cpu_count() or 1)
    total = 0
    width = len(str(len(jobs)))
    # spawn, not fork: the caller may be a threaded server or an event loop.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_seed_source, *job) for job in jobs]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                source_id, count = future.result()
                total += count
                progress(f"[{done:>{width}}/{len(jobs)}] {source_id}: {count:,} complaints")
        finally:
            for future in futures:  # after a failure, skip the sources not yet started
                future.cancel()
    return SeedSummary(len(jobs), total, time.perf_counter() - started)


def _seed_source(source: DemoSource, path: Path, scale: float) -> tuple[str, int]:
    data = generate_source(source, load_regions(), scale=scale)
    write_sqlite(path, data)
    return source.id, len(data.complaints)


def _planned(source: DemoSource, scale: float) -> int:
    regions = load_regions()
    plans = (region_plan(home, regions, scale) for home in source.home_regions)
    return sum(counts.submitted for plan in plans for counts in plan)
