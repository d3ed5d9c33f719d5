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
from collections.abc import Callable

from gateway.auth import BearerVerifier, verified_expiry
from gateway.principal import Principal

TTL_SECONDS = 60.0
MAX_TOKENS = 10_000


class VerifiedTokens:
    """A `BearerVerifier` in front of another, keeping what it verified (module docstring)."""

    def __init__(
        self,
        verifier: BearerVerifier,
        *,
        ttl: float = TTL_SECONDS,
        size: int = MAX_TOKENS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifier = verifier
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._kept: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    async def verify_async(self, token: str) -> Principal:
        now = self.clock()
        kept = self._kept.get(token)
        if kept is not None:
            principal, until = kept
            if now < until:
                self._kept.move_to_end(token)
                return principal
            del self._kept[token]
        principal = await self.verifier.verify_async(token)  # raises if it does not verify
        until = min(verified_expiry(token), now + self.ttl)
        if now < until:
            self._kept[token] = (principal, until)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return principal
