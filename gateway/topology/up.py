"""`lapor-gateway up`: prepare a data directory, then run the topology until stopped.

*Prepare* seeds the demo if needed, makes the node-id key and the source-token key pair, and
puts the 39 SQL sources in PostgreSQL when it is reachable (loaded once per seed), else leaves
them in their SQLite files. *Run* writes the configs under `<data-dir>/up/`, starts the 33
source services and the gateway, waits until all answer, and supervises them until
SIGINT/SIGTERM.
"""

import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from gateway.demo.setup import AUDIT_FILE, OWNER_INDEX_FILE, is_seeded, seed_data_dir, seed_id
from gateway.demo.topology import DemoSource
from gateway.federation.ids import demo_node_id_key
from gateway.regions import load_regions
from gateway.source_tokens import PUBLIC_KEY_FILE, demo_source_key, load_private_key
from gateway.tokens import SECRET_FILE, demo_secret
from gateway.topology.configs import (
    gateway_table,
    registry_sources,
    render_toml,
    service_table,
    write_registry_file,
    write_text,
)
from gateway.topology.layout import (
    DEFAULT_POSTGRES_URL,
    Storage,
    Topology,
    UpPaths,
    postgres_storage,
    schema_name,
    split_topology,
    sqlite_storage,
)
from gateway.topology.postgres import (
    LoadJob,
    LoadReport,
    PostgresUnavailableError,
    display_url,
    ensure_database,
    load_sources,
    port_open,
)
from gateway.topology.supervisor import Child, ChildSpec, Supervisor, TopologyError, describe_exit

Progress = Callable[[str], None]
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class UpOptions:
    data_dir: Path
    host: str
    port: int
    postgres_url: str | None
    """None: the default URL, used only if reachable; else this URL, which must work."""
    use_postgres: bool = True
    regency_postgres_url: str | None = None
    scale: float = 1.0
    ready_timeout: float = 120.0


@dataclass(frozen=True)
class Prepared:
    paths: UpPaths
    topology: Topology
    sql: dict[str, Storage]
    services: dict[str, Storage]
    secret_file: Path
    node_id_key: Path
    private_key: Path
    public_key: Path
    postgres_url: str | None


def prepare(options: UpOptions, progress: Progress) -> Prepared:
    """Seed if needed, make the keys, and load PostgreSQL if it is to be used. PostgreSQL is
    checked first: an unusable explicit URL fails before minutes of seeding."""
    data_dir = options.data_dir
    paths = UpPaths(data_dir)
    postgres_url = _postgres_url(options, progress)
    if options.regency_postgres_url is not None:
        _require(options.regency_postgres_url)
    if is_seeded(data_dir):
        progress(f"using the demo seeded in {data_dir}")
    else:
        progress(f"seeding the demo into {data_dir} (scale {options.scale}) ...")
        seed_data_dir(data_dir, options.scale, progress)
    identity = seed_id(data_dir)
    secret_file = data_dir / SECRET_FILE
    demo_secret(data_dir)
    node_id_key = demo_node_id_key(data_dir)
    private_key, public_key = source_key_pair(data_dir)
    topology = split_topology(load_regions())
    sql = {source.id: sqlite_storage(paths.sources_dir, source.id) for source in topology.sql}
    services = {
        source.id: sqlite_storage(paths.sources_dir, source.id) for source in topology.services
    }
    if postgres_url is not None:
        _load(postgres_url, topology.sql, paths, identity, progress)
        sql = {source.id: postgres_storage(postgres_url, source.id) for source in topology.sql}
    if options.regency_postgres_url is not None:
        _load(options.regency_postgres_url, topology.services, paths, identity, progress)
        services = {
            source.id: postgres_storage(options.regency_postgres_url, source.id)
            for source in topology.services
        }
    return Prepared(
        paths=paths,
        topology=topology,
        sql=sql,
        services=services,
        secret_file=secret_file,
        node_id_key=node_id_key,
        private_key=private_key,
        public_key=public_key,
        postgres_url=postgres_url,
    )


def source_key_pair(data_dir: Path) -> tuple[Path, Path]:
    """The data directory's source-token key pair (made once); the public half is rewritten
    from the private key if it went missing."""
    private = demo_source_key(data_dir)
    public = data_dir / PUBLIC_KEY_FILE
    if not public.exists():
        key = load_private_key(private).public_key()
        public.write_bytes(
            key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    return private, public


def _postgres_url(options: UpOptions, progress: Progress) -> str | None:
    if not options.use_postgres:
        progress("SQL sources: the SQLite files (--no-postgres)")
        return None
    if options.postgres_url is not None:
        _require(options.postgres_url)
        return options.postgres_url
    url = DEFAULT_POSTGRES_URL
    try:
        _require(url)
    except TopologyError as error:
        progress(f"{error}; SQL sources: the SQLite files")
        return None
    return url


def _require(url: str) -> None:
    if not port_open(url):
        raise TopologyError(f"PostgreSQL is not reachable at {display_url(url)}")
    try:
        asyncio.run(ensure_database(url))
    except PostgresUnavailableError as error:
        raise TopologyError(f"PostgreSQL at {display_url(url)} is unusable: {error}") from None


def _load(
    url: str, sources: tuple[DemoSource, ...], paths: UpPaths, identity: str, progress: Progress
) -> LoadReport:
    jobs = [
        LoadJob(source.id, paths.sources_dir / f"{source.id}.db", schema_name(source.id))
        for source in sources
    ]
    report = asyncio.run(load_sources(url, jobs, identity, progress))
    if report.loaded:
        progress(
            f"loaded {len(report.loaded)} sources ({report.complaints:,} complaints, "
            f"{report.rows:,} rows) into {display_url(url)} in {report.seconds:.1f} s"
        )
    else:
        progress(f"{len(report.skipped)} sources already loaded in {display_url(url)}")
    return report


# -- run ------------------------------------------------------------------------------------


def free_ports(
    count: int, host: str = LOOPBACK, exclude: frozenset[int] = frozenset()
) -> list[int]:
    """`count` distinct ports free right now (the kernel's choice), none of `exclude` (a port
    chosen but not bound yet, like the gateway's)."""
    probes = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            probe = socket.socket()
            probes.append(probe)
            probe.bind((host, 0))
            port: int = probe.getsockname()[1]
            if port not in exclude:
                ports.append(port)
        return ports
    finally:
        for probe in probes:
            probe.close()


def check_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise TopologyError(
                f"cannot serve the gateway on {host}:{port}: {error.strerror}; pass --port"
            ) from None


def connect_host(host: str) -> str:
    """Where to reach a server bound to `host` from this machine."""
    return LOOPBACK if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - not a bind


def write_configs(prepared: Prepared, service_ports: dict[str, int]) -> None:
    """The service configs, the registry and the gateway config under `<data-dir>/up/`."""
    paths = prepared.paths
    for source in prepared.topology.services:
        table = service_table(
            source.id,
            source.covers,
            prepared.services[source.id],
            str(prepared.public_key.resolve()),
        )
        write_text(
            paths.service_config(source.id),
            render_toml("service", table, "written by `lapor-gateway up`; rewritten each run"),
        )
    remote_urls = {
        source_id: f"http://{LOOPBACK}:{port}/graphql" for source_id, port in service_ports.items()
    }
    write_registry_file(
        paths.registry, registry_sources(prepared.topology, prepared.sql, remote_urls)
    )
    table = gateway_table(
        registry=paths.registry.name,
        secret_file=str(prepared.secret_file.resolve()),
        node_id_key_file=str(prepared.node_id_key.resolve()),
        source_key_file=str(prepared.private_key.resolve()),
        audit_url=f"sqlite+aiosqlite:///{(paths.data_dir / AUDIT_FILE).resolve()}",
        owner_index_url=f"sqlite+aiosqlite:///{(paths.data_dir / OWNER_INDEX_FILE).resolve()}",
    )
    write_text(
        paths.gateway_config,
        render_toml("gateway", table, "written by `lapor-gateway up`; rewritten each run"),
    )


def child_specs(
    prepared: Prepared, options: UpOptions, service_ports: dict[str, int]
) -> list[ChildSpec]:
    """The 33 services, then the gateway, each with its command line and readiness probe."""
    paths = prepared.paths
    command = [sys.executable, "-m", "gateway"]
    specs = [
        ChildSpec(
            name=source_id,
            argv=[
                *command,
                "source",
                "serve",
                "--config",
                str(paths.service_config(source_id)),
                "--host",
                LOOPBACK,
                "--port",
                str(port),
            ],
            port=port,
            probe_url=f"http://{LOOPBACK}:{port}/healthz",
            log=paths.log(source_id),
        )
        for source_id, port in service_ports.items()
    ]
    host = connect_host(options.host)
    specs.append(
        ChildSpec(
            name="gateway",
            argv=[
                *command,
                "up",
                "--gateway-only",
                "--gateway-config",
                str(paths.gateway_config),
                "--data-dir",
                str(paths.data_dir),
                "--host",
                options.host,
                "--port",
                str(options.port),
            ],
            port=options.port,
            probe_url=f"http://{host}:{options.port}/readyz",
            log=paths.log("gateway"),
        )
    )
    return specs


def run(prepared: Prepared, options: UpOptions, supervisor: Supervisor, say: Progress) -> int:
    """Start everything, wait until ready, supervise until stopped (StopRequested) or the
    gateway exits (status 1). The caller stops the supervisor's children in any case."""
    check_port_free(options.host, options.port)
    ports = free_ports(len(prepared.topology.services), exclude=frozenset({options.port}))
    service_ports = {
        source.id: port for source, port in zip(prepared.topology.services, ports, strict=True)
    }
    write_configs(prepared, service_ports)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for spec in child_specs(prepared, options, service_ports):
        supervisor.start(spec, env)
    _print_table(prepared, supervisor, say)
    elapsed = supervisor.wait_ready(options.ready_timeout)
    base = f"http://{connect_host(options.host)}:{options.port}"
    _write_state(prepared, supervisor, base)
    say(f"ready in {elapsed:.1f} s: GraphiQL {base}/graphql (Ctrl-C stops everything)")
    return _supervise(supervisor, say)


def _supervise(supervisor: Supervisor, say: Progress) -> int:
    while True:
        for child in supervisor.exited():
            code = child.process.returncode
            if child.spec.name == "gateway":
                say(f"the gateway (pid {child.pid}) {describe_exit(code)}; stopping")
                return 1
            say(
                f"{child.spec.name} (pid {child.pid}) {describe_exit(code)}; the gateway "
                "answers without it (complete: false, missingSources)"
            )
        time.sleep(0.5)


def _print_table(prepared: Prepared, supervisor: Supervisor, say: Progress) -> None:
    sql_store = (
        f"PostgreSQL {display_url(prepared.postgres_url)}"
        if prepared.postgres_url
        else "SQLite files"
    )
    service_store = "PostgreSQL" if next(iter(prepared.services.values())).schema else "SQLite file"
    say(
        f"started {len(supervisor.children)} processes "
        f"(process group {supervisor.group}; logs in {prepared.paths.logs}):"
    )
    say(f"  {'pid':>7}  {'port':>5}  process")
    for child in supervisor.children:
        if child.spec.name == "gateway":
            what = (
                f"gateway, demo mode: {len(prepared.topology.services)} remote sources, "
                f"{len(prepared.topology.sql)} SQL sources in {sql_store}"
            )
        else:
            what = f"source service {child.spec.name} over its {service_store}"
        say(f"  {child.pid:>7}  {child.spec.port:>5}  {what}")


def _write_state(prepared: Prepared, supervisor: Supervisor, base: str) -> None:
    """`<data-dir>/up/state.json`: what runs now, for scripts (tests, benchmarks)."""

    def entry(child: Child) -> dict[str, object]:
        return {"pid": child.pid, "port": child.spec.port, "log": str(child.spec.log)}

    state = {
        "pid": os.getpid(),
        "url": base,
        "postgres": display_url(prepared.postgres_url) if prepared.postgres_url else None,
        "gateway": next(entry(c) for c in supervisor.children if c.spec.name == "gateway"),
        "services": {
            child.spec.name: entry(child)
            for child in supervisor.children
            if child.spec.name != "gateway"
        },
    }
    write_text(prepared.paths.state, json.dumps(state, indent=2) + "\n")
