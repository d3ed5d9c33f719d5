"""Source service settings: the `[service]` table of its TOML file, validated at start-up.

[service]
id = "reg-12.71"                       # the gateway registry's id for this source
url = "postgresql+asyncpg://lapor@db:5432/lapor"   # or sqlite+aiosqlite:////path/file.db
schema = "lapor"                       # optional PostgreSQL search_path
covers = ["12.71"]
gateway_public_key_file = "gateway-source-key.pub.pem"   # PEM or JWKS; relative to file
issuer = "lapor-gateway"               # `iss` of the gateway's tokens (default)
# audience = "reg-12.71"               # `aud` the tokens must carry (default: id)
"""

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.errors import ConfigurationError
from gateway.regions import NATIONAL, load_regions
from gateway.registry import SourceConfig
from gateway.source_tokens import DEFAULT_ISSUER, MAX_TTL_SECONDS


class ServiceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: str = Field(min_length=1, description="This source's id in the gateway registry.")
    url: str = Field(min_length=1, description="SQLAlchemy URL of the source database.")
    schema_: str | None = Field(default=None, alias="schema")
    covers: tuple[str, ...] = Field(min_length=1)
    gateway_public_key_file: Path = Field(
        description="The gateway's source-token public key: a PEM public key or a JWKS file "
        "(re-read when it changes, for key rotation)."
    )
    issuer: str = Field(default=DEFAULT_ISSUER, min_length=1)
    audience: str | None = Field(default=None, min_length=1, description="Default: `id`.")
    leeway_seconds: int = Field(default=5, ge=0, le=60)
    max_token_lifetime_seconds: int = Field(default=MAX_TTL_SECONDS, ge=1, le=MAX_TTL_SECONDS)
    timeout: float = Field(default=30.0, gt=0, description="Seconds per database call.")
    connect_timeout: float = Field(default=2.0, gt=0)
    pool_size: int = Field(default=10, ge=1, le=200)
    max_items: int = Field(
        default=5000, ge=1, le=100_000, description="Largest `limit` and id list accepted."
    )

    @property
    def expected_audience(self) -> str:
        return self.audience or self.id

    def source_config(self) -> SourceConfig:
        """The `SqlSource` configuration of the one database this service answers from."""
        return SourceConfig(
            id=self.id,
            kind="sql",
            url=self.url,
            covers=self.covers,
            schema=self.schema_,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            pool_size=self.pool_size,
        )


def load_service_settings(config_file: Path) -> ServiceSettings:
    """Settings from the `[service]` table; relative key paths are relative to the file."""
    try:
        document = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read config {config_file}: {error}") from error
    values = document.get("service")
    if not isinstance(values, dict):
        raise ConfigurationError(f"config {config_file} has no [service] table")
    values = dict(values)
    key_file = values.get("gateway_public_key_file")
    if isinstance(key_file, str):
        values["gateway_public_key_file"] = config_file.parent / key_file
    if isinstance(values.get("covers"), list):
        values["covers"] = tuple(values["covers"])
    try:
        settings = ServiceSettings.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'service'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ConfigurationError(f"invalid config {config_file}: {problems}") from None
    regions = load_regions()
    unknown = [code for code in settings.covers if code != NATIONAL and code not in regions]
    if unknown:
        raise ConfigurationError(f"config {config_file}: unknown region(s) in covers: {unknown}")
    return settings
