"""Kemendagri region codes: provinces `PP` and regencies/cities `PP.KK`.

A region is inside `12` when its code equals `12` or starts with `12.`; a bare string prefix
is never used (`1` is not a parent of `12`).
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gateway.domain import RegionKind, RegionLevel

NATIONAL = "NATIONAL"
"""Pseudo-region of national agencies (K/L, BUMN): they are inside no province."""

_KINDS = {
    "provinsi": RegionKind.PROVINSI,
    "kabupaten": RegionKind.KABUPATEN,
    "kota": RegionKind.KOTA,
}


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: RegionLevel
    kind: RegionKind
    parent: str | None


def is_inside(code: str, ancestor: str) -> bool:
    """True when `code` is `ancestor` or one of its descendants."""
    return code == ancestor or code.startswith(ancestor + ".")


def province_of(code: str) -> str:
    return code.split(".", 1)[0]


def level_of(code: str) -> RegionLevel:
    return RegionLevel.REGENCY if "." in code else RegionLevel.PROVINCE


class RegionIndex:
    """The official region list, indexed by code and by parent."""

    def __init__(self, regions: list[Region]) -> None:
        self._by_code = {region.code: region for region in regions}
        self._children: dict[str | None, list[Region]] = {}
        for region in regions:
            self._children.setdefault(region.parent, []).append(region)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def children(self, code: str | None) -> list[Region]:
        return self._children.get(code, [])

    def provinces(self) -> list[Region]:
        return self.children(None)

    def subtree(self, code: str) -> list[Region]:
        """`code` and every region inside it."""
        region = self._by_code[code]
        return [region, *self.children(code)]


@cache
def load_regions() -> RegionIndex:
    """The 38 provinces and 514 regencies/cities shipped with the package."""
    text = resources.files("gateway.data").joinpath("regions.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return RegionIndex(
        [
            Region(
                code=row["kode"],
                name=row["nama"],
                level=RegionLevel.PROVINCE if row["level"] == "provinsi" else RegionLevel.REGENCY,
                kind=_KINDS[row["jenis"]],
                parent=row["kode_induk"] or None,
            )
            for row in rows
        ]
    )
