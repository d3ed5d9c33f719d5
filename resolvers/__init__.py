"""How fields are answered: planning, fan-out, merging and per-request loaders."""
