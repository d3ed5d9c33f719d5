"""The source service: a source's database behind the source contract (`contract/`), so that
a province or regency can run its own source and the gateway reach it as a `remote` source.

`contract` is the wire format both ends share (the gateway's `RemoteSource` decodes with it);
`types` and `schema` the contract as strawberry GraphQL over `SqlSource`; `execution` the fast
path for its flat record types; `errors` the coded, masked errors; `auth` the check of the
gateway's per-call scope tokens; `settings` the `[service]` config; `app` the Starlette app.
"""
