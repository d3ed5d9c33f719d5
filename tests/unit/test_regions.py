"""Kemendagri regions: the shipped list, containment, levels and kinds."""

import re

import pytest

from gateway.domain import RegionKind, RegionLevel
from gateway.regions import NATIONAL, is_inside, level_of, load_regions, province_of

REGIONS = load_regions()
REGENCIES = [region for region in REGIONS if region.level is RegionLevel.REGENCY]


def test_the_shipped_list_has_38_provinces_and_514_regencies_and_cities() -> None:
    assert len(REGIONS.provinces()) == 38
    assert len(REGENCIES) == 514
    assert len(REGIONS) == 38 + 514


def test_every_code_is_pp_or_pp_dot_kk() -> None:
    for region in REGIONS:
        pattern = r"\d{2}" if region.level is RegionLevel.PROVINCE else r"\d{2}\.\d{2}"
        assert re.fullmatch(pattern, region.code), region


def test_every_regency_has_an_existing_province_as_parent() -> None:
    for region in REGENCIES:
        assert region.parent == province_of(region.code)
        parent = REGIONS.get(region.parent)
        assert parent is not None
        assert parent.level is RegionLevel.PROVINCE


def test_provinces_have_no_parent_and_are_provinsi() -> None:
    for province in REGIONS.provinces():
        assert province.parent is None
        assert province.level is RegionLevel.PROVINCE
        assert province.kind is RegionKind.PROVINSI


def test_kabupaten_are_numbered_01_to_69_and_kota_71_to_99() -> None:
    for region in REGENCIES:
        number = int(region.code.split(".")[1])
        if region.kind is RegionKind.KABUPATEN:
            assert 1 <= number <= 69, region
        else:
            assert region.kind is RegionKind.KOTA, region
            assert 71 <= number <= 99, region


@pytest.mark.parametrize(
    ("code", "name", "level", "kind", "parent"),
    [
        ("12", "Sumatera Utara", RegionLevel.PROVINCE, RegionKind.PROVINSI, None),
        ("12.71", "Kota Medan", RegionLevel.REGENCY, RegionKind.KOTA, "12"),
        ("12.01", "Kabupaten Tapanuli Tengah", RegionLevel.REGENCY, RegionKind.KABUPATEN, "12"),
        ("31", "Daerah Khusus Ibukota Jakarta", RegionLevel.PROVINCE, RegionKind.PROVINSI, None),
    ],
)
def test_known_regions_have_their_name_level_kind_and_parent(
    code: str, name: str, level: RegionLevel, kind: RegionKind, parent: str | None
) -> None:
    region = REGIONS.get(code)
    assert region is not None
    assert (region.name, region.level, region.kind, region.parent) == (name, level, kind, parent)


def test_north_sumatra_has_33_regencies_and_cities() -> None:
    children = REGIONS.children("12")
    assert len(children) == 33
    assert all(child.parent == "12" for child in children)
    assert "12.71" in {child.code for child in children}


def test_subtree_is_the_region_and_its_children() -> None:
    subtree = [region.code for region in REGIONS.subtree("12")]
    assert subtree[0] == "12"
    assert sorted(subtree[1:]) == sorted(child.code for child in REGIONS.children("12"))
    assert [region.code for region in REGIONS.subtree("12.71")] == ["12.71"]


def test_a_regency_has_no_children() -> None:
    assert REGIONS.children("12.71") == []


@pytest.mark.parametrize("code", ["1", "12.7", "99", "12.00", NATIONAL, ""])
def test_codes_not_in_the_list_are_unknown(code: str) -> None:
    assert code not in REGIONS
    assert REGIONS.get(code) is None


@pytest.mark.parametrize(
    ("code", "ancestor"),
    [
        ("12", "12"),
        ("12.71", "12.71"),
        ("12.71", "12"),
        ("12.01", "12"),
    ],
)
def test_a_region_is_inside_itself_and_its_province(code: str, ancestor: str) -> None:
    assert is_inside(code, ancestor)


@pytest.mark.parametrize(
    ("code", "ancestor"),
    [
        ("12", "1"),  # region code 1 is not a parent of 12
        ("12.71", "1"),
        ("12.71", "12.7"),  # 12.7 is not a parent of 12.71
        ("12.710", "12.71"),
        ("12", "12.71"),  # a province is not inside its regency
        ("13.71", "12"),
        ("12.71", "12.72"),
        ("120", "12"),
        (NATIONAL, "12"),
        ("12", NATIONAL),
    ],
)
def test_is_inside_is_never_a_bare_string_prefix(code: str, ancestor: str) -> None:
    assert not is_inside(code, ancestor)


def test_region_code_1_is_not_a_parent_of_12() -> None:
    assert "12".startswith("1")  # what a bare prefix would wrongly conclude
    assert not is_inside("12", "1")


@pytest.mark.parametrize(
    ("code", "level"),
    [("12", RegionLevel.PROVINCE), ("12.71", RegionLevel.REGENCY), ("31.01", RegionLevel.REGENCY)],
)
def test_level_of_reads_the_level_from_the_code(code: str, level: RegionLevel) -> None:
    assert level_of(code) is level


@pytest.mark.parametrize(("code", "province"), [("12.71", "12"), ("12", "12"), ("31.01", "31")])
def test_province_of_is_the_first_segment(code: str, province: str) -> None:
    assert province_of(code) == province


def test_level_of_agrees_with_the_list_for_every_region() -> None:
    for region in REGIONS:
        assert level_of(region.code) is region.level


def test_load_regions_is_cached() -> None:
    assert load_regions() is REGIONS
