"""The portal page as a plain strawberry schema would serve it: a peer of bench/portal_page.py.

The same types and fields as the gateway's page, resolved the usual strawberry way (an async
resolver per relation, batched per request by aiodataloader), on the floor's SQL through
SQLAlchemy Core and aiosqlite, with the gateway's sealed ids. No federation, no policy, no
limits: what the stack costs with nothing of the product on top.
"""

import contextlib
import gc
import os
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import strawberry
from aiodataloader import DataLoader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from bench.portal_page import DB_ENV, KEY_ENV, A, C, E, K
from gateway.federation.ids import NodeIdCodec


@strawberry.type
class Agency:
    code: str
    name: str


@strawberry.type
class Category:
    code: str
    name: str


@strawberry.type
class StatusEvent:
    from_status: str | None
    to_status: str
    at: datetime


@strawberry.type
class Complaint:
    id: strawberry.ID
    tracking_id: str | None
    title: str
    status: str
    submitted_at: datetime
    agency_code: strawberry.Private[str]
    category_code: strawberry.Private[str]
    local_id: strawberry.Private[str]

    @strawberry.field
    async def handling_agency(self, info: strawberry.Info) -> Agency | None:
        found: Agency | None = await info.context["agencies"].load(self.agency_code)
        return found

    @strawberry.field
    async def category(self, info: strawberry.Info) -> Category | None:
        found: Category | None = await info.context["categories"].load(self.category_code)
        return found

    @strawberry.field
    async def status_history(self, info: strawberry.Info) -> list[StatusEvent]:
        found: list[StatusEvent] = await info.context["history"].load(self.local_id)
        return found


@strawberry.type
class ComplaintEdge:
    node: Complaint


@strawberry.type
class ComplaintConnection:
    edges: list[ComplaintEdge]


@strawberry.input
class ComplaintFilter:
    region: str | None = None


class Rows:
    """The floor's statements, on one engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def all(self, statement: Any) -> Sequence[Any]:
        async with self.engine.connect() as connection:
            return (await connection.execute(statement)).all()


@strawberry.type
class Query:
    @strawberry.field
    async def complaints(
        self, info: strawberry.Info, first: int = 20, filter: ComplaintFilter | None = None
    ) -> ComplaintConnection:
        region = filter.region if filter else None
        info.context["region"] = region
        rows: Rows = info.context["rows"]
        codec: NodeIdCodec = info.context["codec"]
        found = await rows.all(
            select(C.id, C.submitted_at, C.agency_code, C.category_code, C.status, C.title)
            .add_columns(C.tracking_id)
            .where(C.regency_code == region)
            .order_by(C.submitted_at.desc(), C.id.desc())
            .limit(first + 1)
        )
        return ComplaintConnection(
            edges=[
                ComplaintEdge(
                    node=Complaint(
                        id=strawberry.ID(codec.encode("Complaint", row.id)),
                        tracking_id=row.tracking_id,
                        title=row.title,
                        status=row.status,
                        submitted_at=row.submitted_at,
                        agency_code=row.agency_code,
                        category_code=row.category_code,
                        local_id=row.id,
                    )
                )
                for row in found[:first]
            ]
        )


def loaders(rows: Rows, context: dict[str, Any]) -> dict[str, DataLoader[Any, Any]]:
    async def agencies(codes: list[str]) -> list[Agency | None]:
        found = await rows.all(select(A.code, A.name).where(A.code.in_(codes)))
        by_code = {row.code: Agency(code=row.code, name=row.name) for row in found}
        return [by_code.get(code) for code in codes]

    async def categories(codes: list[str]) -> list[Category | None]:
        found = await rows.all(select(K.code, K.name).where(K.code.in_(codes)))
        by_code = {row.code: Category(code=row.code, name=row.name) for row in found}
        return [by_code.get(code) for code in codes]

    async def history(ids: list[str]) -> list[list[StatusEvent]]:
        in_scope = select(C.id).where(C.id.in_(ids), C.regency_code == context["region"])
        found = await rows.all(
            select(E.complaint_id, E.from_status, E.to_status, E.at)
            .where(E.complaint_id.in_(in_scope))
            .order_by(E.complaint_id, E.at, E.id)
        )
        grouped: dict[str, list[StatusEvent]] = {cid: [] for cid in ids}
        for e in found:
            grouped[e.complaint_id].append(
                StatusEvent(from_status=e.from_status, to_status=e.to_status, at=e.at)
            )
        return [grouped[cid] for cid in ids]

    return {
        "agencies": DataLoader(agencies),
        "categories": DataLoader(categories),
        "history": DataLoader(history),
    }


class PlainGraphQL(GraphQL[dict[str, Any], None]):
    def __init__(self, rows: Rows, codec: NodeIdCodec) -> None:
        super().__init__(strawberry.Schema(query=Query), graphql_ide=None)
        self.rows, self.codec = rows, codec

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        context: dict[str, Any] = {"rows": self.rows, "codec": self.codec}
        context.update(loaders(self.rows, context))
        return context


def create_strawberry_app() -> Starlette:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{os.environ[DB_ENV]}", connect_args={"timeout": 5.0}
    )
    graphql = PlainGraphQL(Rows(engine), NodeIdCodec.from_file(Path(os.environ[KEY_ENV])))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        gc.freeze()  # as the gateway does after start-up
        yield
        await engine.dispose()

    return Starlette(routes=[Route("/graphql", graphql)], lifespan=lifespan)
