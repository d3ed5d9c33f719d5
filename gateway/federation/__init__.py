"""The federation engine: planning which sources a query needs, fanning out to them under
deadlines, breakers and retries, merging their pages and aggregates, and the per-request
loaders and context the resolvers work through."""
