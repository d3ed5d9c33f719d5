"""The HTTP edge: what a request must get past before, and around, GraphQL execution.

One concept per module:

- `limits`: the configured bounds (`QueryLimits`) and the codes of their refusals;
- `complexity`: the static analysis of a document (depth, aliases, directives, root fields,
  fragment expansions, cost) in one linear pass;
- `documents`: parse, limits and validation once per distinct document, cached;
- `negotiation`: GraphQL over HTTP media types (`Accept`, `Content-Type`);
- `body`: reading a bounded body and the request parameters;
- `errors`: refusals as GraphQL error responses with their HTTP status;
- `persisted`: automatic persisted queries and the allow-list manifest;
- `ratelimit`: per-principal request rates (Redis or memory);
- `metrics`: Prometheus counters and histograms, `/metrics`;
- `observed`: the source-call observer seam (metrics, tracing);
- `tracing`: optional OpenTelemetry spans;
- `logs`: structured, rate-limited JSON logs;
- `request_id`: the `X-Request-Id` middleware;
- `endpoint`: `/graphql`, which puts all of the above together.
"""
