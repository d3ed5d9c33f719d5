"""Verified tokens are kept until the earlier of their expiry and a minute; failures never.

The cache is tested on its own, in front of a verifier that counts its calls and accepts
every token but forged ones, at a clock the test sets: no wall time involved. That the real
verifiers refuse expired, forged and unknown-key tokens is tested with them (test_auth*)."""

import base64
import json

import pytest
from starlette.authentication import AuthenticationError

from gateway.domain import PrincipalTier
from gateway.principal import Principal
from gateway.token_cache import VerifiedTokens

NOW = 2_000_000_000.0


def token(expires: float | None, subject: str = "a", forged: bool = False) -> str:
    """A token-shaped string whose payload holds `exp` (none if None)."""
    claims: dict[str, object] = {"sub": subject}
    if expires is not None:
        claims["exp"] = int(expires)
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{payload}.{'forged' if forged else 'signed'}"


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    async def verify_async(self, token: str) -> Principal:
        self.calls += 1
        if token.endswith(".forged"):
            raise AuthenticationError("invalid token: bad signature")
        return Principal(PrincipalTier.NATIONAL, subject=token)


def cached(counting: Counting, clock: list[float], size: int = 10_000) -> VerifiedTokens[Principal]:
    return VerifiedTokens(counting.verify_async, clock=lambda: clock[0], size=size)


async def test_a_verified_token_is_kept_for_a_minute_at_most() -> None:
    clock, counting = [NOW], Counting()
    tokens = cached(counting, clock)
    long_lived = token(NOW + 3600)
    first = await tokens.verify_async(long_lived)
    clock[0] += 59
    assert await tokens.verify_async(long_lived) == first
    assert counting.calls == 1
    clock[0] += 2  # past the minute: verified again
    await tokens.verify_async(long_lived)
    assert counting.calls == 2


async def test_a_token_past_its_expiry_is_verified_again() -> None:
    clock, counting = [NOW], Counting()
    tokens = cached(counting, clock)
    short = token(NOW + 5)
    await tokens.verify_async(short)
    clock[0] = NOW + 4
    await tokens.verify_async(short)
    assert counting.calls == 1
    clock[0] = NOW + 5  # at its exp, well inside the minute: not kept any more
    await tokens.verify_async(short)
    assert counting.calls == 2


async def test_a_token_without_a_readable_expiry_is_not_kept() -> None:
    clock, counting = [NOW], Counting()
    tokens = cached(counting, clock)
    for each in (token(None), "not-a-token.%%%.signed"):
        await tokens.verify_async(each)
        await tokens.verify_async(each)
    assert counting.calls == 4


async def test_a_refused_token_is_not_kept() -> None:
    clock, counting = [NOW], Counting()
    tokens = cached(counting, clock)
    forged = token(NOW + 3600, forged=True)
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            await tokens.verify_async(forged)
    assert counting.calls == 2


async def test_at_most_size_tokens_are_kept() -> None:
    clock, counting = [NOW], Counting()
    tokens = cached(counting, clock, size=2)
    a, b, c = (token(NOW + 3600, subject=name) for name in "abc")
    for each in (a, b, c, c, b):
        await tokens.verify_async(each)
    assert counting.calls == 3
    await tokens.verify_async(a)  # dropped as the least recently used
    assert counting.calls == 4
