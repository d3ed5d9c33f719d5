"""What `up` runs where, the files it writes, and the registry's plain-HTTP opt-in."""

import json
from pathlib import Path

import pytest

from gateway.demo.setup import SEED_VERSION, is_seeded, seed_id, write_demo_config
from gateway.errors import ConfigurationError
from gateway.federation.ids import demo_node_id_key
from gateway.regions import load_regions
from gateway.registry import SourceConfig, load_registry, write_registry
from gateway.service.settings import load_service_settings
from gateway.settings import load_settings
from gateway.topology.configs import registry_sources
from gateway.topology.layout import (
    SQL_POOL_SIZE,
    UpPaths,
    host_name,
    postgres_storage,
    schema_name,
    split_topology,
    sqlite_storage,
)
from gateway.topology.up import Prepared, free_ports, source_key_pair, write_configs


def test_the_split_is_33_services_and_39_sql_sources() -> None:
    topology = split_topology(load_regions())
    assert len(topology.services) == 33
    assert len(topology.sql) == 39
    assert all(source.id.startswith("reg-12.") for source in topology.services)
    assert {"national", "prov-12", "prov-31"} <= {source.id for source in topology.sql}
    schemas = {schema_name(source.id) for source in topology.all}
    assert len(schemas) == 72
    assert schema_name("reg-12.71") == "src_reg_12_71"
    assert host_name("reg-12.71") == "reg-12-71"


def registry_text(entry: str) -> str:
    return f'[[sources]]\nid = "reg-12.71"\ncovers = ["12.71"]\n{entry}'


@pytest.mark.parametrize(
    ("entry", "error"),
    [
        ('kind = "remote"\nurl = "http://reg-12-71:8001/graphql"\n', "allow_plain_http"),
        ('kind = "remote"\nurl = "http://reg-12-71:8001/graphql"\nallow_plain_http = false\n',
         "allow_plain_http"),
        ('kind = "remote"\nurl = "ftp://reg-12-71/graphql"\nallow_plain_http = true\n', "https://"),
        ('kind = "remote"\nurl = "http:///graphql"\nallow_plain_http = true\n', "https://"),
        ('kind = "sql"\nurl = "sqlite+aiosqlite:///x.db"\nallow_plain_http = true\n',
         "remote sources only"),
        ('kind = "remote"\nurl = "http://reg-12-71:8001/graphql"\nallow_plain_http = "yes"\n',
         "allow_plain_http"),
    ],
)  # fmt: skip
def test_plain_http_off_loopback_needs_the_explicit_opt_in(
    tmp_path: Path, entry: str, error: str
) -> None:
    path = tmp_path / "registry.toml"
    path.write_text(registry_text(entry), encoding="utf-8")
    with pytest.raises(ConfigurationError, match=error):
        load_registry(path, load_regions())


def test_plain_http_opt_in_is_accepted_and_written_back(tmp_path: Path) -> None:
    path = tmp_path / "registry.toml"
    entry = 'kind = "remote"\nurl = "http://reg-12-71:8001/graphql"\nallow_plain_http = true\n'
    path.write_text(registry_text(entry), encoding="utf-8")
    source = load_registry(path, load_regions()).by_id("reg-12.71")
    assert source.allow_plain_http
    assert source.url.startswith("http://")
    write_registry(path, [source])
    assert "allow_plain_http = true" in path.read_text(encoding="utf-8")
    assert load_registry(path, load_regions()).by_id("reg-12.71") == source
    # Off by default, and not written when off.
    loopback = SourceConfig("reg-12.71", "remote", "http://127.0.0.1:9/graphql", ("12.71",))
    write_registry(path, [loopback])
    assert "allow_plain_http" not in path.read_text(encoding="utf-8")
    assert not load_registry(path, load_regions()).by_id("reg-12.71").allow_plain_http


def test_the_demo_config_names_the_source_token_key(tmp_path: Path) -> None:
    config = write_demo_config(tmp_path)
    settings = load_settings(config)
    assert settings.source_token_key_file == tmp_path / "source-token-key.pem"
    assert settings.source_token_key_file.exists()
    assert (tmp_path / "source-token-key.pub.pem").exists()
    before = settings.source_token_key_file.read_bytes()
    write_demo_config(tmp_path)
    assert settings.source_token_key_file.read_bytes() == before, "made once per data dir"


def test_source_key_pair_restores_a_missing_public_half(tmp_path: Path) -> None:
    private, public = source_key_pair(tmp_path)
    original = public.read_bytes()
    public.unlink()
    assert source_key_pair(tmp_path) == (private, public)
    assert public.read_bytes() == original


@pytest.mark.parametrize("postgres", [False, True])
def test_up_writes_configs_that_load(tmp_path: Path, postgres: bool) -> None:
    topology = split_topology(load_regions())
    paths = UpPaths(tmp_path)
    private, public = source_key_pair(tmp_path)
    secret = tmp_path / "jwt-secret"
    secret.write_text("s" * 48, encoding="utf-8")
    node_id_key = demo_node_id_key(tmp_path)
    url = "postgresql+asyncpg://postgres@127.0.0.1:5432/lapor_demo"
    prepared = Prepared(
        paths=paths,
        topology=topology,
        sql={
            s.id: (postgres_storage(url, s.id) if postgres else sqlite_storage(tmp_path, s.id))
            for s in topology.sql
        },
        services={s.id: sqlite_storage(paths.sources_dir, s.id) for s in topology.services},
        secret_file=secret,
        node_id_key=node_id_key,
        private_key=private,
        public_key=public,
        postgres_url=url if postgres else None,
    )
    ports = dict(zip((s.id for s in topology.services), free_ports(33), strict=True))
    write_configs(prepared, ports)
    settings = load_settings(paths.gateway_config)
    assert settings.demo
    assert settings.source_token_key_file == private
    assert settings.node_id_key_file == node_id_key.resolve()
    registry = load_registry(settings.registry, load_regions())
    remote = [s for s in registry.sources if s.kind == "remote"]
    assert len(remote) == 33
    assert len(registry.sources) == 72
    assert all(s.url == f"http://127.0.0.1:{ports[s.id]}/graphql" for s in remote)
    prov12 = registry.by_id("prov-12")
    assert (prov12.schema == "src_prov_12") is postgres
    assert (prov12.pool_size == SQL_POOL_SIZE) is postgres
    service = load_service_settings(paths.service_config("reg-12.71"))
    assert service.id == "reg-12.71"
    assert service.covers == ("12.71",)
    assert service.gateway_public_key_file == public.resolve()
    assert service.url.endswith("/sources/reg-12.71.db")


def test_registry_sources_keep_the_demo_covers() -> None:
    topology = split_topology(load_regions())
    sources = registry_sources(
        topology,
        {s.id: sqlite_storage(Path("/x"), s.id) for s in topology.sql},
        {s.id: f"http://127.0.0.1:1/{s.id}" for s in topology.services},
    )
    assert {s.id: s.covers for s in sources} == {s.id: s.covers for s in topology.all}


def test_a_seed_keeps_one_id_and_an_old_seed_gets_one(tmp_path: Path) -> None:
    marker = tmp_path / "seed.json"
    marker.write_text(
        json.dumps({"version": SEED_VERSION, "scale": 1.0, "complaints": 5}), encoding="utf-8"
    )
    first = seed_id(tmp_path)
    assert len(first) == 32
    assert seed_id(tmp_path) == first
    assert is_seeded(tmp_path, 1.0), "the marker is still a valid seed marker"
