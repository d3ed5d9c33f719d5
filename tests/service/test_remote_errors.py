"""RemoteSource at the edge: coded failures without the remote's text, the size cap, and the
token it sends. The remote here is a canned HTTP server on 127.0.0.1 (real sockets)."""

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import jwt
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gateway.errors import (
    SourceBadResponseError,
    SourceError,
    SourceTimeoutError,
    SourceTooLargeError,
    SourceUnavailableError,
)
from gateway.policy import EVERYTHING, RowScope
from gateway.registry import SourceConfig
from gateway.sources.base import ComplaintCriteria, Dimension, PageRequest, SortOrder
from gateway.sources.remote import RemoteSource
from tests.service.harness import KeyPair, running_service

SECRET = "db-password-in-an-error at 10.0.0.5"
CAP = 2048
CRITERIA = ComplaintCriteria(scope=RowScope("12.71"), now=datetime(2023, 6, 1))
seen_tokens: list[str] = []


def _json(document: object, status: int = 200) -> Response:
    return Response(orjson.dumps(document), status_code=status, media_type="application/json")


async def canned(request: Request) -> Response:
    seen_tokens.append(request.headers.get("authorization", "").removeprefix("Bearer "))
    kind = request.path_params["kind"]
    if kind == "slow":
        await asyncio.sleep(1)
    answers: dict[str, Response] = {
        "count": _json({"data": {"count": 3}}),
        "stats": _json({"data": {"stats": [{"year": 2023, "count": 3, "verified": 2,
                                            "resolved": 1, "overdue": 0, "part": "OWN",
                                            "countKey": 9, "verifiedKey": 6, "resolvedKey": 1,
                                            "overdueKey": 0}]}}),
        "500": Response(SECRET, status_code=500),
        "502": Response(SECRET, status_code=502),
        "401": _json({"errors": [{"message": SECRET}]}, status=401),
        "redirect": Response(status_code=302, headers={"Location": "http://example.com/"}),
        "big-declared": Response(b" " * (CAP + 1), media_type="application/json"),
        "not-json": Response(SECRET),
        "not-object": _json([1, 2]),
        "no-data": _json({"data": None}),
        "wrong-count": _json({"data": {"count": "three"}}),
        "wrong-page": _json({"data": {"page": [{"id": 1, "submittedAt": SECRET}]}}),
        "error-unavailable": _json({"errors": [{"message": SECRET,
                                                "extensions": {"code": "SOURCE_UNAVAILABLE"}}]}),
        "error-timeout": _json({"errors": [{"message": SECRET,
                                            "extensions": {"code": "SOURCE_TIMEOUT"}}]}),
        "error-other": _json({"data": None, "errors": [{"message": SECRET}]}),
        "slow": _json({"data": {"count": 3}}),
    }  # fmt: skip
    if kind == "big-streamed":

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(CAP):
                yield b"[1]     "

        return StreamingResponse(chunks(), media_type="application/json")
    return answers[kind]


@pytest.fixture(scope="module")
def canned_url() -> Iterator[str]:
    app = Starlette(routes=[Route("/{kind}", canned, methods=["POST"])])
    with running_service(app) as url:
        yield url.removesuffix("/graphql")


def remote(url: str, keys: KeyPair, **options: Any) -> RemoteSource:
    config = SourceConfig("reg-12.71", "remote", url, ("12.71",), max_response_bytes=CAP, **options)
    return RemoteSource(config, keys.signer())


async def fail(source: RemoteSource) -> SourceError:
    try:
        async with asyncio.timeout(10):
            await source.count(CRITERIA)
    except SourceError as error:
        return error
    finally:
        await source.close()
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [
        ("500", SourceError),
        ("502", SourceError),
        ("401", SourceError),
        ("redirect", SourceError),
        ("big-declared", SourceTooLargeError),
        ("big-streamed", SourceTooLargeError),
        ("not-json", SourceBadResponseError),
        ("not-object", SourceBadResponseError),
        ("no-data", SourceBadResponseError),
        ("wrong-count", SourceBadResponseError),
        ("error-unavailable", SourceUnavailableError),
        ("error-timeout", SourceTimeoutError),
        ("error-other", SourceError),
    ],
)
async def test_failures_are_coded_and_carry_no_remote_text(
    canned_url: str, keys: KeyPair, kind: str, error_type: type[SourceError]
) -> None:
    error = await fail(remote(f"{canned_url}/{kind}", keys))
    assert type(error) is error_type
    assert error.extensions == {"code": error_type.code, "source": "reg-12.71"}
    assert SECRET not in error.message


async def test_too_large_has_its_own_code(canned_url: str, keys: KeyPair) -> None:
    error = await fail(remote(f"{canned_url}/big-streamed", keys))
    assert error.code == "SOURCE_TOO_LARGE"


async def test_a_record_of_the_wrong_shape_is_a_bad_response(
    canned_url: str, keys: KeyPair
) -> None:
    source = remote(f"{canned_url}/wrong-page", keys)
    with pytest.raises(SourceBadResponseError) as raised:
        await source.fetch_page(PageRequest(CRITERIA, SortOrder.SUBMITTED_AT_DESC, 10))
    await source.close()
    assert SECRET not in raised.value.message


async def test_a_slow_source_times_out(canned_url: str, keys: KeyPair) -> None:
    error = await fail(remote(f"{canned_url}/slow", keys, timeout=0.3))
    assert isinstance(error, SourceTimeoutError)


async def test_connection_refused_is_unavailable(keys: KeyPair) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await fail(remote(f"http://127.0.0.1:{port}/graphql", keys))
    assert isinstance(error, SourceUnavailableError)


async def test_connection_reset_is_unavailable(keys: KeyPair) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def hang_up() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    try:
        error = await fail(remote(f"http://127.0.0.1:{port}/graphql", keys))
    finally:
        thread.join(timeout=5)
        listener.close()
    assert isinstance(error, SourceUnavailableError)


async def test_each_call_carries_a_short_token_for_this_source_and_scope(
    canned_url: str, keys: KeyPair
) -> None:
    seen_tokens.clear()
    source = remote(f"{canned_url}/count", keys)
    assert await source.count(CRITERIA) == 3
    await source.close()
    source = remote(f"{canned_url}/stats", keys)
    rows = await source.fetch_stats(CRITERIA, [Dimension.YEAR], split=EVERYTHING)
    await source.close()
    assert rows[0].key == (2023,)
    count_claims, stats_claims = (
        jwt.decode(token, options={"verify_signature": False}) for token in seen_tokens
    )
    assert count_claims["aud"] == "reg-12.71"
    assert count_claims["scope"] == {"region": "12.71", "published_only": False}
    assert count_claims["exp"] - count_claims["iat"] <= 30
    assert stats_claims["scope"]["split"] == {"region": None, "published_only": False}
