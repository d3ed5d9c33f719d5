"""Verified bearer tokens, kept for a short while.

A portal sends the same token with every request, and verifying it again each time (signature,
claims, principal) is a few percent of a page's CPU. `VerifiedTokens` keeps the principal of a
token that verified until the earlier of the token's `exp` and `TTL_SECONDS` after it was
verified: an expired token is verified again (and refused), and a signing key withdrawn from
the JWKS stops being honoured within `TTL_SECONDS`. Only tokens that verified are kept, at most
`MAX_TOKENS` of them, the least recently used going first.
"""

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from gateway.auth import verified_expiry

TTL_SECONDS = 60.0
MAX_TOKENS = 10_000
T = TypeVar("T")


class VerifiedTokens(Generic[T]):
    """`verify` (a token in, what it proves out, or an error) in front of which what verified
    is kept (module docstring): the gateway's bearer tokens (a `Principal`) and the source
    service's scope tokens (a `ScopeClaim`)."""

    def __init__(
        self,
        verify: Callable[[str], Awaitable[T]],
        *,
        ttl: float = TTL_SECONDS,
        size: int = MAX_TOKENS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verify = verify
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._kept: OrderedDict[str, tuple[T, float]] = OrderedDict()

    async def verify_async(self, token: str) -> T:
        now = self.clock()
        kept = self._kept.get(token)
        if kept is not None:
            proven, until = kept
            if now < until:
                self._kept.move_to_end(token)
                return proven
            del self._kept[token]
        proven = await self.verify(token)  # raises if it does not verify
        until = min(verified_expiry(token), now + self.ttl)
        if now < until:
            self._kept[token] = (proven, until)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return proven
