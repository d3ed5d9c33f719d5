"""Gateway settings: environment (`LAPOR_*`) and a TOML config file, validated at start-up."""

import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.admission.limits import ListSizes, QueryLimits
from gateway.errors import ConfigurationError
from gateway.regions import RegionIndex
from gateway.stats_size import BucketEstimator

DEFAULT_DATA_DIR = Path("data")
JWKS_ALGORITHMS = ("RS256", "ES256")
"""Asymmetric algorithms a JWKS key may sign with; HS256 exists only for demo tokens."""
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_LIMITS = QueryLimits()
"""The document bounds' defaults, declared once (`gateway.admission.limits`)."""
_BUCKETS = BucketEstimator(RegionIndex([]))
"""The bucket estimate's defaults, declared once (`gateway.stats_size`)."""


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LAPOR_", extra="forbid")

    mode: Literal["demo", "production"] = "production"
    explain_plans: bool = Field(
        default=False,
        description='Answer a request sending `"extensions": {"plan": true}` with what it '
        "planned (sources, columns, relations, withheld fields); always on in demo mode.",
    )
    registry: Path = Field(description="The source registry TOML file.")
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 secret; accepted only in demo mode."
    )
    jwt_issuer: str = Field(default="lapor-gateway", min_length=1)
    jwt_audience: str = Field(default="lapor-gateway", min_length=1)
    jwt_jwks_file: Path | None = Field(
        default=None, description="A JWKS file of token signing keys; re-read when it changes."
    )
    jwt_jwks_url: str | None = Field(
        default=None,
        description="A JWKS URL of token signing keys: https (http only for the loopback host).",
    )
    jwt_algorithms: list[str] = Field(
        default_factory=lambda: list(JWKS_ALGORITHMS),
        description="Algorithms JWKS-signed tokens may use: RS256 and/or ES256.",
    )
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwks_refresh_seconds: int = Field(
        default=60,
        ge=1,
        le=86400,
        description="At most one JWKS refresh per this many seconds (unknown `kid` floods).",
    )
    jwks_max_keys: int = Field(default=20, ge=1, le=1000)
    default_page_size: int = Field(default=20, ge=1)
    max_page_size: int = Field(default=100, ge=1, le=1000)
    source_token_key_file: Path | None = Field(
        default=None,
        description="PEM EC P-256 private key signing the per-call scope tokens sent to remote "
        "sources (ES256); required when the registry has a `remote` source.",
    )
    source_token_issuer: str = Field(
        default="lapor-gateway",
        min_length=1,
        description="`iss` of the per-call scope tokens (the sources' `issuer`).",
    )
    node_id_key_file: Path | None = Field(
        default=None,
        description="The key sealing global node ids (AES-SIV; base64url of 64 random bytes), "
        "shared by every replica so ids are the same on all; required in production. Demo "
        "mode without one uses a random key per process (ids change on restart).",
    )
    request_deadline_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Every request answers within this time."
    )
    breaker_failures: int = Field(
        default=5, ge=1, le=1000, description="Consecutive failures that open a source's circuit."
    )
    breaker_reset_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="How long an open circuit waits for a probe."
    )
    owner_index_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the complaint owner index: where complaints moved to "
        "another source are handled now, so their ids keep working; without one, a complaint "
        "is looked up by id in its home region's source only.",
    )
    audit_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the append-only reporter access log; without one, "
        "reporter identity is never shown (its reads could not be logged).",
    )
    # The HTTP edge (gateway/http/): every limit is on by default; see the README's
    # "HTTP surface and limits" for why each default is what it is.
    max_body_bytes: int = Field(
        default=128 * 1024, ge=1024, le=16 * 1024 * 1024, description="Request body (413)."
    )
    max_query_length: int = Field(
        default=_LIMITS.max_query_length,
        ge=64,
        le=1024 * 1024,
        description="Query text, in code points.",
    )
    max_tokens: int = Field(
        default=_LIMITS.max_tokens, ge=10, le=100_000, description="Lexical tokens."
    )
    max_depth: int = Field(
        default=_LIMITS.max_depth,
        ge=2,
        le=100,
        description="Nested field levels (see `gateway.admission.limits.DEPTH_LIMIT`).",
    )
    max_aliases: int = Field(default=_LIMITS.max_aliases, ge=0, le=10_000)
    max_root_fields: int = Field(default=_LIMITS.max_root_fields, ge=1, le=1000)
    max_directives: int = Field(default=_LIMITS.max_directives, ge=0, le=10_000)
    max_fragment_spreads: int = Field(
        default=_LIMITS.max_fragment_spreads,
        ge=1,
        le=100_000,
        description="Fragment spreads once fragments are expanded.",
    )
    max_cost: int = Field(
        default=_LIMITS.max_cost,
        ge=1,
        description="Static cost budget: fields x list sizes (see README).",
    )
    # `complaintStats` size (gateway/stats_size.py): a grouping whose estimated buckets exceed
    # the cap is refused before any source is called; the cardinalities feed the estimate.
    stats_bucket_cap: int = Field(
        default=_BUCKETS.cap,
        ge=1,
        le=1_000_000,
        description="Buckets a `complaintStats` may produce (STATS_TOO_LARGE beyond).",
    )
    stats_agencies_per_region: int = Field(
        default=_BUCKETS.agencies_per_region, ge=1, description="Agencies per province or regency."
    )
    stats_national_agencies: int = Field(
        default=_BUCKETS.national_agencies, ge=1, description="National agencies (K/L and BUMN)."
    )
    stats_categories: int = Field(
        default=_BUCKETS.categories, ge=1, description="Complaint categories."
    )
    stats_first_year: int = Field(
        default=_BUCKETS.first_year, ge=1990, le=2100, description="The earliest year sources hold."
    )
    introspection: bool | None = Field(
        default=None, description="Schema introspection; default: on in demo mode only."
    )
    allow_get_queries: bool = Field(
        default=False, description="Queries (never mutations) over GET as well as POST."
    )
    max_batch_size: int = Field(
        default=0, ge=0, le=100, description="Operations per JSON array body; 0: no batching."
    )
    persisted_queries: Literal["off", "automatic", "allowlist"] = Field(
        default="automatic",
        description="automatic: Apollo APQ by sha256; allowlist: only the manifest's operations.",
    )
    persisted_queries_manifest: Path | None = Field(
        default=None, description="JSON manifest of registered operations (sha256 -> text)."
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests per principal (public: per client IP); 0: off."
    )
    redis_url: str | None = Field(
        default=None,
        description="Shared rate-limit counters and disclosure budgets (redis://...); else in "
        "memory.",
    )
    out_of_scope_buckets_per_day: int = Field(
        default=500,
        ge=0,
        description="Aggregate buckets a caller may be shown each day over complaints outside "
        "its own scope (a question costs the buckets it shows and its total once; repeats are "
        "free; a question that does not fit spends the rest of the day); bounds "
        "averaging attacks on the cell key method. 0: no cap.",
    )
    log_lines_per_second: float = Field(
        default=50.0,
        gt=0,
        le=10_000,
        description="Log lines kept per second per kind (logger and code); the rest dropped.",
    )
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus `/metrics`.")
    metrics_public: bool = Field(
        default=False,
        description="Serve `/metrics` to any client. By default only a client on the loopback "
        "address (a scraper on the same host or in the same pod) is answered: the counters "
        "show which sources every caller's requests reached.",
    )
    tracing_enabled: bool = Field(
        default=False, description="OpenTelemetry spans (needs the `tracing` extra)."
    )

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_algorithms_only(cls, algorithms: list[str]) -> list[str]:
        if not algorithms:
            raise ValueError("jwt_algorithms needs at least one of RS256, ES256")
        refused = [name for name in algorithms if name not in JWKS_ALGORITHMS]
        if refused:
            raise ValueError(
                f"jwt_algorithms may only contain RS256 and ES256, not {', '.join(refused)} "
                "(HS256 is for demo tokens only; `none` is never accepted)"
            )
        return list(dict.fromkeys(algorithms))

    @field_validator("jwt_jwks_url")
    @classmethod
    def _https_jwks_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "https" and host:
            return url
        if parts.scheme == "http" and host in _LOOPBACK_HOSTS:
            return url
        raise ValueError("jwt_jwks_url must be https:// (http:// only for 127.0.0.1 or localhost)")

    @model_validator(mode="after")
    def _consistent_auth(self) -> "GatewaySettings":
        if self.jwt_secret is not None and self.mode != "demo":
            raise ValueError("jwt_secret (HS256) is accepted only in demo mode")
        if self.jwt_jwks_file is not None and self.jwt_jwks_url is not None:
            raise ValueError("set jwt_jwks_file or jwt_jwks_url, not both")
        return self

    @model_validator(mode="after")
    def _consistent_edge(self) -> "GatewaySettings":
        if self.persisted_queries == "allowlist" and self.persisted_queries_manifest is None:
            raise ValueError("persisted_queries = 'allowlist' needs persisted_queries_manifest")
        return self

    @property
    def demo(self) -> bool:
        return self.mode == "demo"

    @property
    def introspection_enabled(self) -> bool:
        """Introspection and "Did you mean" suggestions: demo/dev only unless set explicitly."""
        return self.demo if self.introspection is None else self.introspection

    def query_limits(self, sizes: ListSizes) -> QueryLimits:
        return QueryLimits(
            max_query_length=self.max_query_length,
            max_tokens=self.max_tokens,
            max_depth=self.max_depth,
            max_aliases=self.max_aliases,
            max_root_fields=self.max_root_fields,
            max_directives=self.max_directives,
            max_fragment_spreads=self.max_fragment_spreads,
            max_cost=self.max_cost,
            # Suggestions ("Did you mean ...") reveal names as introspection would.
            introspection=self.introspection_enabled,
            suggestions=self.introspection_enabled,
            sizes=sizes,
        )

    def bucket_estimator(self, regions: RegionIndex) -> BucketEstimator:
        return BucketEstimator(
            regions=regions,
            cap=self.stats_bucket_cap,
            agencies_per_region=self.stats_agencies_per_region,
            national_agencies=self.stats_national_agencies,
            categories=self.stats_categories,
            first_year=self.stats_first_year,
        )


def load_settings(config_file: Path) -> GatewaySettings:
    """Settings from the `[gateway]` table of a TOML file; relative paths are relative to it."""
    try:
        document = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read config {config_file}: {error}") from error
    values = dict(document.get("gateway", {}))
    for name in (
        "registry",
        "jwt_jwks_file",
        "source_token_key_file",
        "node_id_key_file",
        "persisted_queries_manifest",
    ):
        if name in values:
            values[name] = config_file.parent / str(values[name])
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
