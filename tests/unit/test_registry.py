"""The source registry: TOML loading, validation, and ownership (longest cover wins)."""

from pathlib import Path

import pytest

from gateway.errors import ConfigurationError
from gateway.regions import NATIONAL, load_regions
from gateway.registry import (
    Registry,
    SourceConfig,
    build_registry,
    load_registry,
    write_registry,
)

REGIONS = load_regions()

SOURCES_TOML = """
[[sources]]
id = "national"
kind = "sql"
url = "sqlite+aiosqlite:///national.db"
covers = ["NATIONAL"]

[[sources]]
id = "prov-12"
kind = "sql"
url = "sqlite+aiosqlite:///prov-12.db"
covers = ["12"]
timeout = 7.5

[[sources]]
id = "reg-12.71"
kind = "sql"
url = "postgresql+asyncpg://lapor@db/lapor"
schema = "reg_12_71"
covers = ["12.71"]
connect_timeout = 1.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.toml"
    path.write_text(text, encoding="utf-8")
    return path


def source(source_id: str, *covers: str) -> SourceConfig:
    return SourceConfig(source_id, "sql", f"sqlite+aiosqlite:///{source_id}.db", covers)


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return load_registry(write(tmp_path, SOURCES_TOML), REGIONS)


def test_load_registry_reads_every_source_in_order(registry: Registry) -> None:
    assert [s.id for s in registry.sources] == ["national", "prov-12", "reg-12.71"]
    assert registry.by_id("reg-12.71") == SourceConfig(
        id="reg-12.71",
        kind="sql",
        url="postgresql+asyncpg://lapor@db/lapor",
        covers=("12.71",),
        schema="reg_12_71",
        timeout=5.0,
        connect_timeout=1.5,
    )
    prov = registry.by_id("prov-12")
    assert (prov.timeout, prov.connect_timeout, prov.schema) == (7.5, 2.0, None)


def test_by_id_of_an_unknown_source_raises_key_error(registry: Registry) -> None:
    with pytest.raises(KeyError):
        registry.by_id("reg-12.72")


def test_defaults_table_applies_to_every_source(tmp_path: Path) -> None:
    text = '[defaults]\nkind = "sql"\ntimeout = 9.0\n' + (
        '[[sources]]\nid = "a"\nurl = "sqlite+aiosqlite:///a.db"\ncovers = ["11"]\n'
        '[[sources]]\nid = "b"\nurl = "sqlite+aiosqlite:///b.db"\ncovers = ["12"]\ntimeout = 1.0\n'
    )
    registry = load_registry(write(tmp_path, text), REGIONS)
    assert [(s.kind, s.timeout) for s in registry.sources] == [("sql", 9.0), ("sql", 1.0)]


@pytest.mark.parametrize(
    ("region", "owner"),
    [
        ("12.71", "reg-12.71"),  # the regency's own cover beats the province's
        ("12.01", "prov-12"),  # nobody else covers 12.01: the province owns it
        ("12.72", "prov-12"),
        ("12", "prov-12"),
        (NATIONAL, "national"),
    ],
)
def test_the_longest_cover_owns_a_region(registry: Registry, region: str, owner: str) -> None:
    assert registry.owner_of[region] == owner


def test_a_source_covering_12_does_not_own_12_71_when_another_covers_12_71(
    registry: Registry,
) -> None:
    assert registry.owners(["12.71"]) == {"reg-12.71"}
    assert registry.owners(["12.01", "12.71"]) == {"prov-12", "reg-12.71"}


def test_regions_nobody_covers_have_no_owner(registry: Registry) -> None:
    assert "11" not in registry.owner_of
    assert "31.71" not in registry.owner_of
    assert registry.owners(["11", "31.71"]) == set()


def test_a_province_cover_owns_its_whole_subtree_and_nothing_else() -> None:
    registry = build_registry([source("prov-12", "12")], REGIONS)
    assert set(registry.owner_of) == {region.code for region in REGIONS.subtree("12")}
    assert NATIONAL not in registry.owner_of


def test_without_a_national_cover_national_has_no_owner() -> None:
    registry = build_registry([source("prov-12", "12")], REGIONS)
    assert registry.owners([NATIONAL]) == set()


def test_a_source_may_cover_several_regions() -> None:
    registry = build_registry([source("multi", "11", "13.71")], REGIONS)
    assert registry.owner_of["11.01"] == "multi"
    assert registry.owner_of["13.71"] == "multi"
    assert "13" not in registry.owner_of
    assert "13.01" not in registry.owner_of


def test_every_region_has_exactly_one_owner_in_the_demo_topology() -> None:
    from gateway.demo.topology import demo_topology

    configs = [source(s.id, *s.covers) for s in demo_topology(REGIONS)]
    registry = build_registry(configs, REGIONS)
    assert set(registry.owner_of) == {NATIONAL, *(region.code for region in REGIONS)}


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([source("a", "11"), source("a", "12")], "source id 'a' appears twice"),
        (
            [source("a", "12"), source("b", "12")],
            "region '12' is covered by both 'a' and 'b'",
        ),
        (
            [source("a", NATIONAL), source("b", NATIONAL)],
            "region 'NATIONAL' is covered by both 'a' and 'b'",
        ),
        ([source("a", "12.7")], "source 'a' covers unknown region '12.7'"),
        ([source("a", "99")], "source 'a' covers unknown region '99'"),
        ([source("a", "1")], "source 'a' covers unknown region '1'"),
    ],
)
def test_inconsistent_sources_are_a_configuration_error(
    sources: list[SourceConfig], message: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        build_registry(sources, REGIONS)
    assert raised.value.message == message


ENTRY = 'id = "a"\nkind = "sql"\nurl = "sqlite+aiosqlite:///a.db"\ncovers = ["12"]\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[sources]]\n" + ENTRY + "[[sources]]\n" + ENTRY, "source id 'a' appears twice"),
        (
            "[[sources]]\n" + ENTRY + "[[sources]]\n" + ENTRY.replace('"a"', '"b"'),
            "region '12' is covered by both 'a' and 'b'",
        ),
        (
            "[[sources]]\n" + ENTRY.replace('["12"]', '["12", "77.77"]'),
            "source 'a' covers unknown region '77.77'",
        ),
        (
            "[[sources]]\n" + ENTRY.replace('"sql"', '"graphql"'),
            "source 'a' is invalid: kind: Input should be 'sql'",
        ),
        (
            "[[sources]]\n" + ENTRY.replace('url = "sqlite+aiosqlite:///a.db"\n', ""),
            "url: Field required",
        ),
        ("[[sources]]\n" + ENTRY.replace('covers = ["12"]\n', ""), "covers: Field required"),
        ("[[sources]]\n" + ENTRY.replace('id = "a"\n', ""), "id: Field required"),
        ("[[sources]]\n" + ENTRY.replace('kind = "sql"\n', ""), "kind: Field required"),
        ("", "lists no [[sources]]"),
        ("sources = []\n", "lists no [[sources]]"),
        ('sources = "reg-12.71"\n', "lists no [[sources]]"),
        ("sources = [1]\n", "every [[sources]] entry must be a table"),
        ("[[sources]\nid = ", "cannot read registry"),
        ('[[sources]]\nid = "a"\nid = "b"\n', "cannot read registry"),
    ],
)
def test_a_bad_registry_file_is_a_configuration_error_with_a_clear_message(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigurationError) as raised:
        load_registry(path, REGIONS)
    assert message in raised.value.message
    assert raised.value.code == "CONFIGURATION_ERROR"


def test_a_missing_registry_file_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigurationError, match="cannot read registry") as raised:
        load_registry(path, REGIONS)
    assert str(path) in raised.value.message


def test_a_registry_that_is_not_utf8_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "registry.toml"
    path.write_bytes(b'[[sources]]\nid = "\xff"\n')
    with pytest.raises(ConfigurationError, match="cannot read registry"):
        load_registry(path, REGIONS)


@pytest.mark.parametrize("bad", ["covers = 12", 'covers = ["12"]\ntimeout = "soon"'])
def test_a_field_of_the_wrong_type_is_a_configuration_error(tmp_path: Path, bad: str) -> None:
    text = '[[sources]]\nid = "a"\nkind = "sql"\nurl = "sqlite+aiosqlite:///a.db"\n' + bad + "\n"
    with pytest.raises(ConfigurationError, match="'a'"):
        load_registry(write(tmp_path, text), REGIONS)


def test_covers_given_as_a_string_is_refused_as_not_a_list(tmp_path: Path) -> None:
    text = '[[sources]]\nid = "a"\nkind = "sql"\nurl = "sqlite+aiosqlite:///a.db"\ncovers = "12"\n'
    with pytest.raises(ConfigurationError) as raised:
        load_registry(write(tmp_path, text), REGIONS)
    assert "covers: Input should be a valid list" in raised.value.message


def test_write_registry_round_trips_through_load_registry(tmp_path: Path) -> None:
    sources = [
        SourceConfig("national", "sql", "sqlite+aiosqlite:////var/lib/n.db", (NATIONAL,)),
        SourceConfig(
            "prov-12",
            "sql",
            "postgresql+asyncpg://lapor@db:5432/lapor",
            ("12",),
            schema="prov_12",
            timeout=3.25,
            connect_timeout=0.5,
        ),
        SourceConfig("reg-12.71", "sql", "sqlite+aiosqlite:///r.db", ("12.71",), timeout=10.0),
        SourceConfig("multi", "sql", "sqlite+aiosqlite:///m.db", ("11", "13.71")),
    ]
    path = tmp_path / "written.toml"
    write_registry(path, sources)
    loaded = load_registry(path, REGIONS)
    assert list(loaded.sources) == sources
    assert loaded.owner_of == build_registry(sources, REGIONS).owner_of


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///C:\\lapor\\reg.db",  # a Windows path
        'postgresql+asyncpg://lapor:pa"ss@db/lapor',  # a quote in a password
    ],
)
def test_write_registry_round_trips_urls_with_backslashes_and_quotes(
    tmp_path: Path, url: str
) -> None:
    sources = [SourceConfig("a", "sql", url, ("12",))]
    path = tmp_path / "written.toml"
    write_registry(path, sources)
    assert list(load_registry(path, REGIONS).sources) == sources
