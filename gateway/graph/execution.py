"""How the schema executes: list completion in time slices, so no result holds the event loop.

graphql-core completes every field of every item of a list synchronously: 10,000 stats buckets
of a dozen fields are ~0.45 s of CPU in one stretch, during which `/healthz` and every other
request wait. `SlicedExecutionContext` completes a list's items exactly as graphql-core does
(`complete_list_item_value`: the same values, errors and paths) but checks the clock between
items; once the current slice is used up it continues in a coroutine that yields to the event
loop (`asyncio.sleep(0)`) before each further slice. A list that finishes inside the current
slice stays synchronous, with no extra coroutine. The slice starts again at each yield (and
when execution starts), so after a long wait for the sources the first list yields once early.

Measured with 10,000 buckets of 14 fields: graphql-core holds the loop 0.43-0.45 s of CPU in
one stretch; sliced, a loop-lag monitor with a 5 ms tick sees at most ~10 ms, and the whole
completion takes no longer.

Items whose selection is plain (attributes only: `gateway.graph.plain`) are built straight from
their attributes, several times faster than field by field, in the same slices.

The yield is also where the request deadline (`asyncio.timeout` around execution) can cut a
long completion: cancelled, the completion closes the coroutines it had not awaited yet.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Iterable, Sequence
from inspect import iscoroutine
from typing import Any

from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.graph.plain import Complete, NotPlainError, item_object_type, plain_completion

SLICE_SECONDS = 0.005
"""The longest stretch of list completion between two yields to the event loop: a quarter of
the 20 ms any one request may hold the loop for, leaving room for the rest of the request."""


class SlicedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, completing long lists in slices (module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slice_ends = time.perf_counter() + SLICE_SECONDS
        """When the current slice of synchronous completion is used up (shared by every
        list of the operation, so nested and sibling lists do not each get a slice)."""

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        streamed = self.get_stream_usage(field_details_list, path) is not None
        if streamed or not isinstance(items, Sequence):
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )
        items_list = _ItemList(item_type, field_details_list, info, path, items, position_context)
        items_list.plain = self._plain_completion(item_type, field_details_list)
        if self._complete_slice(items_list):
            return items_list.gathered() if items_list.pending else items_list.completed
        return self._complete_rest(items_list)

    def _plain_completion(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList
    ) -> Complete | None:
        object_type = item_object_type(item_type)
        wrapped = self.middleware_manager is not None and self.middleware_manager.middlewares
        if object_type is None or wrapped:  # a resolve hook must see every field
            return None
        return plain_completion(self.collect_subfields, object_type, field_details_list)

    def _complete_slice(self, items_list: "_ItemList") -> bool:
        """Complete items until the list is done (True) or the slice is used up (False);
        at least one item, so every slice makes progress."""
        items, completed, pending = items_list.items, items_list.completed, items_list.pending
        first = len(completed)
        try:
            for index in range(first, len(items)):
                if index > first and time.perf_counter() >= self.slice_ends:
                    return False
                if self._complete_item(items_list, index, items[index]):
                    pending.append(index)
        except Exception:
            # As graphql-core: pending siblings are settled in the background, not orphaned.
            waiting = [completed[index] for index in pending]
            waiting += [item for item in items[len(completed) :] if self.is_awaitable(item)]
            if waiting:
                self.settle_in_background(waiting)
            raise
        return True

    def _complete_item(self, items_list: "_ItemList", index: int, item: Any) -> bool:
        """graphql-core's completion of one item; True when the completed value is awaitable."""
        item_path = items_list.path.add_key(index, None)
        arguments = (
            items_list.item_type,
            items_list.field_details_list,
            items_list.info,
            item_path,
            items_list.position_context,
        )
        if self.is_awaitable(item):
            items_list.completed.append(self.complete_awaitable_list_item_value(item, *arguments))
            return True
        if items_list.plain is not None and item is not None:
            with contextlib.suppress(NotPlainError):
                items_list.completed.append(items_list.plain(item))
                return False
        return self.complete_list_item_value(item, items_list.completed, *arguments)

    async def _complete_rest(self, items_list: "_ItemList") -> list[Any]:
        try:
            done = False
            while not done:
                await asyncio.sleep(0)
                self.slice_ends = time.perf_counter() + SLICE_SECONDS
                done = self._complete_slice(items_list)
        except asyncio.CancelledError:
            items_list.close_pending()
            raise
        return await items_list.gathered()


class _ItemList:
    """One list being completed: its items, what is completed so far, what is awaitable."""

    def __init__(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Sequence[Any],
        position_context: Any,
    ) -> None:
        self.item_type = item_type
        self.field_details_list = field_details_list
        self.info = info
        self.path = path
        self.items = items
        self.position_context = position_context
        self.plain: Complete | None = None
        """Completes an item straight from its attributes (`gateway.graph.plain`), if its selection
        allows."""
        self.completed: list[Any] = []
        self.pending: list[int] = []
        """Indices of `completed` that hold awaitables."""

    async def gathered(self) -> list[Any]:
        """The completed list once its awaitable items are awaited (as graphql-core does)."""
        if self.pending:
            awaited = await gather_with_cancel(*(self.completed[i] for i in self.pending))
            for index, value in zip(self.pending, awaited, strict=True):
                self.completed[index] = value
        return self.completed

    def close_pending(self) -> None:
        """Cancelled: close the coroutines that will never be awaited now (the completions
        not yet awaited, and the items, which a completion not yet started still holds)."""
        waiting: list[Awaitable[Any]] = [self.completed[i] for i in self.pending]
        waiting += self.items
        for awaitable in waiting:
            if iscoroutine(awaitable):
                awaitable.close()
