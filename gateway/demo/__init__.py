"""The embedded national demo: topology, deterministic seed data, registry."""
