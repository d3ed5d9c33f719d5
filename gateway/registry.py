"""The source registry: which sources exist, what they cover, how to reach them.

A registry is a TOML file:

    [[sources]]
    id = "reg-12.71"
    kind = "sql"
    url = "sqlite+aiosqlite:////var/lib/lapor/reg-12.71.db"
    covers = ["12.71"]
    timeout = 5.0

`covers` holds `NATIONAL` or region codes; a code covers its whole subtree, and the most
specific cover wins, so a provincial data centre covering `12` does not own `12.71` when a
source covers `12.71` itself. Ownership is therefore exact: every region has one owner.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gateway.errors import ConfigurationError
from gateway.regions import NATIONAL, RegionIndex, province_of


@dataclass(frozen=True, slots=True)
class SourceConfig:
    id: str
    kind: str
    url: str
    covers: tuple[str, ...]
    schema: str | None = None
    timeout: float = 5.0
    connect_timeout: float = 2.0


@dataclass(frozen=True)
class Registry:
    """Sources plus the owner of every region (longest cover wins)."""

    sources: tuple[SourceConfig, ...]
    owner_of: dict[str, str] = field(repr=False)

    def by_id(self, source_id: str) -> SourceConfig:
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def owners(self, region_codes: Iterable[str]) -> set[str]:
        return {self.owner_of[code] for code in region_codes if code in self.owner_of}


def build_registry(sources: list[SourceConfig], regions: RegionIndex) -> Registry:
    _check_unique(sources)
    cover_owner: dict[str, str] = {}
    for source in sources:
        for cover in source.covers:
            if cover != NATIONAL and cover not in regions:
                raise ConfigurationError(f"source {source.id!r} covers unknown region {cover!r}")
            if cover in cover_owner:
                raise ConfigurationError(
                    f"region {cover!r} is covered by both {cover_owner[cover]!r} and {source.id!r}"
                )
            cover_owner[cover] = source.id
    owner_of: dict[str, str] = {}
    if NATIONAL in cover_owner:
        owner_of[NATIONAL] = cover_owner[NATIONAL]
    for region in regions:
        owner = cover_owner.get(region.code) or cover_owner.get(province_of(region.code))
        if owner is not None:
            owner_of[region.code] = owner
    return Registry(sources=tuple(sources), owner_of=owner_of)


def load_registry(path: Path, regions: RegionIndex) -> Registry:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read registry {path}: {error}") from error
    entries = document.get("sources")
    if not isinstance(entries, list) or not entries:
        raise ConfigurationError(f"registry {path} lists no [[sources]]")
    defaults = document.get("defaults", {})
    return build_registry([_parse_source(entry, defaults, path) for entry in entries], regions)


def write_registry(path: Path, sources: Iterable[SourceConfig]) -> None:
    lines = ["# lapor-gateway source registry", ""]
    for source in sources:
        lines += [
            "[[sources]]",
            f'id = "{source.id}"',
            f'kind = "{source.kind}"',
            f'url = "{source.url}"',
            "covers = [" + ", ".join(f'"{cover}"' for cover in source.covers) + "]",
            f"timeout = {source.timeout}",
            f"connect_timeout = {source.connect_timeout}",
        ]
        if source.schema:
            lines.append(f'schema = "{source.schema}"')
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def _parse_source(entry: object, defaults: dict[str, object], path: Path) -> SourceConfig:
    if not isinstance(entry, dict):
        raise ConfigurationError(f"registry {path}: every [[sources]] entry must be a table")
    merged = {**defaults, **entry}
    try:
        kind = str(merged["kind"])
        if kind != "sql":
            raise ConfigurationError(f"source {merged['id']!r}: unknown kind {kind!r} (known: sql)")
        return SourceConfig(
            id=str(merged["id"]),
            kind=kind,
            url=str(merged["url"]),
            covers=tuple(str(cover) for cover in merged["covers"]),
            schema=str(merged["schema"]) if merged.get("schema") else None,
            timeout=float(merged.get("timeout", 5.0)),
            connect_timeout=float(merged.get("connect_timeout", 2.0)),
        )
    except KeyError as missing:
        raise ConfigurationError(f"registry {path}: a source lacks {missing}") from None


def _check_unique(sources: list[SourceConfig]) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ConfigurationError(f"source id {source.id!r} appears twice")
        seen.add(source.id)
