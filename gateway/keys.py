"""Token signing keys from a JWKS file or URL: parsed once, cached, refreshed within bounds.

Which keys are used:
- a key verifies only with its own algorithm: RS256 for an RSA key (2048 bits or more), ES256
  for an EC P-256 key; a JWK's `alg`, when present, must be that algorithm, and the algorithm
  must be in the allow-list;
- skipped (with a warning naming the `kid`, never the key): symmetric (`oct`) keys, keys without
  a `kid` or with a duplicate one, encryption keys (`use` other than `sig`), keys carrying
  private material, and every key past `max_keys`.

When keys are read:
- the hot path is a dict lookup: a known `kid` costs no I/O;
- a file is re-read only when its (mtime, size, inode) changes; it is checked on an unknown
  `kid` (one `stat`) and, for known kids, at most every `refresh_seconds`, so a key removed
  from the file stops verifying;
- a URL is fetched at start-up (best effort), then at most once per `refresh_seconds`: on an
  unknown `kid` (concurrent callers share one fetch, so a flood of random kids costs at most
  one fetch per interval) or in the background once the keys are `max_age_seconds` old. A
  failed fetch, or a document without usable keys, keeps the last good keys.
"""

import asyncio
import json
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.exceptions import PyJWTError

from gateway.errors import ConfigurationError
from gateway.settings import GatewaySettings

logger = logging.getLogger(__name__)

KEY_TYPES = {"RS256": "RSA", "ES256": "EC"}
"""The one key type each accepted algorithm verifies with."""
MIN_RSA_BITS = 2048
MAX_KID_LENGTH = 256
MAX_JWKS_BYTES = 256 * 1024
DEFAULT_TIMEOUT_SECONDS = 3.0
DEFAULT_MAX_AGE_SECONDS = 300.0
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

Clock = Callable[[], float]
PublicKey = RSAPublicKey | EllipticCurvePublicKey


class JwksError(Exception):
    """A JWKS document that cannot be used at all (unreadable, not JSON, no `keys` list)."""


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    algorithm: str
    public_key: PublicKey


def parse_jwks(
    document: bytes | str, algorithms: Iterable[str], max_keys: int
) -> dict[str, SigningKey]:
    """The usable signing keys of a JWKS document, by `kid`, at most `max_keys` of them."""
    try:
        parsed = json.loads(document)
    except (ValueError, UnicodeDecodeError):
        raise JwksError("not a JSON document") from None
    entries = parsed.get("keys") if isinstance(parsed, dict) else None
    if not isinstance(entries, list):
        raise JwksError("no `keys` list")
    allowed = frozenset(algorithms)
    keys: dict[str, SigningKey] = {}
    for index, entry in enumerate(entries):
        try:
            key = _signing_key(entry, allowed)
        except _SkippedKeyError as skipped:
            kid = entry.get("kid") if isinstance(entry, dict) else None
            logger.warning("JWKS key %s skipped: %s", _label(kid, index), skipped)
            continue
        if key.kid in keys:
            logger.warning("JWKS key %s skipped: duplicate kid", _label(key.kid, index))
            continue
        if len(keys) >= max_keys:
            logger.warning(
                "JWKS has more than %d usable keys: the rest are ignored (jwks_max_keys)",
                max_keys,
            )
            break
        keys[key.kid] = key
    return keys


class _SkippedKeyError(Exception):
    pass


def _label(kid: object, index: int) -> str:
    if isinstance(kid, str) and 0 < len(kid) <= MAX_KID_LENGTH:
        return repr(kid)
    return f"#{index}"


def _signing_key(entry: object, allowed: frozenset[str]) -> SigningKey:
    if not isinstance(entry, dict):
        raise _SkippedKeyError("not a JSON object")
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
        raise _SkippedKeyError("no usable `kid`")
    kty = entry.get("kty")
    if kty == "oct":
        raise _SkippedKeyError("symmetric keys are never accepted from a JWKS")
    if entry.get("use", "sig") != "sig":
        raise _SkippedKeyError("not a signature key (`use`)")
    key_ops = entry.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        raise _SkippedKeyError("`key_ops` does not allow verify")
    if _PRIVATE_MEMBERS & entry.keys():
        raise _SkippedKeyError("it carries private key material; publish public keys only")
    algorithm = entry.get("alg", {"RSA": "RS256", "EC": "ES256"}.get(str(kty)))
    if algorithm not in allowed or KEY_TYPES.get(str(algorithm)) != kty:
        raise _SkippedKeyError(f"{kty}/{algorithm} is not an accepted key type and algorithm")
    public_key: PublicKey
    try:
        if kty == "RSA":
            loaded = RSAAlgorithm.from_jwk(entry)
            if not isinstance(loaded, RSAPublicKey):
                raise _SkippedKeyError("not an RSA public key")
            if loaded.key_size < MIN_RSA_BITS:
                raise _SkippedKeyError(f"RSA keys need at least {MIN_RSA_BITS} bits")
            public_key = loaded
        else:
            loaded_ec = ECAlgorithm.from_jwk(entry)
            if not isinstance(loaded_ec, EllipticCurvePublicKey) or not isinstance(
                loaded_ec.curve, SECP256R1
            ):
                raise _SkippedKeyError("ES256 needs an EC P-256 public key")
            public_key = loaded_ec
    except (PyJWTError, ValueError, TypeError, KeyError):
        raise _SkippedKeyError("malformed key parameters") from None
    return SigningKey(kid=kid, algorithm=str(algorithm), public_key=public_key)


class KeySource(ABC):
    """Where a verifier finds the key of a token's `kid`."""

    @abstractmethod
    async def get(self, kid: str) -> SigningKey | None:
        """The key with this `kid`, or None when the source has none (after any refresh)."""

    @property
    @abstractmethod
    def kids(self) -> frozenset[str]:
        """The kids currently cached (for diagnostics and tests)."""


class JwksFileKeys(KeySource):
    """Keys of a local JWKS file, re-read when the file changes."""

    def __init__(
        self,
        path: Path,
        *,
        algorithms: Iterable[str],
        max_keys: int,
        refresh_seconds: float,
        clock: Clock = time.monotonic,
    ) -> None:
        self.path = path
        self._algorithms = tuple(algorithms)
        self._max_keys = max_keys
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._signature: tuple[int, int, int] | None = None
        self._checked_at = 0.0
        self._last_problem: str | None = None

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def load(self) -> None:
        """Read the file now (at start-up); raises JwksError when it gives no usable key."""
        signature = self._stat()
        keys = parse_jwks(self._read(), self._algorithms, self._max_keys)
        if not keys:
            raise JwksError("no usable RS256/ES256 signing key")
        self._keys, self._signature, self._checked_at = keys, signature, self._clock()

    async def get(self, kid: str) -> SigningKey | None:
        key = self._keys.get(kid)
        now = self._clock()
        if key is None or now - self._checked_at >= self._refresh_seconds:
            self._checked_at = now
            self._reload_if_changed()
            key = self._keys.get(kid)
        return key

    def _stat(self) -> tuple[int, int, int]:
        try:
            stat = os.stat(self.path)
        except OSError as error:
            raise JwksError(f"cannot read: {error.strerror or error}") from None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def _read(self) -> bytes:
        try:
            with self.path.open("rb") as file:
                document = file.read(MAX_JWKS_BYTES + 1)
        except OSError as error:
            raise JwksError(f"cannot read: {error.strerror or error}") from None
        if len(document) > MAX_JWKS_BYTES:
            raise JwksError(f"larger than {MAX_JWKS_BYTES} bytes")
        return document

    def _reload_if_changed(self) -> None:
        try:
            signature = self._stat()
            if signature == self._signature:
                return
            # Remember the version even when it is unusable: it is not read again until it
            # changes, so a flood of unknown kids cannot turn into a flood of reads.
            self._signature = signature
            keys = parse_jwks(self._read(), self._algorithms, self._max_keys)
            if not keys:
                raise JwksError("no usable RS256/ES256 signing key")
        except JwksError as error:
            self._warn_once(f"JWKS file {self.path}: {error}; keeping the last good keys")
            return
        self._keys = keys
        self._last_problem = None
        logger.info("JWKS file %s: %d keys (%s)", self.path, len(keys), ", ".join(keys))

    def _warn_once(self, problem: str) -> None:
        if problem != self._last_problem:
            logger.warning("%s", problem)
            self._last_problem = problem


class JwksUrlKeys(KeySource):
    """Keys of a JWKS URL, fetched with httpx at most once per refresh interval."""

    def __init__(
        self,
        url: str,
        *,
        algorithms: Iterable[str],
        max_keys: int,
        refresh_seconds: float,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Clock = time.monotonic,
    ) -> None:
        self.url = url
        self._algorithms = tuple(algorithms)
        self._max_keys = max_keys
        self._refresh_seconds = refresh_seconds
        self._max_age_seconds = max(max_age_seconds, refresh_seconds)
        self._timeout_seconds = timeout_seconds
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._inflight: asyncio.Task[None] | None = None
        self._last_problem: str | None = None
        self.fetches = 0
        """Fetches attempted (successful or not): what the refresh bound limits."""

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def prefetch(self) -> bool:
        """Fetch once now, synchronously (at start-up); False, with a warning, on failure."""
        self._attempted_at = self._clock()
        self.fetches += 1
        try:
            with (
                httpx.Client(timeout=self._timeout_seconds, follow_redirects=False) as client,
                client.stream("GET", self.url, headers={"Accept": "application/json"}) as reply,
            ):
                _check_status(reply)
                deadline = time.monotonic() + self._timeout_seconds
                body = _capped(reply.iter_bytes(), deadline)
            return self._accept(body)
        except Exception as error:  # start-up goes on; unknown kids fetch again later
            self._problem(error)
            return False

    async def get(self, kid: str) -> SigningKey | None:
        key = self._keys.get(kid)
        if key is not None:
            if self._stale() and self._may_fetch():
                self._start_fetch()  # in the background: this request does not wait
            return key
        await self._refresh()
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age_seconds

    def _may_fetch(self) -> bool:
        return (
            self._attempted_at is None
            or self._clock() - self._attempted_at >= self._refresh_seconds
        )

    def _running_fetch(self) -> asyncio.Task[None] | None:
        task = self._inflight
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            return None
        return task

    def _start_fetch(self) -> asyncio.Task[None]:
        running = self._running_fetch()
        if running is not None:
            return running
        self._attempted_at = self._clock()
        self.fetches += 1
        self._inflight = asyncio.get_running_loop().create_task(self._fetch())
        return self._inflight

    async def _refresh(self) -> None:
        task = self._running_fetch()
        if task is None:
            if not self._may_fetch():
                return
            task = self._start_fetch()
        # Shielded: a caller that goes away does not cancel the fetch the others wait for.
        await asyncio.shield(task)

    async def _fetch(self) -> None:
        try:
            async with (
                asyncio.timeout(self._timeout_seconds),
                httpx.AsyncClient(timeout=self._timeout_seconds, follow_redirects=False) as client,
                client.stream("GET", self.url, headers={"Accept": "application/json"}) as reply,
            ):
                _check_status(reply)
                chunks = bytearray()
                async for chunk in reply.aiter_bytes():
                    chunks += chunk
                    if len(chunks) > MAX_JWKS_BYTES:
                        raise JwksError(f"larger than {MAX_JWKS_BYTES} bytes")
            self._accept(bytes(chunks))
        except TimeoutError:
            self._problem(JwksError(f"no answer within {self._timeout_seconds:g} s"))
        except Exception as error:  # a key refresh must never fail a request
            self._problem(error)

    def _accept(self, body: bytes) -> bool:
        keys = parse_jwks(body, self._algorithms, self._max_keys)
        if not keys:
            raise JwksError("no usable RS256/ES256 signing key")
        added = keys.keys() - self._keys.keys()
        self._keys, self._fetched_at, self._last_problem = keys, self._clock(), None
        if added:
            logger.info("JWKS %s: %d keys, new: %s", self.url, len(keys), ", ".join(added))
        return True

    def _problem(self, error: Exception) -> None:
        reason = str(error) or type(error).__name__
        problem = f"JWKS {self.url}: fetch failed ({reason}); keeping the last good keys"
        if problem != self._last_problem:
            logger.warning("%s", problem)
            self._last_problem = problem


def _check_status(reply: httpx.Response) -> None:
    if reply.status_code != 200:
        raise JwksError(f"HTTP {reply.status_code}")


def _capped(chunks: Iterator[bytes], deadline: float) -> bytes:
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > MAX_JWKS_BYTES:
            raise JwksError(f"larger than {MAX_JWKS_BYTES} bytes")
        if time.monotonic() > deadline:
            raise JwksError("too slow")
    return bytes(body)


def key_source(settings: GatewaySettings) -> KeySource | None:
    """The configured JWKS, or None. A file must give keys now; a URL is fetched best effort."""
    if settings.jwt_jwks_file is not None:
        keys = JwksFileKeys(
            settings.jwt_jwks_file,
            algorithms=settings.jwt_algorithms,
            max_keys=settings.jwks_max_keys,
            refresh_seconds=settings.jwks_refresh_seconds,
        )
        try:
            keys.load()
        except JwksError as error:
            raise ConfigurationError(f"jwt_jwks_file {settings.jwt_jwks_file}: {error}") from None
        return keys
    if settings.jwt_jwks_url is not None:
        remote = JwksUrlKeys(
            settings.jwt_jwks_url,
            algorithms=settings.jwt_algorithms,
            max_keys=settings.jwks_max_keys,
            refresh_seconds=settings.jwks_refresh_seconds,
        )
        remote.prefetch()
        return remote
    return None
