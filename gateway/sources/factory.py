"""Building a source from its registry entry: the kind decides the class, nothing else."""

from gateway.errors import ConfigurationError
from gateway.registry import SourceConfig
from gateway.sources.base import Source
from gateway.sources.sql import SqlSource


def build_source(config: SourceConfig) -> Source:
    if config.kind == "sql":
        return SqlSource(config)
    raise ConfigurationError(f"source {config.id!r}: unknown kind {config.kind!r}")
