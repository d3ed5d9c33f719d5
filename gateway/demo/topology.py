"""The demo topology: 72 sources.

One national source for K/L agencies; one source per province holding its provincial and
regency agencies; except North Sumatra (`12`), where the provincial government and each of its
33 regencies/cities are separate sources.
"""

from dataclasses import dataclass

from gateway.regions import NATIONAL, RegionIndex

SPLIT_PROVINCE = "12"


@dataclass(frozen=True, slots=True)
class DemoSource:
    id: str
    covers: tuple[str, ...]
    home_regions: tuple[str, ...]
    """Regions whose agencies (and so whose handled complaints) live in this source;
    `NATIONAL` for K/L agencies."""


def demo_topology(regions: RegionIndex) -> list[DemoSource]:
    sources = [DemoSource("national", (NATIONAL,), (NATIONAL,))]
    for province in regions.provinces():
        children = tuple(child.code for child in regions.children(province.code))
        if province.code == SPLIT_PROVINCE:
            sources.append(DemoSource(f"prov-{province.code}", (province.code,), (province.code,)))
            sources += [DemoSource(f"reg-{code}", (code,), (code,)) for code in children]
        else:
            sources.append(
                DemoSource(f"prov-{province.code}", (province.code,), (province.code, *children))
            )
    return sources
