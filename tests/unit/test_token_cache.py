"""Verified tokens are kept until the earlier of their expiry and a minute; failures never."""

import time

import pytest
from starlette.authentication import AuthenticationError

from gateway.auth import TokenVerifier
from gateway.domain import PrincipalTier
from gateway.principal import Principal
from gateway.regions import load_regions
from gateway.token_cache import VerifiedTokens
from gateway.tokens import AUDIENCE, DEMO_ISSUER, issue_demo_token
from tests.conftest import SECRET


class Counting:
    """The real demo verifier, counting its calls, at a clock the test sets."""

    def __init__(self) -> None:
        self.inner = TokenVerifier(SECRET, ("HS256",), DEMO_ISSUER, AUDIENCE, load_regions())
        self.calls = 0

    async def verify_async(self, token: str) -> Principal:
        self.calls += 1
        return self.inner.verify(token)


def token(ttl: int) -> str:
    return issue_demo_token(SECRET, PrincipalTier.NATIONAL, ttl_seconds=ttl)


async def test_a_verified_token_is_kept_for_a_minute_at_most() -> None:
    clock = [time.time()]
    counting = Counting()
    tokens = VerifiedTokens(counting, clock=lambda: clock[0])
    long_lived = token(3600)
    first = await tokens.verify_async(long_lived)
    assert await tokens.verify_async(long_lived) == first
    assert counting.calls == 1
    clock[0] += 61  # past the minute: verified again
    await tokens.verify_async(long_lived)
    assert counting.calls == 2


async def test_a_token_past_its_expiry_is_verified_again() -> None:
    counting = Counting()
    issued = time.time()
    short = token(5)
    clock = [issued]
    tokens = VerifiedTokens(counting, clock=lambda: clock[0])
    await tokens.verify_async(short)
    clock[0] = issued + 4
    await tokens.verify_async(short)
    assert counting.calls == 1
    clock[0] = issued + 7  # past its exp, well inside the minute: not kept any more
    await tokens.verify_async(short)  # the verifier decides (its leeway still accepts it)
    assert counting.calls == 2


async def test_a_refused_token_is_not_kept() -> None:
    counting = Counting()
    tokens = VerifiedTokens(counting)
    forged = token(3600)[:-2] + "xx"
    for _ in range(2):
        with pytest.raises(AuthenticationError):
            await tokens.verify_async(forged)
    assert counting.calls == 2


async def test_at_most_size_tokens_are_kept() -> None:
    counting = Counting()
    tokens = VerifiedTokens(counting, size=2)
    a, b, c = (token(3600 + n) for n in range(3))
    for each in (a, b, c, c, b):
        await tokens.verify_async(each)
    assert counting.calls == 3
    await tokens.verify_async(a)  # dropped as the least recently used
    assert counting.calls == 4
