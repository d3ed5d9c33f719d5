"""Identifiers: opaque global node ids (and the sealing that pagination cursors share), and
the home region encoded in local ids.

A complaint's local id is `<handling region or KL>-<serial>` and an agency code is
`<region, KL or BUMN>-<slug>`, so the planner can route a lookup to the one source that owns
the region instead of asking every source.

That serial counts a region's complaints in submission order, published or not, so a global id
must not show it. `NodeIdCodec` seals "<type>:<local id>" with AES-SIV (deterministic
authenticated encryption, RFC 5297) under the gateway's node-id key: the same node always has
the same id (clients cache ids) on every replica holding the key, ids of different types never
collide, and a string not made with the key fails authentication and is refused like any
string that is no id at all. The plaintext is padded to a multiple of 32 bytes, so not even an
id's length tells a regency's complaint from a province's.

A pagination cursor holds a local id too, so it is sealed by the same codec (`seal`/`unseal`)
under the same key. Each use is a `SealPurpose`, bound into the ciphertext as AES-SIV associated
data: a node id never opens as a cursor, nor a cursor as a node id.
"""

import base64
import contextlib
import functools
import os
import re
import secrets
from collections.abc import Callable
from enum import Enum, unique
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

from gateway.errors import BadUserInputError, ConfigurationError
from gateway.regions import NATIONAL, RegionIndex

NODE_ID_KEY_FILE = "node-id-key"
"""The demo data directory's key file (`demo_node_id_key`)."""
KEY_BYTES = (32, 48, 64)
"""AES-SIV key sizes (two AES-128, -192 or -256 keys); new keys are 64 bytes."""
_PAD_TO = 32
SEALED_KEPT = 16_384
"""Sealed strings kept per codec (about 6 MB)."""
_MAX_SEALED_LENGTH = 256
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


@unique
class SealPurpose(Enum):
    """What a sealed string is for: its associated data, so one use's string fails the others'."""

    NODE_ID = b"lapor-gateway node id v1"
    CURSOR = b"lapor-gateway cursor v1"
    CELL_KEY = b"lapor-gateway cell key offset v1"


class NodeIdCodec:
    """Global node ids: `encode` seals a (type name, local id), `decode` opens one or refuses it.

    `seal`/`unseal` are the primitive beneath, shared with pagination cursors
    (`gateway/federation/cursors.py`). Built once by the composition root from the configured key;
    resolvers reach it through their context (`GatewayContext.node_ids`).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) not in KEY_BYTES:
            raise ValueError("an AES-SIV key is 32, 48 or 64 bytes")
        self._siv = AESSIV(key)
        # Sealing is deterministic, so the ids and cursors of recent pages are kept: a page
        # of 50 complaints seals 100 strings, a few percent of its CPU.
        self._sealed: Callable[[SealPurpose, str], str] = functools.lru_cache(SEALED_KEPT)(
            self._seal
        )

    @classmethod
    def from_file(cls, path: Path) -> "NodeIdCodec":
        return cls(read_node_id_key(path))

    @classmethod
    def ephemeral(cls) -> "NodeIdCodec":
        """A random key of this process only: its ids die with it (demo without a key file)."""
        return cls(secrets.token_bytes(64))

    def seal(self, purpose: SealPurpose, text: str) -> str:
        """`text` as an opaque, unpadded base64url string: the same text and purpose always
        give the same string under this key; its length tells the text's only to 32 bytes."""
        return self._sealed(purpose, text)

    def _seal(self, purpose: SealPurpose, text: str) -> str:
        return _base64url(self._siv.encrypt(_pad(text.encode()), [purpose.value]))

    def unseal(self, purpose: SealPurpose, sealed: str) -> str | None:
        """The text this key sealed for `purpose`; None for any other string."""
        try:
            return _unpad(self._siv.decrypt(_from_base64url(sealed), [purpose.value])).decode()
        except (InvalidTag, ValueError):  # ValueError: bad base64, padding or UTF-8
            return None

    def digest(self, purpose: SealPurpose, *parts: str) -> bytes:
        """A keyed pseudo-random 16 bytes of `parts` (AES-SIV's synthetic IV of an empty
        message): the same parts always give the same bytes, and without the key they are
        unpredictable."""
        return self._siv.encrypt(b"", [purpose.value, *(part.encode() for part in parts)])

    def encode(self, type_name: str, local_id: str) -> str:
        if not type_name or ":" in type_name:
            raise ValueError(f"not a node type name: {type_name!r}")
        return self.seal(SealPurpose.NODE_ID, f"{type_name}:{local_id}")

    def decode(self, node_id: str) -> tuple[str, str]:
        """(type name, local id); a string this key did not seal is a client mistake."""
        type_name, _, local_id = (self.unseal(SealPurpose.NODE_ID, node_id) or "").partition(":")
        if not type_name or not local_id:
            raise BadUserInputError("not a valid node id")
        return type_name, local_id


def _pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding (0x80, then zeros) to a multiple of `_PAD_TO` bytes."""
    return data + b"\x80" + b"\x00" * (-(len(data) + 1) % _PAD_TO)


def _unpad(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad padding")
    return stripped[:-1]


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _from_base64url(text: str) -> bytes:
    """Strict: only the canonical unpadded base64url of some bytes (one string per value)."""
    if len(text) > _MAX_SEALED_LENGTH or not _BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _base64url(data) != text:
        raise ValueError("not canonical base64url")
    return data


def read_node_id_key(path: Path) -> bytes:
    """The key in a node-id key file: base64url of 32, 48 or 64 random bytes (never echoed)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not ASCII text"
        raise ConfigurationError(f"node id key {path}: {reason}") from None
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except ValueError:
        key = b""
    if len(key) not in KEY_BYTES:
        raise ConfigurationError(
            f"node id key {path}: must hold the base64url of 32, 48 or 64 random bytes, "
            "e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(64))'`"
        )
    return key


def write_node_id_key(path: Path) -> None:
    """A new random 64-byte key, readable by its owner only. Never replaces an existing file:
    if another process made one first, theirs is the key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(64) + "\n")
    try:
        with contextlib.suppress(FileExistsError):
            os.link(partial, path)  # atomic, and fails rather than replace a key in use
    finally:
        partial.unlink()


def demo_node_id_key(data_dir: Path) -> Path:
    """The data directory's node-id key file, created once (like the demo HS256 secret), so
    ids stay the same across restarts and across every gateway serving the directory."""
    path = data_dir / NODE_ID_KEY_FILE
    if not path.exists():
        write_node_id_key(path)
    return path


def home_region(local_id: str, regions: RegionIndex) -> str | None:
    """The region a complaint id or agency code belongs to; None when it names none."""
    prefix = local_id.split("-", 1)[0]
    if prefix in regions:
        return prefix
    if prefix in {"KL", "BUMN"}:
        return NATIONAL
    return None
