"""Automatic persisted queries (Apollo APQ), the allow-list, and `lapor-gateway persisted`."""

import json
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.http.persisted import sha256_hex
from tests.edge.conftest import EdgeApp, codes, post

QUERY = "query Viewer { viewer { tier } }"


def persisted(digest: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


def test_apq_not_found_then_registered_then_by_hash(edge_app: EdgeApp) -> None:
    client = edge_app()
    digest = sha256_hex(QUERY)
    missing = client.post("/graphql", json={"extensions": persisted(digest)})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert codes(missing) == ["PERSISTED_QUERY_NOT_FOUND"]
    first = client.post("/graphql", json={"query": QUERY, "extensions": persisted(digest)})
    assert first.json() == {"data": {"viewer": {"tier": "PUBLIC"}}}
    again = client.post("/graphql", json={"extensions": persisted(digest)})
    assert again.json() == {"data": {"viewer": {"tier": "PUBLIC"}}}


def test_apq_refuses_a_hash_of_another_text(edge_app: EdgeApp) -> None:
    client = edge_app()
    response = client.post(
        "/graphql", json={"query": QUERY, "extensions": persisted(sha256_hex("{ x }"))}
    )
    assert codes(response) == ["PERSISTED_QUERY_HASH_MISMATCH"]


def test_apq_keeps_only_valid_documents(edge_app: EdgeApp) -> None:
    client = edge_app()
    bad = "{ nope }"
    client.post("/graphql", json={"query": bad, "extensions": persisted(sha256_hex(bad))})
    response = client.post("/graphql", json={"extensions": persisted(sha256_hex(bad))})
    assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_apq_can_be_switched_off(edge_app: EdgeApp) -> None:
    client = edge_app(persisted_queries="off")
    response = client.post("/graphql", json={"extensions": persisted(sha256_hex(QUERY))})
    assert codes(response) == ["PERSISTED_QUERY_NOT_SUPPORTED"]


def test_a_malformed_persisted_query_is_a_400(edge_app: EdgeApp) -> None:
    client = edge_app()
    for extension in ({"version": 2, "sha256Hash": "0" * 64}, {"version": 1}, "x"):
        response = client.post("/graphql", json={"extensions": {"persistedQuery": extension}})
        assert response.status_code == 400


def test_the_cli_registers_and_lists_operations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "manifest.json"
    document = tmp_path / "viewer.graphql"
    document.write_text(QUERY, encoding="utf-8")
    main(["persisted", "add", str(document), "--manifest", str(manifest)])
    main(["persisted", "add", str(document), "--manifest", str(manifest)])
    assert "already registered" in capsys.readouterr().out
    main(["persisted", "list", "--manifest", str(manifest)])
    listed = capsys.readouterr().out
    assert sha256_hex(QUERY) in listed
    assert "Viewer" in listed
    stored = json.loads(manifest.read_text())
    assert stored["format"] == "apollo-persisted-query-manifest"
    assert stored["operations"] == [
        {"id": sha256_hex(QUERY), "name": "Viewer", "type": "query", "body": QUERY}
    ]
    invalid = tmp_path / "bad.graphql"
    invalid.write_text("{ nope }", encoding="utf-8")
    with pytest.raises(SystemExit, match="not a valid document"):
        main(["persisted", "add", str(invalid), "--manifest", str(manifest)])


def test_the_allowlist_runs_registered_operations_only(edge_app: EdgeApp, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    (tmp_path / "q.graphql").write_text(QUERY, encoding="utf-8")
    main(["persisted", "add", str(tmp_path / "q.graphql"), "--manifest", str(manifest)])
    client = edge_app(persisted_queries="allowlist", persisted_queries_manifest=manifest)
    by_text = post(client, QUERY)
    by_hash = client.post("/graphql", json={"extensions": persisted(sha256_hex(QUERY))})
    for response in (by_text, by_hash):
        assert response.json() == {"data": {"viewer": {"tier": "PUBLIC"}}}
    other = post(client, "{ complaints { totalCount } }")
    assert other.status_code == 403
    assert codes(other) == ["PERSISTED_QUERY_NOT_ALLOWED"]
    text = "{ complaints { totalCount } }"
    registering = client.post(
        "/graphql", json={"query": text, "extensions": persisted(sha256_hex(text))}
    )
    assert registering.status_code == 403
    unknown = client.post("/graphql", json={"extensions": persisted(sha256_hex(text))})
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]


def test_the_allowlist_needs_a_manifest(edge_registry: Path) -> None:
    from gateway.settings import GatewaySettings

    with pytest.raises(ValueError, match="persisted_queries_manifest"):
        GatewaySettings(registry=edge_registry, persisted_queries="allowlist")
