"""What runs where: the demo topology split into source services and SQL sources.

Pure data, no I/O beyond path arithmetic. North Sumatra's 33 regencies/cities (`reg-12.xx`)
each run as a source service (`kind = "remote"` for the gateway); the other 39 sources
(national, the provinces, `prov-12`) are SQL sources the gateway queries itself, in
PostgreSQL (one schema each) or straight from their seeded SQLite files.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from gateway.demo.topology import SPLIT_PROVINCE, DemoSource, demo_topology
from gateway.regions import RegionIndex

UP_DIR = "up"
SERVICE_PREFIX = f"reg-{SPLIT_PROVINCE}."
"""Sources whose id starts with this run as their own source service."""
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/lapor_demo"
SQL_POOL_SIZE = 2
"""Connections per PostgreSQL source (as many again under bursts): 39 sources share one
server whose default `max_connections` is 100."""


@dataclass(frozen=True, slots=True)
class Storage:
    """Where one source's rows live: an SQLAlchemy URL and, on PostgreSQL, its schema."""

    url: str
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class Topology:
    """The demo's sources, split by how they are reached."""

    services: tuple[DemoSource, ...]
    """Served by their own `lapor-gateway source serve` process (remote for the gateway)."""
    sql: tuple[DemoSource, ...]
    """Queried by the gateway itself."""

    @property
    def all(self) -> tuple[DemoSource, ...]:
        return self.sql + self.services


def split_topology(regions: RegionIndex) -> Topology:
    sources = demo_topology(regions)
    return Topology(
        services=tuple(source for source in sources if is_service(source.id)),
        sql=tuple(source for source in sources if not is_service(source.id)),
    )


def is_service(source_id: str) -> bool:
    return source_id.startswith(SERVICE_PREFIX)


def schema_name(source_id: str) -> str:
    """The PostgreSQL schema of a source: `prov-12` → `src_prov_12`."""
    return "src_" + re.sub(r"[^a-z0-9]+", "_", source_id.lower())


def host_name(source_id: str) -> str:
    """A DNS-safe name for a source's service: `reg-12.71` → `reg-12-71`."""
    return re.sub(r"[^a-z0-9-]+", "-", source_id.lower())


def sqlite_storage(sources_dir: Path, source_id: str) -> Storage:
    return Storage(f"sqlite+aiosqlite:///{sources_dir.resolve() / source_id}.db")


def postgres_storage(url: str, source_id: str) -> Storage:
    return Storage(url, schema_name(source_id))


@dataclass(frozen=True, slots=True)
class UpPaths:
    """Files `lapor-gateway up` writes under `<data-dir>/up/`."""

    data_dir: Path

    @property
    def root(self) -> Path:
        return self.data_dir / UP_DIR

    @property
    def gateway_config(self) -> Path:
        return self.root / "gateway.toml"

    @property
    def registry(self) -> Path:
        return self.root / "registry.toml"

    @property
    def services(self) -> Path:
        return self.root / "services"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def state(self) -> Path:
        """What is running now (pids, ports), while `up` runs."""
        return self.root / "state.json"

    @property
    def sources_dir(self) -> Path:
        """The seeded SQLite files."""
        return self.data_dir / "sources"

    def service_config(self, source_id: str) -> Path:
        return self.services / f"{source_id}.toml"

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"
