"""Persisted queries: Apollo's automatic persisted queries (APQ) and an allow-list.

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`, first
without the query; when the gateway does not know the hash it answers
`PERSISTED_QUERY_NOT_FOUND` and the client sends the hash with the query, which is kept
(only once it has validated, and in a bounded LRU). In `allowlist` mode only the operations of
the manifest execute (by hash, or by their exact text); anything else is refused with 403
`PERSISTED_QUERY_NOT_ALLOWED`, so a stolen token cannot run arbitrary documents.

The manifest is Apollo's persisted query manifest format:
`{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id": "<sha256 of body>", "name": "...", "type": "query", "body": "..."}]}`.
"""

import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from gateway.errors import ConfigurationError
from gateway.http.body import BAD_REQUEST, GraphQLParams
from gateway.http.errors import HttpError

MANIFEST_FORMAT = "apollo-persisted-query-manifest"
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
APQ_CACHE_SIZE = 1000

Mode = Literal["off", "automatic", "allowlist"]


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    id: str
    name: str | None
    type: str
    body: str


def read_manifest(path: Path) -> list[ManifestEntry]:
    """The manifest's operations; a missing file is an empty manifest."""
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"format is not {MANIFEST_FORMAT!r}")
        entries = [
            ManifestEntry(
                id=str(item["id"]),
                name=item.get("name"),
                type=str(item.get("type", "query")),
                body=str(item["body"]),
            )
            for item in document["operations"]
        ]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConfigurationError(f"cannot read persisted query manifest {path}: {e}") from e
    for entry in entries:
        if sha256_hex(entry.body) != entry.id:
            raise ConfigurationError(f"manifest {path}: id of {entry.name!r} is not its sha256")
    return entries


def write_manifest(path: Path, entries: Iterable[ManifestEntry]) -> None:
    """Written atomically (a rename), so a serving gateway never reads half a manifest."""
    document = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "operations": [
            {"id": e.id, "name": e.name, "type": e.type, "body": e.body} for e in entries
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".manifest-")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=2, ensure_ascii=False)
        file.write("\n")
    os.replace(temporary, path)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The query text to run, and the hash to remember it by once it has validated."""

    query: str
    remember: str | None = None


class PersistedQueries:
    """Turns request parameters into the query text to run, per the configured mode."""

    def __init__(self, mode: Mode, manifest: list[ManifestEntry] | None = None) -> None:
        self.mode = mode
        self.registered = {entry.id: entry.body for entry in manifest or ()}
        self._automatic: OrderedDict[str, str] = OrderedDict()

    def resolve(self, params: GraphQLParams) -> Resolved:
        persisted = self._persisted_hash(params.extensions)
        if persisted is None:
            if params.query is None:
                raise HttpError(400, BAD_REQUEST, "the request has no `query`")
            if self.mode == "allowlist" and sha256_hex(params.query) not in self.registered:
                raise HttpError(403, NOT_ALLOWED, "only registered operations may run here")
            return Resolved(params.query)
        if self.mode == "off":
            raise HttpError(400, NOT_SUPPORTED, "PersistedQueryNotSupported")
        if params.query is None:
            query = self.registered.get(persisted) or self._lookup(persisted)
            if query is None:
                # Apollo clients match this message and retry with the query text.
                raise HttpError(400, NOT_FOUND, "PersistedQueryNotFound")
            return Resolved(query)
        if sha256_hex(params.query) != persisted:
            raise HttpError(400, HASH_MISMATCH, "provided sha256Hash does not match the query")
        if self.mode == "allowlist":
            if persisted not in self.registered:
                raise HttpError(403, NOT_ALLOWED, "only registered operations may run here")
            return Resolved(params.query)
        return Resolved(params.query, remember=persisted)

    def remember(self, resolved: Resolved) -> None:
        """Keep an automatic persisted query once its document has validated."""
        if resolved.remember is None or self.mode != "automatic":
            return
        self._automatic[resolved.remember] = resolved.query
        self._automatic.move_to_end(resolved.remember)
        if len(self._automatic) > APQ_CACHE_SIZE:
            self._automatic.popitem(last=False)

    def _lookup(self, digest: str) -> str | None:
        if self.mode != "automatic":
            return None
        query = self._automatic.get(digest)
        if query is not None:
            self._automatic.move_to_end(digest)
        return query

    @staticmethod
    def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
        if not extensions or "persistedQuery" not in extensions:
            return None
        persisted = extensions["persistedQuery"]
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise HttpError(400, BAD_REQUEST, "unsupported persistedQuery version (only 1)")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or len(digest) != 64:
            raise HttpError(400, BAD_REQUEST, "persistedQuery.sha256Hash must be 64 hex digits")
        return digest.lower()
