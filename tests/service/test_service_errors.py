"""A source service whose database is down says so with a code, and nothing more."""

from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.errors import SourceUnavailableError
from gateway.policy import EVERYTHING
from gateway.registry import SourceConfig
from gateway.service.app import create_service_app
from gateway.sources.base import ComplaintCriteria
from gateway.sources.remote import RemoteSource
from tests.contract.world import NOW
from tests.service.harness import KeyPair, running_service, service_settings

COUNT = '{ count(criteria: {now: "2023-06-01T12:00:00"}) }'


def unreachable_db(service_db: SourceConfig, tmp_path: Path) -> SourceConfig:
    return replace(service_db, url=f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/source.db")


def test_an_unreachable_database_is_source_unavailable_without_details(
    service_db: SourceConfig, keys: KeyPair, tmp_path: Path
) -> None:
    app = create_service_app(service_settings(unreachable_db(service_db, tmp_path), keys.public))
    token = keys.signer().sign(service_db.id, EVERYTHING)
    with TestClient(app) as client:
        body = client.post(
            "/graphql", json={"query": COUNT}, headers={"Authorization": f"Bearer {token}"}
        ).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "SOURCE_UNAVAILABLE"}
    assert str(tmp_path) not in str(body)


async def test_remote_source_reports_the_service_unavailable_code(
    service_db: SourceConfig, keys: KeyPair, tmp_path: Path
) -> None:
    app = create_service_app(service_settings(unreachable_db(service_db, tmp_path), keys.public))
    with running_service(app) as url:
        source = RemoteSource(
            SourceConfig(service_db.id, "remote", url, service_db.covers), keys.signer()
        )
        with pytest.raises(SourceUnavailableError):
            await source.count(ComplaintCriteria(EVERYTHING, NOW))
        await source.close()
