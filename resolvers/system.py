"""`sources` and `viewer`."""

import strawberry

from schema.complaints.types import Ctx
from schema.system.types import SourceInfo, Viewer


def resolve_sources(info: Ctx) -> list[SourceInfo]:
    federation = info.context.federation
    return [
        SourceInfo(
            id=source.id,
            kind=source.kind,
            covers=list(source.covers),
            state=federation.calls.state(source.id).value,
        )
        for source in federation.registry.sources
    ]


def resolve_viewer(info: Ctx) -> Viewer:
    principal, scope = info.context.principal, info.context.scope
    described = "PUBLISHED" if scope.published_only else scope.region or "ALL"
    return Viewer(
        tier=principal.tier,
        region=principal.region,
        agency=principal.agency,
        role=principal.role,
        scope=described,
    )


@strawberry.type
class SystemQueries:
    sources: list[SourceInfo] = strawberry.field(resolver=resolve_sources)
    viewer: Viewer = strawberry.field(resolver=resolve_viewer)
