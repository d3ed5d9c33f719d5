"""GraphQL over HTTP media types: what a client accepts, and what it may send.

`application/graphql-response+json` answers request errors (parse, validation, variables)
with 4xx; `application/json` answers them with 200, as the GraphQL-over-HTTP spec asks for
legacy clients. `*/*`, `application/*` and no `Accept` at all mean `application/json`.
Requests must be `application/json` (or the response type, which some clients send); form
and `text/plain` bodies are refused with 415, because a browser sends those cross-site
without a CORS preflight (CSRF).
"""

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
REQUEST_TYPES = frozenset({JSON, GRAPHQL_RESPONSE_JSON})


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    ranges = []
    for part in header.split(","):
        kind, *raw_params = part.split(";")
        params = {}
        for raw in raw_params:
            key, _, value = raw.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        if kind.strip():
            ranges.append((kind.strip().lower(), params))
    return ranges


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer in, or None when the client accepts neither JSON type."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for position, (kind, params) in enumerate(_media_ranges(accept)):
        try:
            quality = float(params.get("q", "1"))
        except ValueError:
            quality = 0.0
        if quality <= 0:
            continue
        if kind == GRAPHQL_RESPONSE_JSON:
            chosen = GRAPHQL_RESPONSE_JSON
        elif kind in (JSON, "application/*", "*/*"):
            chosen = JSON
        else:
            continue
        # Highest quality first; on a tie, the client's order.
        candidate = (-quality, position, chosen)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def is_acceptable_body(content_type_header: str | None) -> bool:
    """True for a JSON body in UTF-8 (the charset may be absent, meaning UTF-8)."""
    if not content_type_header:
        return False
    ranges = _media_ranges(content_type_header)
    if len(ranges) != 1:
        return False
    kind, params = ranges[0]
    return kind in REQUEST_TYPES and params.get("charset", "utf-8").lower() == "utf-8"


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"
