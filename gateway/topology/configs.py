"""The configuration files of a topology: the gateway's config and registry, and one
`[service]` file per source service. `up` writes them under `<data-dir>/up/`; the compose
generator writes the container variant into `docker/config/`."""

from collections.abc import Mapping
from pathlib import Path

import tomli_w

from gateway.registry import SourceConfig, write_registry
from gateway.topology.layout import SQL_POOL_SIZE, Storage, Topology


def gateway_table(
    *,
    registry: str,
    secret_file: str,
    node_id_key_file: str,
    source_key_file: str,
    audit_url: str,
    owner_index_url: str,
) -> dict[str, object]:
    """The `[gateway]` table: demo mode (demo tokens), signing scope tokens for the services;
    every gateway of a topology seals node ids with the one key, so ids match across them."""
    return {
        "mode": "demo",
        "registry": registry,
        "jwt_secret_file": secret_file,
        "node_id_key_file": node_id_key_file,
        "source_token_key_file": source_key_file,
        "audit_url": audit_url,
        "owner_index_url": owner_index_url,
    }


def registry_sources(
    topology: Topology,
    sql: Mapping[str, Storage],
    remote_urls: Mapping[str, str],
    *,
    allow_plain_http: bool = False,
) -> list[SourceConfig]:
    """The registry: SQL sources at their storage, services at their URLs, in demo order."""
    sources = []
    for source in topology.sql:
        storage = sql[source.id]
        pooled = storage.url.startswith("postgresql")
        sources.append(
            SourceConfig(
                id=source.id,
                kind="sql",
                url=storage.url,
                covers=source.covers,
                schema=storage.schema,
                pool_size=SQL_POOL_SIZE if pooled else 10,
            )
        )
    sources += [
        SourceConfig(
            id=source.id,
            kind="remote",
            url=remote_urls[source.id],
            covers=source.covers,
            allow_plain_http=allow_plain_http,
        )
        for source in topology.services
    ]
    return sources


def service_table(
    source_id: str, covers: tuple[str, ...], storage: Storage, public_key_file: str
) -> dict[str, object]:
    """The `[service]` table of one source service."""
    table: dict[str, object] = {
        "id": source_id,
        "url": storage.url,
        "covers": list(covers),
        "gateway_public_key_file": public_key_file,
    }
    if storage.schema is not None:
        table["schema"] = storage.schema
    if storage.url.startswith("postgresql"):
        table["pool_size"] = SQL_POOL_SIZE
    return table


def render_toml(table_name: str, table: Mapping[str, object], comment: str = "") -> str:
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + (header and "\n") + tomli_w.dumps({table_name: dict(table)})


def write_text(path: Path, text: str) -> None:
    """Write atomically (a reader never sees half a config)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def write_registry_file(path: Path, sources: list[SourceConfig]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_registry(path, sources)
