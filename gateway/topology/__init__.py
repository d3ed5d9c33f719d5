"""The demo topology as real processes: `lapor-gateway up`, and the compose deployment.

Modules: `layout` (which source runs where, file layout under `<data-dir>/up/`), `configs`
(gateway, registry and service config files), `postgres` (loading seeded SQLite sources into
PostgreSQL once per seed), `supervisor` (child processes in one process group), `up`
(prepare, then run), `command` (the CLI subcommand and its signals), `compose`
(docker-compose.yml and the container configs, written by `docker/generate_compose.py`).
"""
