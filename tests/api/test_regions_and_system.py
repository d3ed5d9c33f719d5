"""Reference data and self-description: regions, sources, viewer."""

from tests.conftest import GraphQL


def test_region_with_parent_and_children(gql: GraphQL) -> None:
    body = gql(
        '{ region(code: "12.71") { name level kind parent { code name children { code } } } }'
    )
    region = body["data"]["region"]
    assert (region["name"], region["level"], region["kind"]) == ("Kota Medan", "REGENCY", "KOTA")
    assert region["parent"]["code"] == "12"
    assert len(region["parent"]["children"]) == 33


def test_unknown_region_is_null(gql: GraphQL) -> None:
    assert gql('{ region(code: "1") { code } }') == {"data": {"region": None}}


def test_regions_by_level_and_parent(gql: GraphQL) -> None:
    provinces = gql("{ regions(level: PROVINCE) { code } }")["data"]["regions"]
    regencies = gql("{ regions(level: REGENCY) { code } }")["data"]["regions"]
    north_sumatra = gql('{ regions(parent: "12") { code level } }')["data"]["regions"]
    assert (len(provinces), len(regencies), len(north_sumatra)) == (38, 514, 33)
    assert {region["level"] for region in north_sumatra} == {"REGENCY"}


def test_sources_lists_the_registry(gql: GraphQL) -> None:
    sources = gql("{ sources { id kind covers } }")["data"]["sources"]
    assert {source["id"]: source["covers"] for source in sources} == {
        "national": ["NATIONAL"],
        "prov-12": ["12"],
        "reg-12.71": ["12.71"],
        "reg-12.72": ["12.72"],
        "prov-31": ["31"],
    }


def test_viewer_describes_the_caller(gql: GraphQL) -> None:
    query = "{ viewer { tier region role scope } }"
    assert gql(query, tier="REGENCY", region="12.71", role="OPERATOR")["data"]["viewer"] == {
        "tier": "REGENCY",
        "region": "12.71",
        "role": "OPERATOR",
        "scope": "12.71",
    }
    assert gql(query, tier="PUBLIC")["data"]["viewer"]["scope"] == "PUBLISHED"
