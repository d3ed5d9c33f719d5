"""Parallel calls to sources under a per-source deadline.

A failing or slow source never fails the request: its failure is returned beside the answers
of the others, with a stable code and no internal text. The deadline lives here, inside each
source call, never around a shared loader future.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from gateway.errors import SourceError, SourceTimeoutError, SourceUnavailableError
from gateway.sources.base import Source

logger = logging.getLogger("lapor.sources")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceFailure:
    source_id: str
    code: str

    @property
    def message(self) -> str:
        return f"source {self.source_id} did not answer ({self.code})"


async def call_source(source: Source, call: Callable[[Source], Awaitable[T]]) -> T:
    """One source call with its deadline; failures become coded `SourceError`s."""
    try:
        async with asyncio.timeout(source.config.timeout):
            return await call(source)
    except TimeoutError:
        raise SourceTimeoutError("source timed out", source=source.config.id) from None
    except SourceError:
        raise
    except OSError:
        logger.warning("source %s unavailable", source.config.id, exc_info=True)
        raise SourceUnavailableError("source unavailable", source=source.config.id) from None
    except Exception:
        logger.exception("source %s failed", source.config.id)
        raise SourceError("source failed", source=source.config.id) from None


async def fan_out(
    sources: Iterable[Source], call: Callable[[Source], Awaitable[T]]
) -> tuple[dict[str, T], list[SourceFailure]]:
    """The same call on every source in parallel: answers by source id, and failures."""
    sources = list(sources)
    results = await asyncio.gather(
        *(call_source(source, call) for source in sources), return_exceptions=True
    )
    answers: dict[str, T] = {}
    failures: list[SourceFailure] = []
    for source, result in zip(sources, results, strict=True):
        if isinstance(result, SourceError):
            failures.append(SourceFailure(source.config.id, result.code))
        elif isinstance(result, BaseException):
            raise result
        else:
            answers[source.config.id] = result
    return answers, failures
