"""Gateway settings: environment (`LAPOR_*`) and a TOML config file, validated at start-up."""

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.errors import ConfigurationError

DEFAULT_DATA_DIR = Path("data")


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="forbid")

    mode: Literal["demo", "production"] = "production"
    registry: Path = Field(description="The source registry TOML file.")
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 secret; accepted only in demo mode."
    )
    jwt_issuer: str = "lapor-gateway"
    jwt_audience: str = "lapor-gateway"
    jwt_leeway_seconds: int = 30
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1, le=1000)

    @model_validator(mode="after")
    def _secret_only_in_demo(self) -> "GatewaySettings":
        if self.jwt_secret is not None and self.mode != "demo":
            raise ValueError("jwt_secret (HS256) is accepted only in demo mode")
        return self

    @property
    def demo(self) -> bool:
        return self.mode == "demo"


def load_settings(config_file: Path) -> GatewaySettings:
    """Settings from the `[gateway]` table of a TOML file; relative paths are relative to it."""
    try:
        document = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read config {config_file}: {error}") from error
    values = dict(document.get("gateway", {}))
    if "registry" in values:
        values["registry"] = config_file.parent / str(values["registry"])
    secret_file = values.pop("jwt_secret_file", None)
    if secret_file is not None:
        secret_path = config_file.parent / str(secret_file)
        try:
            values["jwt_secret"] = secret_path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(
                f"cannot read jwt_secret_file {secret_path}: {error}"
            ) from None
    try:
        return GatewaySettings(**values)
    except ValueError as error:
        raise ConfigurationError(f"invalid config {config_file}: {error}") from error
