"""Preparing a data directory for the demo: seed once, then write registry and config.

The config also names the data directory's node-id key (`node_id_key_file`, created once, so
global ids survive restarts) and its source-token key pair (`source_token_key_file`,
created once), so a registry that mixes in `remote` sources works with the demo as it is:
`lapor-gateway up` serves the same data with North Sumatra's regencies as source services.
"""

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import tomli_w

from gateway.demo.topology import demo_topology
from gateway.domain import PrincipalTier, Role
from gateway.federation.ids import demo_node_id_key
from gateway.regions import load_regions
from gateway.registry import SourceConfig, write_registry
from gateway.source_tokens import demo_source_key
from gateway.tokens import SECRET_FILE, demo_secret, issue_demo_token

SEED_MARKER = "seed.json"
REGISTRY_FILE = "registry.toml"
CONFIG_FILE = "gateway.toml"
AUDIT_FILE = "audit.db"
OWNER_INDEX_FILE = "owners.db"
SEED_VERSION = 5


def demo_sources(data_dir: Path) -> list[SourceConfig]:
    sources_dir = (data_dir / "sources").resolve()
    return [
        SourceConfig(
            id=source.id,
            kind="sql",
            url=f"sqlite+aiosqlite:///{sources_dir / source.id}.db",
            covers=source.covers,
        )
        for source in demo_topology(load_regions())
    ]


def is_seeded(data_dir: Path, scale: float | None = None) -> bool:
    marker = data_dir / SEED_MARKER
    if not marker.exists():
        return False
    recorded = json.loads(marker.read_text(encoding="utf-8"))
    return bool(
        recorded.get("version") == SEED_VERSION
        and (scale is None or recorded.get("scale") == scale)
    )


def seed_data_dir(data_dir: Path, scale: float, progress: Callable[[str], None]) -> Path:
    """Seed every demo source, then write the registry and config; returns the config file.

    The marker is written last, so an interrupted seed is redone rather than served half-made.
    """
    from gateway.demo.seed import seed_demo  # the generator is only needed when seeding

    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / SEED_MARKER).unlink(missing_ok=True)
    summary = seed_demo(data_dir, scale=scale, progress=progress)
    config = write_demo_config(data_dir)
    marker = {
        "version": SEED_VERSION,
        "scale": scale,
        "complaints": summary.complaints,
        "seed_id": uuid.uuid4().hex,
    }
    (data_dir / SEED_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    progress(
        f"seeded {summary.sources} sources, {summary.complaints:,} complaints "
        f"in {summary.seconds:.1f} s into {data_dir}"
    )
    return config


def seed_id(data_dir: Path) -> str:
    """The identity of the data directory's current seed: a new one on every (re)seed, so a
    copy of the data made elsewhere (e.g. loaded into PostgreSQL) knows when it is stale.
    A seed made before ids existed gets one now."""
    marker = data_dir / SEED_MARKER
    recorded = json.loads(marker.read_text(encoding="utf-8"))
    identity = recorded.get("seed_id")
    if not isinstance(identity, str) or not identity:
        identity = uuid.uuid4().hex
        marker.write_text(json.dumps({**recorded, "seed_id": identity}), encoding="utf-8")
    return identity


def write_demo_config(data_dir: Path) -> Path:
    """The demo's gateway config and registry (every source an SQLite file); also creates the
    demo HS256 secret, the node-id key and the source-token key pair if the data directory
    has none."""
    demo_secret(data_dir)
    node_id_key = demo_node_id_key(data_dir)
    source_key = demo_source_key(data_dir)
    write_registry(data_dir / REGISTRY_FILE, demo_sources(data_dir))
    config = data_dir / CONFIG_FILE
    settings = {
        "mode": "demo",
        "registry": REGISTRY_FILE,
        "jwt_secret_file": SECRET_FILE,
        "node_id_key_file": node_id_key.name,
        # Signs the scope tokens of remote sources, should the registry name any.
        "source_token_key_file": source_key.name,
        "audit_url": f"sqlite+aiosqlite:///{(data_dir / AUDIT_FILE).resolve()}",
        "owner_index_url": f"sqlite+aiosqlite:///{(data_dir / OWNER_INDEX_FILE).resolve()}",
    }
    config.write_text(tomli_w.dumps({"gateway": settings}), encoding="utf-8")
    return config


def demo_tokens(data_dir: Path) -> list[dict[str, str | None]]:
    """The identities offered by the playground's picker."""
    secret = demo_secret(data_dir)
    return [
        {
            "label": "National analyst",
            "token": issue_demo_token(secret, PrincipalTier.NATIONAL, role=Role.ANALYST),
        },
        {
            "label": "Provincial staff — Sumatera Utara (12)",
            "token": issue_demo_token(
                secret, PrincipalTier.PROVINCIAL, region="12", role=Role.ANALYST
            ),
        },
        {
            "label": "Regency operator — Kota Medan (12.71)",
            "token": issue_demo_token(
                secret, PrincipalTier.REGENCY, region="12.71", role=Role.OPERATOR
            ),
        },
        {"label": "Public (no token)", "token": None},
    ]
