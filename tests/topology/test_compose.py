"""docker-compose.yml, the Dockerfile and docker/: well-formed, without running Docker.

The compose file is generated (`docker/generate_compose.py`); these tests check the committed
output is the generator's, and that what it says can work: commands the CLI accepts, configs
that load, mounts and COPY sources that exist, official pinned images, a load balancer naming
both replicas, ports on 127.0.0.1 only.
"""

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.cli.main import build_parser
from gateway.federation.ids import NODE_ID_KEY_FILE
from gateway.regions import load_regions
from gateway.registry import load_registry
from gateway.service.settings import load_service_settings
from gateway.source_tokens import PRIVATE_KEY_FILE, PUBLIC_KEY_FILE
from gateway.tokens import SECRET_FILE
from gateway.topology.compose import CONFIG, CONFIG_DIR, DATA, IMAGE, REPLICAS, generated_files
from gateway.topology.layout import host_name, split_topology

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL_PINNED = re.compile(r"[a-z0-9][a-z0-9._-]*:\d[\w.-]*")
"""An official (library) image: no registry or namespace, and a version tag (not `latest`)."""


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def project_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: service for name, service in services.items() if service["image"] == IMAGE}


def test_the_committed_files_are_the_generators_output() -> None:
    for path, text in generated_files().items():
        assert (ROOT / path).read_text(encoding="utf-8") == text, (
            f"{path} is stale: run .venv/bin/python docker/generate_compose.py"
        )
    committed = {str(p.relative_to(ROOT)) for p in (ROOT / CONFIG_DIR).rglob("*.toml")}
    assert committed == {path for path in generated_files() if path.startswith(CONFIG_DIR)}


def test_the_topology_is_the_demo_split(services: dict[str, dict[str, Any]]) -> None:
    topology = split_topology(load_regions())
    assert len(topology.services) == 33
    assert {host_name(source.id) for source in topology.services} <= services.keys()
    assert {"postgres", "postgres-sumut", "redis", "seed", "lb", *REPLICAS} <= services.keys()


def test_every_service_has_an_image_or_a_build(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert "image" in service or "build" in service, name


def test_images_are_official_and_pinned_or_the_project_image_built_here(
    services: dict[str, dict[str, Any]],
) -> None:
    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["seed"]
    assert services["seed"]["build"] == "."
    assert services["seed"]["image"] == IMAGE
    for name, service in services.items():
        image = service["image"]
        if image == IMAGE:
            # Built by `seed`, never pulled (there is no such image in any registry).
            assert "build" in service or service.get("pull_policy") == "never", name
        else:
            assert OFFICIAL_PINNED.fullmatch(image), f"{name}: {image} is not official+pinned"
    base = re.search(r"^FROM\s+(\S+)", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert base is not None
    assert OFFICIAL_PINNED.fullmatch(base.group(1))


def test_project_commands_are_real_cli_invocations(services: dict[str, dict[str, Any]]) -> None:
    parser = build_parser()
    seen = set()
    for name, service in project_services(services).items():
        command = service["command"]
        assert isinstance(command, list), name
        assert command[0] == "lapor-gateway", name
        args = parser.parse_args(command[1:])  # exits (fails the test) on a bad option
        seen.add(args.command)
        assert callable(args.run)
    assert seen == {"up", "source"}


def test_config_files_named_by_commands_exist_and_load(
    services: dict[str, dict[str, Any]],
) -> None:
    parser = build_parser()
    regions = load_regions()
    services_by_source = {}
    for name, service in project_services(services).items():
        args = parser.parse_args(service["command"][1:])
        if args.command == "source":
            settings = load_service_settings(in_repo(args.config))
            assert host_name(settings.id) == name
            assert str(settings.gateway_public_key_file) == f"{DATA}/{PUBLIC_KEY_FILE}"
            services_by_source[settings.id] = (name, args.port)
        elif args.gateway_only:
            gateway = tomllib.loads(in_repo(args.gateway_config).read_text())["gateway"]
            assert gateway["mode"] == "demo"
            assert gateway["jwt_secret_file"] == f"{DATA}/{SECRET_FILE}"
            assert gateway["source_token_key_file"] == f"{DATA}/{PRIVATE_KEY_FILE}"
            # One key in the shared volume: both replicas give a complaint the same id.
            assert gateway["node_id_key_file"] == f"{DATA}/{NODE_ID_KEY_FILE}"
            registry_file = in_repo(args.gateway_config).parent / gateway["registry"]
            registry = load_registry(registry_file, regions)
        else:
            assert args.prepare_only
            assert name == "seed"
    # Every remote source of the registry is one of the services, at its port.
    remote = {source.id: source for source in registry.sources if source.kind == "remote"}
    assert remote.keys() == services_by_source.keys()
    for source_id, (host, port) in services_by_source.items():
        assert remote[source_id].url == f"http://{host}:{port}/graphql"
        assert remote[source_id].allow_plain_http
    sql = [source for source in registry.sources if source.kind == "sql"]
    assert len(sql) == 39
    assert all(source.schema for source in sql)


def in_repo(container_path: Path) -> Path:
    """The repository file a container sees at `container_path` under the config mount."""
    relative = Path(container_path).relative_to(CONFIG)
    return ROOT / CONFIG_DIR / relative


def test_mounts_exist_and_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes", {}))
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repo"
            else:
                assert source in declared, f"{name} mounts undeclared volume {source}"


def test_dockerfile_copies_what_exists_and_is_not_ignored() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    copies = re.findall(r"^COPY\s+(.+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert copies
    for line in copies:
        *sources, _ = shlex.split(line)
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repo"
            assert not any(fnmatch.fnmatch(source, pattern) for pattern in ignored), source
    # What the package needs at run time is inside what the image copies.
    for needed in ("gateway/data/regions.csv", "gateway/playground/page.html"):
        assert any(needed.startswith(source.rstrip("/")) for line in copies for source in
                   shlex.split(line)[:-1]), needed  # fmt: skip


def test_depends_on_targets_exist(services: dict[str, dict[str, Any]]) -> None:
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            assert target in services, f"{name} depends on unknown {target}"
            assert rule["condition"] in conditions
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[target], f"{target} has no healthcheck"
            if rule["condition"] == "service_completed_successfully":
                assert services[target].get("restart") == "no"


def test_the_load_balancer_names_both_replicas(services: dict[str, dict[str, Any]]) -> None:
    lb = services["lb"]
    mount = next(v for v in lb["volumes"] if "nginx" in v)
    conf = (ROOT / mount.split(":")[0]).read_text()
    upstream = re.findall(r"^\s*server\s+([\w.-]+):(\d+)", conf, re.MULTILINE)
    assert sorted(upstream) == sorted((replica, "8000") for replica in REPLICAS)
    assert {replica for replica, _ in upstream} <= services.keys()
    parser = build_parser()
    for replica in REPLICAS:
        args = parser.parse_args(services[replica]["command"][1:])
        assert args.gateway_only
        assert args.port == 8000
        assert args.host == "0.0.0.0"  # noqa: S104 - inside its container
        assert services[replica]["environment"]["LAPOR_REDIS_URL"].startswith("redis://redis:")
        assert "ports" not in services[replica], "replicas are reached through the lb only"


def test_ports_are_bound_to_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert published == {"lb": ["127.0.0.1:8000:80"]}
    for ports in published.values():
        assert all(str(port).startswith("127.0.0.1:") for port in ports)
