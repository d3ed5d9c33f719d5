"""Building a source from its registry entry: the kind decides the class, nothing else."""

from gateway.errors import ConfigurationError
from gateway.registry import SourceConfig
from gateway.source_tokens import SourceTokenSigner
from gateway.sources.base import Source
from gateway.sources.remote import RemoteSource
from gateway.sources.sql import SqlSource


def build_source(config: SourceConfig, signer: SourceTokenSigner | None = None) -> Source:
    """A source for a registry entry. Remote sources need the gateway's `signer` of per-call
    scope tokens (`source_token_key_file`); SQL sources need nothing."""
    if config.kind == "sql":
        return SqlSource(config)
    if config.kind == "remote":
        if signer is None:
            raise ConfigurationError(
                f"source {config.id!r} is remote: set source_token_key_file (the key that "
                "signs the scope tokens remote sources require)"
            )
        return RemoteSource(config, signer)
    raise ConfigurationError(f"source {config.id!r}: unknown kind {config.kind!r}")
