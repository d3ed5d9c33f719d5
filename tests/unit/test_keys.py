"""JWKS key sources: which keys are usable, and when a file or URL is read again.

Also home of the helpers the production-auth tests share: real RSA/EC keys, JWKS files and a
real JWKS server on 127.0.0.1 that counts its hits.
"""

import asyncio
import contextlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from gateway.keys import (
    MAX_JWKS_BYTES,
    JwksError,
    JwksFileKeys,
    JwksUrlKeys,
    parse_jwks,
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_KEY_2 = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_KEY_2 = ec.generate_private_key(ec.SECP256R1())
ALGORITHMS = ("RS256", "ES256")


def public_jwk(private: PrivateKey, kid: object, **extra: Any) -> dict[str, Any]:
    """The public JWK of a private key, with `kid`, `use` and the key's own `alg`."""
    if isinstance(private, rsa.RSAPrivateKey):
        jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        jwk["alg"] = "RS256"
    else:
        jwk = json.loads(ECAlgorithm.to_jwk(private.public_key()))
        jwk["alg"] = "ES256"
    jwk.update(kid=kid, use="sig")
    jwk.update(extra)
    return {name: value for name, value in jwk.items() if value is not None}


def private_jwk(private: PrivateKey, kid: str) -> dict[str, Any]:
    """A JWK that (wrongly) publishes the private key."""
    if isinstance(private, rsa.RSAPrivateKey):
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private))
    else:
        jwk = json.loads(ECAlgorithm.to_jwk(private))
    jwk.update(kid=kid, use="sig")
    return jwk


def jwks_bytes(*keys: dict[str, Any]) -> bytes:
    return json.dumps({"keys": list(keys)}).encode()


def write_jwks(path: Path, *keys: dict[str, Any]) -> Path:
    """Replace the file atomically, as a key rotation job should."""
    staging = path.with_suffix(".tmp")
    staging.write_bytes(jwks_bytes(*keys))
    os.replace(staging, path)
    return path


def sign(private: PrivateKey, kid: str | None, claims: dict[str, Any], alg: str = "") -> str:
    algorithm = alg or ("RS256" if isinstance(private, rsa.RSAPrivateKey) else "ES256")
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims, private, algorithm=algorithm, headers=headers)


class JwksServer:
    """A real HTTP server on 127.0.0.1 serving a JWKS document, counting its hits."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        self.status = 200
        self.delay = 0.0
        self.body: bytes | None = None
        self.redirect: str | None = None
        self.hits = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits += 1
                    status, delay, redirect = server.status, server.delay, server.redirect
                    body = server.body if server.body is not None else jwks_bytes(*server.keys)
                if delay:
                    time.sleep(delay)
                if redirect:
                    self.send_response(302)
                    self.send_header("Location", redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/realms/lapor/jwks.json"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        self.closed = False

    def close(self) -> None:
        """Stop serving: the port refuses connections from now on."""
        if not self.closed:
            self.closed = True
            self.httpd.shutdown()
            self.httpd.server_close()
            self._thread.join()


@pytest.fixture
def server() -> Iterator[JwksServer]:
    jwks = JwksServer(public_jwk(RSA_KEY, "rsa-1"), public_jwk(EC_KEY, "ec-1"))
    yield jwks
    jwks.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- which keys are usable -------------------------------------------------------------------


def test_rsa_and_ec_keys_are_parsed_with_their_own_algorithm() -> None:
    keys = parse_jwks(
        jwks_bytes(public_jwk(RSA_KEY, "rsa-1"), public_jwk(EC_KEY, "ec-1")), ALGORITHMS, 20
    )
    assert {kid: key.algorithm for kid, key in keys.items()} == {
        "rsa-1": "RS256",
        "ec-1": "ES256",
    }
    assert keys["rsa-1"].public_key.public_numbers() == RSA_KEY.public_key().public_numbers()


def test_a_key_without_alg_gets_the_algorithm_of_its_type() -> None:
    keys = parse_jwks(
        jwks_bytes(public_jwk(RSA_KEY, "r", alg=None), public_jwk(EC_KEY, "e", alg=None)),
        ALGORITHMS,
        20,
    )
    assert (keys["r"].algorithm, keys["e"].algorithm) == ("RS256", "ES256")


P384_KEY = ec.generate_private_key(ec.SECP384R1())
SHORT_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505

UNUSABLE_KEYS: dict[str, dict[str, Any]] = {
    "symmetric oct key": {
        "kty": "oct",
        "kid": "k",
        "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ",
        "alg": "HS256",
    },
    "no kid": public_jwk(RSA_KEY, None),
    "empty kid": public_jwk(RSA_KEY, ""),
    "kid not a string": public_jwk(RSA_KEY, 7),
    "encryption key": public_jwk(RSA_KEY, "k", use="enc"),
    "key_ops without verify": public_jwk(RSA_KEY, "k", key_ops=["encrypt"]),
    "private RSA key": private_jwk(RSA_KEY, "k"),
    "private EC key": private_jwk(EC_KEY, "k"),
    "RSA key of 1024 bits": public_jwk(SHORT_RSA_KEY, "k"),
    "EC P-384 key": public_jwk(P384_KEY, "k", alg=None),
    "EC P-384 key claiming ES256": public_jwk(P384_KEY, "k"),
    "RSA key for HS256": public_jwk(RSA_KEY, "k", alg="HS256"),
    "RSA key for none": public_jwk(RSA_KEY, "k", alg="none"),
    "RSA key for RS512": public_jwk(RSA_KEY, "k", alg="RS512"),
    "RSA key for ES256": public_jwk(RSA_KEY, "k", alg="ES256"),
    "EC key for RS256": public_jwk(EC_KEY, "k", alg="RS256"),
    "malformed modulus": public_jwk(RSA_KEY, "k", n="!!!"),
    "unknown kty": {"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "k"},
    "not an object": "rsa-1",  # type: ignore[dict-item]
}


@pytest.mark.parametrize("entry", UNUSABLE_KEYS.values(), ids=UNUSABLE_KEYS.keys())
def test_an_unusable_key_is_skipped_and_the_others_kept(entry: dict[str, Any]) -> None:
    keys = parse_jwks(jwks_bytes(entry, public_jwk(EC_KEY, "good")), ALGORITHMS, 20)
    assert set(keys) == {"good"}


def test_a_key_of_an_algorithm_outside_the_allow_list_is_skipped() -> None:
    document = jwks_bytes(public_jwk(RSA_KEY, "rsa-1"), public_jwk(EC_KEY, "ec-1"))
    assert set(parse_jwks(document, ("RS256",), 20)) == {"rsa-1"}
    assert set(parse_jwks(document, ("ES256",), 20)) == {"ec-1"}


def test_a_duplicate_kid_keeps_the_first_key() -> None:
    keys = parse_jwks(
        jwks_bytes(public_jwk(RSA_KEY, "same"), public_jwk(RSA_KEY_2, "same")), ALGORITHMS, 20
    )
    assert keys["same"].public_key.public_numbers() == RSA_KEY.public_key().public_numbers()


def test_the_number_of_keys_is_bounded() -> None:
    document = jwks_bytes(*(public_jwk(EC_KEY, f"k{i:02d}") for i in range(25)))
    keys = parse_jwks(document, ALGORITHMS, 20)
    assert list(keys) == [f"k{i:02d}" for i in range(20)]


@pytest.mark.parametrize(
    "document",
    [b"not json", b"[]", b'{"keys": {}}', b'{"no": "keys"}', b"\xff\xfe"],
    ids=["not JSON", "a list", "keys not a list", "no keys", "not UTF-8"],
)
def test_a_document_that_is_no_jwks_is_an_error(document: bytes) -> None:
    with pytest.raises(JwksError):
        parse_jwks(document, ALGORITHMS, 20)


# --- JWKS file ---------------------------------------------------------------------------------


def file_keys(path: Path, clock: FakeClock, refresh: float = 60) -> JwksFileKeys:
    keys = JwksFileKeys(
        path, algorithms=ALGORITHMS, max_keys=20, refresh_seconds=refresh, clock=clock
    )
    keys.load()
    return keys


class Reads:
    """Counts a file source's stat calls and reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, keys: JwksFileKeys) -> None:
        self.stats = self.reads = 0
        stat, read = keys._stat, keys._read

        def counted_stat() -> tuple[int, int, int]:
            self.stats += 1
            return stat()

        def counted_read() -> bytes:
            self.reads += 1
            return read()

        monkeypatch.setattr(keys, "_stat", counted_stat)
        monkeypatch.setattr(keys, "_read", counted_read)


@pytest.mark.parametrize(
    "content",
    [None, b"{", jwks_bytes({"kty": "oct", "kid": "k", "k": "c2VjcmV0"})],
    ids=["missing file", "not JSON", "no usable key"],
)
def test_loading_a_file_without_usable_keys_fails(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "jwks.json"
    if content is not None:
        path.write_bytes(content)
    keys = JwksFileKeys(path, algorithms=ALGORITHMS, max_keys=20, refresh_seconds=60)
    with pytest.raises(JwksError):
        keys.load()


async def test_a_known_kid_costs_no_io_within_the_refresh_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    keys = file_keys(write_jwks(tmp_path / "jwks.json", public_jwk(RSA_KEY, "rsa-1")), clock)
    reads = Reads(monkeypatch, keys)
    for _ in range(150):  # 75 s
        clock.advance(0.5)
        assert await keys.get("rsa-1") is not None
    assert (reads.stats, reads.reads) == (1, 0)  # one stat at 60 s, and nothing changed


async def test_a_new_kid_in_the_file_is_picked_up_at_once(tmp_path: Path) -> None:
    path = write_jwks(tmp_path / "jwks.json", public_jwk(RSA_KEY, "rsa-1"))
    keys = file_keys(path, FakeClock())
    assert await keys.get("rsa-2") is None
    write_jwks(path, public_jwk(RSA_KEY, "rsa-1"), public_jwk(RSA_KEY_2, "rsa-2"))
    key = await keys.get("rsa-2")
    assert key is not None
    assert key.public_key.public_numbers() == RSA_KEY_2.public_key().public_numbers()


async def test_an_unknown_kid_flood_rereads_an_unchanged_file_never(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = file_keys(write_jwks(tmp_path / "jwks.json", public_jwk(RSA_KEY, "rsa-1")), FakeClock())
    reads = Reads(monkeypatch, keys)
    for _ in range(50):
        assert await keys.get(uuid.uuid4().hex) is None
    assert reads.reads == 0


async def test_a_key_removed_from_the_file_stops_after_the_refresh_interval(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    path = write_jwks(tmp_path / "jwks.json", public_jwk(RSA_KEY, "old"), public_jwk(EC_KEY, "new"))
    keys = file_keys(path, clock, refresh=60)
    write_jwks(path, public_jwk(EC_KEY, "new"))
    clock.advance(30)
    assert await keys.get("old") is not None  # within the interval the cache answers
    clock.advance(31)
    assert await keys.get("old") is None
    assert await keys.get("new") is not None


async def test_a_broken_file_keeps_the_last_good_keys(tmp_path: Path) -> None:
    path = write_jwks(tmp_path / "jwks.json", public_jwk(RSA_KEY, "rsa-1"))
    keys = file_keys(path, FakeClock())
    path.write_bytes(b'{"keys": [')  # a half-written file
    assert await keys.get("rsa-2") is None
    assert await keys.get("rsa-1") is not None
    path.unlink()
    assert await keys.get("rsa-2") is None
    assert await keys.get("rsa-1") is not None


# --- JWKS URL ----------------------------------------------------------------------------------


def url_keys(server: JwksServer, clock: FakeClock, **options: Any) -> JwksUrlKeys:
    settings: dict[str, Any] = {"max_keys": 20, "refresh_seconds": 60, **options}
    return JwksUrlKeys(server.url, algorithms=ALGORITHMS, clock=clock, **settings)


async def test_prefetch_loads_the_keys_with_one_request(server: JwksServer) -> None:
    keys = url_keys(server, FakeClock())
    assert keys.prefetch() is True
    assert keys.kids == {"rsa-1", "ec-1"}
    for _ in range(20):
        assert await keys.get("rsa-1") is not None
    assert server.hits == 1


async def test_an_unknown_kid_flood_costs_one_fetch_per_refresh_interval(
    server: JwksServer,
) -> None:
    clock = FakeClock()
    keys = url_keys(server, clock, refresh_seconds=60)
    keys.prefetch()
    clock.advance(61)
    found = await asyncio.gather(*(keys.get(uuid.uuid4().hex) for _ in range(50)))
    assert found == [None] * 50
    assert server.hits == 2
    for _ in range(50):  # sequential this time, still inside the interval
        clock.advance(1)
        assert await keys.get(uuid.uuid4().hex) is None
    assert server.hits == 2
    clock.advance(10)
    assert await keys.get(uuid.uuid4().hex) is None
    assert server.hits == 3


async def test_concurrent_requests_for_a_new_kid_share_one_fetch(server: JwksServer) -> None:
    clock = FakeClock()
    keys = url_keys(server, clock)
    keys.prefetch()
    server.keys.append(public_jwk(RSA_KEY_2, "rsa-2"))
    server.delay = 0.2
    clock.advance(60)
    found = await asyncio.gather(*(keys.get("rsa-2") for _ in range(30)))
    assert all(key is not None and key.kid == "rsa-2" for key in found)
    assert server.hits == 2


async def test_the_first_unknown_kid_fetches_when_nothing_was_fetched_yet(
    server: JwksServer,
) -> None:
    keys = url_keys(server, FakeClock())
    key = await keys.get("ec-1")
    assert key is not None
    assert key.algorithm == "ES256"
    assert server.hits == 1


@pytest.mark.parametrize("failure", ["503", "not JSON", "no usable key", "redirect", "down"])
async def test_a_failing_url_keeps_the_cached_keys(server: JwksServer, failure: str) -> None:
    clock = FakeClock()
    keys = url_keys(server, clock)
    assert keys.prefetch()
    if failure == "503":
        server.status = 503
    elif failure == "not JSON":
        server.body = b"<html>maintenance</html>"
    elif failure == "no usable key":
        server.keys = [{"kty": "oct", "kid": "x", "k": "c2VjcmV0"}]
    elif failure == "redirect":
        server.redirect = "http://127.0.0.1:9/elsewhere.json"
    else:
        server.close()
    clock.advance(61)
    assert await keys.get("rsa-2") is None
    assert keys.fetches == 2
    assert await keys.get("rsa-1") is not None
    assert await keys.get("ec-1") is not None
    assert keys.kids == {"rsa-1", "ec-1"}


async def test_a_hanging_url_times_out_quickly(server: JwksServer) -> None:
    clock = FakeClock()
    keys = url_keys(server, clock, timeout_seconds=0.3)
    assert keys.prefetch()
    server.delay = 2.0
    clock.advance(61)
    started = time.monotonic()
    assert await keys.get("rsa-2") is None
    assert time.monotonic() - started < 1.5
    assert await keys.get("rsa-1") is not None


async def test_an_oversized_document_is_refused(server: JwksServer) -> None:
    server.body = b'{"keys": [], "padding": "' + b"x" * MAX_JWKS_BYTES + b'"}'
    keys = url_keys(server, FakeClock())
    assert keys.prefetch() is False
    assert await keys.get("rsa-1") is None
    assert keys.kids == frozenset()


async def test_stale_keys_refresh_in_the_background(server: JwksServer) -> None:
    clock = FakeClock()
    keys = url_keys(server, clock, refresh_seconds=60, max_age_seconds=300)
    keys.prefetch()
    server.keys = [public_jwk(EC_KEY, "ec-1"), public_jwk(EC_KEY_2, "ec-2")]  # rsa-1 retired
    clock.advance(200)
    assert await keys.get("rsa-1") is not None
    assert server.hits == 1  # not stale yet
    clock.advance(101)
    assert await keys.get("rsa-1") is not None  # answered from the cache, fetch started
    task = keys._inflight
    assert task is not None
    await task
    assert server.hits == 2
    assert keys.kids == {"ec-1", "ec-2"}
    assert await keys.get("rsa-1") is None
    assert server.hits == 2  # an unknown kid right after a fetch waits for the interval
