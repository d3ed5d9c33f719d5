"""The public GraphQL contract's types (strawberry), grouped by domain: no resolver bodies and
no I/O (those are `resolvers/`; the root is bound in `gateway/graph`)."""
