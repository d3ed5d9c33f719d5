"""The source-call observer seam: metrics and tracing see every guarded source call.

`ObservedSourceCalls` is `SourceCalls` with each guarded call (breaker, retry and all) wrapped
by the observers' context managers; an observer learns the source, the time taken and the
failure code. (Better still would be a hook inside `SourceCalls._guarded` itself; until then
this subclass keeps `resolvers/fanout.py` untouched.)
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from gateway.errors import SourceError
from gateway.sources.base import Source
from resolvers.fanout import SourceCalls

T = TypeVar("T")


class SourceCallObserver(Protocol):
    def observe(self, source_id: str) -> contextlib.AbstractContextManager[None]:
        """Entered around one guarded call; sees its exception (a coded `SourceError`)."""
        ...


def failure_code(error: BaseException | None) -> str | None:
    """The failure's stable code: a `SourceError`'s own, CANCELLED, or INTERNAL."""
    if error is None:
        return None
    if isinstance(error, SourceError):
        return error.code
    return "CANCELLED" if isinstance(error, asyncio.CancelledError) else "INTERNAL"


class ObservedSourceCalls(SourceCalls):
    """`SourceCalls` reporting every guarded call to its observers."""

    def __init__(
        self,
        source_ids: Iterable[str],
        failure_threshold: int = 5,
        reset_after: float = 10.0,
        observers: Iterable[SourceCallObserver] = (),
    ) -> None:
        super().__init__(source_ids, failure_threshold, reset_after)
        self.observers = list(observers)

    async def _guarded(self, source: Source, call: Callable[[Source], Awaitable[T]]) -> T:
        if not self.observers:
            return await super()._guarded(source, call)
        with self._observing(source.config.id):
            return await super()._guarded(source, call)

    @contextlib.contextmanager
    def _observing(self, source_id: str) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for observer in self.observers:
                stack.enter_context(observer.observe(source_id))
            yield
