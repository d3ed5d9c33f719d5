"""The source registry: which sources exist, what they cover, how to reach them.

A registry is a TOML file:

    [[sources]]
    id = "reg-12.71"
    kind = "sql"
    url = "sqlite+aiosqlite:////var/lib/lapor/reg-12.71.db"
    covers = ["12.71"]
    timeout = 5.0

A `remote` source is a source service (`lapor-gateway source serve`) reached over HTTP:

    [[sources]]
    id = "reg-12.71"
    kind = "remote"
    url = "https://lapor.medan.go.id/source/graphql"
    covers = ["12.71"]
    max_response_bytes = 8388608

A remote url must be https (plain http is accepted on the loopback host only), unless the
source opts in with `allow_plain_http = true`: for a private network the operator trusts,
such as containers talking on a compose network; the scope tokens then travel unencrypted.

`covers` holds `NATIONAL` or region codes; a code covers its whole subtree, and the most
specific cover wins, so a provincial data centre covering `12` does not own `12.71` when a
source covers `12.71` itself. Ownership is therefore exact: every region has one owner.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gateway.errors import ConfigurationError
from gateway.regions import NATIONAL, RegionIndex, province_of

DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class SourceConfig:
    id: str
    kind: str
    url: str
    covers: tuple[str, ...]
    schema: str | None = None
    timeout: float = 5.0
    connect_timeout: float = 2.0
    pool_size: int = 10
    """Connections kept open; as many again may open under bursts."""
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    """Remote sources: a larger answer is abandoned (SOURCE_TOO_LARGE)."""
    allow_plain_http: bool = False
    """Remote sources: accept an http:// url off the loopback host (a trusted private network,
    e.g. containers); tokens and data then travel unencrypted."""


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


class _SourceEntry(BaseModel):
    """One `[[sources]]` table, validated: wrong types are errors, never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    kind: Literal["sql", "remote"]
    url: str = Field(min_length=1)
    covers: list[str] = Field(min_length=1)
    schema_: str | None = Field(default=None, alias="schema")
    timeout: float = Field(default=5.0, gt=0)
    connect_timeout: float = Field(default=2.0, gt=0)
    pool_size: int = Field(default=10, ge=1, le=200)
    max_response_bytes: int = Field(
        default=DEFAULT_MAX_RESPONSE_BYTES, ge=1024, le=1024 * 1024 * 1024
    )
    allow_plain_http: bool = False

    @model_validator(mode="after")
    def _remote_url(self) -> "_SourceEntry":
        """A remote source's token and data travel over TLS: plain HTTP only on loopback, or
        where the entry opts in explicitly (`allow_plain_http`, a trusted private network)."""
        if self.kind != "remote":
            if self.allow_plain_http:
                raise ValueError("`allow_plain_http` applies to remote sources only")
            return self
        parts = urlsplit(self.url)
        host = parts.hostname or ""
        secure = parts.scheme == "https" and bool(host)
        plain = parts.scheme == "http" and bool(host)
        if not secure and not (plain and (host in _LOOPBACK_HOSTS or self.allow_plain_http)):
            raise ValueError(
                "a remote source's url must be https:// (http:// only for 127.0.0.1 or "
                "localhost, or with `allow_plain_http = true` on a trusted private network)"
            )
        if self.schema_ is not None:
            raise ValueError("`schema` applies to sql sources only")
        return self

    def config(self) -> SourceConfig:
        return SourceConfig(
            id=self.id,
            kind=self.kind,
            url=self.url,
            covers=tuple(self.covers),
            schema=self.schema_,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            pool_size=self.pool_size,
            max_response_bytes=self.max_response_bytes,
            allow_plain_http=self.allow_plain_http,
        )


def load_registry(path: Path, regions: RegionIndex) -> Registry:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read registry {path}: {error}") from error
    entries = document.get("sources")
    if not isinstance(entries, list) or not entries:
        raise ConfigurationError(f"registry {path} lists no [[sources]]")
    defaults = document.get("defaults", {})
    return build_registry([_parse_source(entry, defaults, path) for entry in entries], regions)


def write_registry(path: Path, sources: Iterable[SourceConfig]) -> None:
    tables = []
    for source in sources:
        table: dict[str, object] = {
            "id": source.id,
            "kind": source.kind,
            "url": source.url,
            "covers": list(source.covers),
            "timeout": source.timeout,
            "connect_timeout": source.connect_timeout,
            "pool_size": source.pool_size,
        }
        if source.schema:
            table["schema"] = source.schema
        if source.kind == "remote" or source.max_response_bytes != DEFAULT_MAX_RESPONSE_BYTES:
            table["max_response_bytes"] = source.max_response_bytes
        if source.allow_plain_http:
            table["allow_plain_http"] = True
        tables.append(table)
    path.write_text(
        "# lapor-gateway source registry\n\n" + tomli_w.dumps({"sources": tables}),
        encoding="utf-8",
    )


def _parse_source(entry: object, defaults: dict[str, object], path: Path) -> SourceConfig:
    if not isinstance(entry, dict):
        raise ConfigurationError(f"registry {path}: every [[sources]] entry must be a table")
    merged = {**defaults, **entry}
    try:
        return _SourceEntry.model_validate(merged).config()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'entry'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ConfigurationError(
            f"registry {path}: source {merged.get('id', '?')!r} is invalid: {problems}"
        ) from None


def _check_unique(sources: list[SourceConfig]) -> None:
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ConfigurationError(f"source id {source.id!r} appears twice")
        seen.add(source.id)
