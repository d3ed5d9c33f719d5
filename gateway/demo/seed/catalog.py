"""Agencies and categories of the demo, derived from region codes so every source agrees.

An agency code encodes its region: `KL-KEMENKES` and `BUMN-PLN` (national), `12-DINKES`
(provincial), `12.71-DINKES` (regency/city). Any source can therefore name an agency owned by
another source, which is what a disposition across tiers does.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from gateway.domain import AgencyKind, Tier
from gateway.regions import NATIONAL, Region, RegionIndex

LAPOR_ADMIN = "KL-KEMENPANRB"
"""The national LAPOR! administrator: verifies and disposes complaints."""

PROVINCE_ADMIN = "DISKOMINFO"
"""The provincial LAPOR! liaison unit, which disposes complaints inside its province."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A kind of regional government unit, repeated in every province or regency."""

    suffix: str
    name: str
    kind: AgencyKind
    parent: str | None
    national: str
    """The national counterpart that a cascade starts from or a misrouted complaint reaches."""


_UNITS = (
    Unit("SETDA", "Sekretariat Daerah", AgencyKind.OPD, None, "KL-KEMENDAGRI"),
    Unit("DINKES", "Dinas Kesehatan", AgencyKind.OPD, "SETDA", "KL-KEMENKES"),
    Unit("DISDIK", "Dinas Pendidikan", AgencyKind.OPD, "SETDA", "KL-KEMENDIKBUDRISTEK"),
    Unit("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", AgencyKind.OPD, "SETDA",
         "KL-KEMENPUPR"),
    Unit("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", AgencyKind.OPD, "SETDA",
         "KL-KEMENDAGRI"),
    Unit("DLH", "Dinas Lingkungan Hidup", AgencyKind.OPD, "SETDA", "KL-KLHK"),
    Unit("DISNAKER", "Dinas Tenaga Kerja", AgencyKind.OPD, "SETDA", "KL-KEMNAKER"),
    Unit("DISHUB", "Dinas Perhubungan", AgencyKind.OPD, "SETDA", "KL-KEMENHUB"),
    Unit("BAPENDA", "Badan Pendapatan Daerah", AgencyKind.OPD, "SETDA", "KL-KEMENKEU"),
    Unit("DINSOS", "Dinas Sosial", AgencyKind.OPD, "SETDA", "KL-KEMENSOS"),
    Unit("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", AgencyKind.OPD,
         "SETDA", "KL-BKPM"),
    Unit("SATPOLPP", "Satuan Polisi Pamong Praja", AgencyKind.OPD, "SETDA", "KL-KEMENDAGRI"),
    Unit("DISKOMINFO", "Dinas Komunikasi dan Informatika", AgencyKind.OPD, "SETDA",
         "KL-KOMINFO"),
    Unit("DISPERKIM", "Dinas Perumahan dan Kawasan Permukiman", AgencyKind.OPD, "SETDA",
         "KL-KEMENPUPR"),
    Unit("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", AgencyKind.OPD, "SETDA",
         "KL-KEMENDAG"),
    Unit("DISTAN", "Dinas Pertanian", AgencyKind.OPD, "SETDA", "KL-KEMENTAN"),
    Unit("BKD", "Badan Kepegawaian Daerah", AgencyKind.OPD, "SETDA", "KL-BKN"),
    Unit("RSUD", "RSUD", AgencyKind.UPT, "DINKES", "KL-KEMENKES"),
)  # fmt: skip
_REGENCY_UNITS = (
    *_UNITS,
    Unit("PDAM", "Perumda Air Minum", AgencyKind.BUMD, "SETDA", "KL-KEMENPUPR"),
)
_PROVINCE_UNITS = (
    *_UNITS,
    Unit("DISESDM", "Dinas Energi dan Sumber Daya Mineral", AgencyKind.OPD, "SETDA", "KL-KESDM"),
    Unit("SAMSAT", "UPT Samsat", AgencyKind.UPT, "BAPENDA", "KL-KEMENKEU"),
    Unit("BANKDAERAH", "PT Bank Pembangunan Daerah", AgencyKind.BUMD, "SETDA", "KL-KEMENKEU"),
)

_NATIONAL_AGENCIES = (
    ("KL-KEMENPANRB", "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"),
    ("KL-KEMENDAGRI", "Kementerian Dalam Negeri"),
    ("KL-KEMENKES", "Kementerian Kesehatan"),
    ("KL-KEMENDIKBUDRISTEK", "Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi"),
    ("KL-KEMENAG", "Kementerian Agama"),
    ("KL-KEMENKEU", "Kementerian Keuangan"),
    ("KL-KEMENSOS", "Kementerian Sosial"),
    ("KL-KEMNAKER", "Kementerian Ketenagakerjaan"),
    ("KL-KEMENHUB", "Kementerian Perhubungan"),
    ("KL-KEMENPUPR", "Kementerian Pekerjaan Umum dan Perumahan Rakyat"),
    ("KL-KLHK", "Kementerian Lingkungan Hidup dan Kehutanan"),
    ("KL-ATRBPN", "Kementerian Agraria dan Tata Ruang/Badan Pertanahan Nasional"),
    ("KL-KEMENKUMHAM", "Kementerian Hukum dan Hak Asasi Manusia"),
    ("KL-KOMINFO", "Kementerian Komunikasi dan Informatika"),
    ("KL-KEMENDAG", "Kementerian Perdagangan"),
    ("KL-KEMENTAN", "Kementerian Pertanian"),
    ("KL-KESDM", "Kementerian Energi dan Sumber Daya Mineral"),
    ("KL-KEMENBUMN", "Kementerian Badan Usaha Milik Negara"),
    ("KL-BKPM", "Kementerian Investasi/Badan Koordinasi Penanaman Modal"),
    ("KL-BKN", "Badan Kepegawaian Negara"),
    ("KL-POLRI", "Kepolisian Negara Republik Indonesia"),
    ("KL-BPJSKES", "Badan Penyelenggara Jaminan Sosial Kesehatan"),
    ("KL-BPJSTK", "Badan Penyelenggara Jaminan Sosial Ketenagakerjaan"),
    ("BUMN-PLN", "PT PLN (Persero)"),
    ("BUMN-PERTAMINA", "PT Pertamina (Persero)"),
    ("BUMN-TELKOM", "PT Telkom Indonesia (Persero) Tbk"),
    ("BUMN-KAI", "PT Kereta Api Indonesia (Persero)"),
    ("BUMN-POS", "PT Pos Indonesia (Persero)"),
)

# code, name, then weights by handling tier (national, provincial, regency).
CATEGORIES: tuple[tuple[str, str, tuple[int, int, int]], ...] = (
    ("KESEHATAN", "Kesehatan", (12, 10, 10)),
    ("PENDIDIKAN", "Pendidikan", (8, 14, 8)),
    ("INFRASTRUKTUR", "Infrastruktur", (4, 14, 16)),
    ("ADMINISTRASI_KEPENDUDUKAN", "Administrasi Kependudukan", (4, 2, 10)),
    ("LINGKUNGAN_HIDUP", "Lingkungan Hidup dan Kehutanan", (3, 5, 6)),
    ("KETENAGAKERJAAN", "Ketenagakerjaan", (7, 5, 2)),
    ("PERHUBUNGAN", "Perhubungan", (4, 6, 4)),
    ("PERPAJAKAN", "Perpajakan dan Retribusi", (6, 10, 3)),
    ("BANSOS", "Bantuan Sosial dan Perlindungan Sosial", (14, 5, 9)),
    ("ENERGI_LISTRIK", "Energi dan Ketenagalistrikan", (10, 3, 3)),
    ("AIR_BERSIH", "Air Bersih dan Sanitasi", (2, 2, 5)),
    ("PERTANAHAN", "Pertanahan", (7, 2, 2)),
    ("KETERTIBAN_UMUM", "Ketenteraman dan Ketertiban Umum", (4, 3, 5)),
    ("KEPEGAWAIAN", "Kepegawaian dan Aparatur Sipil Negara", (9, 6, 4)),
    ("PERIZINAN", "Perizinan dan Penanaman Modal", (3, 4, 3)),
    ("PERUMAHAN", "Perumahan dan Permukiman", (2, 2, 3)),
    ("KOMUNIKASI_INFORMATIKA", "Komunikasi dan Informatika", (5, 2, 2)),
    ("PERTANIAN", "Pertanian dan Ketahanan Pangan", (3, 3, 3)),
    ("PERDAGANGAN", "Perdagangan dan Perlindungan Konsumen", (2, 2, 2)),
    ("PELAYANAN_PUBLIK", "Pelayanan Publik dan Reformasi Birokrasi", (2, 3, 4)),
)

# Which agency handles a category, with weights: national codes, regional unit suffixes.
_NATIONAL_ROUTES: dict[str, tuple[tuple[str, int], ...]] = {
    "KESEHATAN": (("KL-BPJSKES", 6), ("KL-KEMENKES", 4)),
    "PENDIDIKAN": (("KL-KEMENDIKBUDRISTEK", 8), ("KL-KEMENAG", 2)),
    "INFRASTRUKTUR": (("KL-KEMENPUPR", 1),),
    "ADMINISTRASI_KEPENDUDUKAN": (("KL-KEMENDAGRI", 1),),
    "LINGKUNGAN_HIDUP": (("KL-KLHK", 1),),
    "KETENAGAKERJAAN": (("KL-KEMNAKER", 5), ("KL-BPJSTK", 5)),
    "PERHUBUNGAN": (("KL-KEMENHUB", 7), ("BUMN-KAI", 3)),
    "PERPAJAKAN": (("KL-KEMENKEU", 1),),
    "BANSOS": (("KL-KEMENSOS", 1),),
    "ENERGI_LISTRIK": (("BUMN-PLN", 8), ("BUMN-PERTAMINA", 1), ("KL-KESDM", 1)),
    "AIR_BERSIH": (("KL-KEMENPUPR", 1),),
    "PERTANAHAN": (("KL-ATRBPN", 1),),
    "KETERTIBAN_UMUM": (("KL-POLRI", 1),),
    "KEPEGAWAIAN": (("KL-BKN", 1),),
    "PERIZINAN": (("KL-BKPM", 1),),
    "PERUMAHAN": (("KL-KEMENPUPR", 1),),
    "KOMUNIKASI_INFORMATIKA": (("KL-KOMINFO", 6), ("BUMN-TELKOM", 4)),
    "PERTANIAN": (("KL-KEMENTAN", 1),),
    "PERDAGANGAN": (("KL-KEMENDAG", 1),),
    "PELAYANAN_PUBLIK": (("KL-KEMENKUMHAM", 4), ("KL-KEMENDAGRI", 3), ("BUMN-POS", 3)),
}
_REGIONAL_ROUTES: dict[str, tuple[tuple[str, int], ...]] = {
    "KESEHATAN": (("DINKES", 6), ("RSUD", 4)),
    "PENDIDIKAN": (("DISDIK", 1),),
    "INFRASTRUKTUR": (("DPUPR", 1),),
    "ADMINISTRASI_KEPENDUDUKAN": (("DISDUKCAPIL", 1),),
    "LINGKUNGAN_HIDUP": (("DLH", 1),),
    "KETENAGAKERJAAN": (("DISNAKER", 1),),
    "PERHUBUNGAN": (("DISHUB", 1),),
    "PERPAJAKAN": (("BAPENDA", 1),),
    "BANSOS": (("DINSOS", 1),),
    "ENERGI_LISTRIK": (("DISPERKIM", 1),),
    "AIR_BERSIH": (("PDAM", 1),),
    "PERTANAHAN": (("DISPERKIM", 1),),
    "KETERTIBAN_UMUM": (("SATPOLPP", 1),),
    "KEPEGAWAIAN": (("BKD", 1),),
    "PERIZINAN": (("DPMPTSP", 1),),
    "PERUMAHAN": (("DISPERKIM", 1),),
    "KOMUNIKASI_INFORMATIKA": (("DISKOMINFO", 1),),
    "PERTANIAN": (("DISTAN", 1),),
    "PERDAGANGAN": (("DISPERINDAG", 1),),
    "PELAYANAN_PUBLIK": (("SETDA", 1),),
}
# Provinces run vehicle tax (Samsat) and energy; they have no water utility of their own.
_PROVINCE_OVERRIDES: dict[str, tuple[tuple[str, int], ...]] = {
    "PERPAJAKAN": (("SAMSAT", 6), ("BAPENDA", 4)),
    "ENERGI_LISTRIK": (("DISESDM", 1),),
    "AIR_BERSIH": (("DPUPR", 1),),
}


def category_rows() -> list[dict[str, Any]]:
    return [{"code": code, "name": name} for code, name, _ in CATEGORIES]


def display_name(region: Region) -> str:
    """`Kota Medan`, `Kabupaten Langkat`, `Provinsi Sumatera Utara`."""
    return region.name if region.parent else f"Provinsi {region.name}"


def agency_rows(home: str, regions: RegionIndex) -> list[dict[str, Any]]:
    """The agencies of one home region (`NATIONAL`, `PP` or `PP.KK`)."""
    if home == NATIONAL:
        return [_national_row(code, name) for code, name in _NATIONAL_AGENCIES]
    region = regions.get(home)
    if region is None:
        raise KeyError(home)
    units = _REGENCY_UNITS if region.parent else _PROVINCE_UNITS
    tier = Tier.REGENCY if region.parent else Tier.PROVINCIAL
    return [
        {
            "code": f"{home}-{unit.suffix}",
            "name": _unit_name(unit, region),
            "tier": tier.value,
            "kind": unit.kind.value,
            "region_code": home,
            "parent_code": f"{home}-{unit.parent}" if unit.parent else None,
        }
        for unit in units
    ]


def _national_row(code: str, name: str) -> dict[str, Any]:
    state_owned = code.startswith("BUMN-")
    return {
        "code": code,
        "name": name,
        "tier": Tier.NATIONAL.value,
        "kind": (AgencyKind.BUMN if state_owned else AgencyKind.KL).value,
        "region_code": None,
        "parent_code": "KL-KEMENBUMN" if state_owned else None,
    }


def _unit_name(unit: Unit, region: Region) -> str:
    # A regional bank is named after the province alone (`PT Bank Pembangunan Daerah Bali`).
    where = region.name if unit.suffix == "BANKDAERAH" else display_name(region)
    return f"{unit.name} {where}"


def routes(category: str, home: str) -> tuple[tuple[str, int], ...]:
    """Candidate handling agencies of a category in a home region, with weights."""
    if home == NATIONAL:
        return _NATIONAL_ROUTES[category]
    table = _REGIONAL_ROUTES[category]
    if "." not in home:
        table = _PROVINCE_OVERRIDES.get(category, table)
    return tuple((f"{home}-{suffix}", weight) for suffix, weight in table)


@cache
def _counterparts() -> dict[str, str]:
    return {unit.suffix: unit.national for unit in (*_REGENCY_UNITS, *_PROVINCE_UNITS)}


@cache
def _province_suffixes() -> frozenset[str]:
    return frozenset(unit.suffix for unit in _PROVINCE_UNITS)


def national_counterpart(agency: str) -> str:
    """The K/L that oversees a regional agency (`12.71-DINKES` -> `KL-KEMENKES`)."""
    return _counterparts()[agency.split("-", 1)[1]]


def provincial_counterpart(agency: str) -> str:
    """The provincial agency above a regency agency (`12.71-PDAM` -> `12-SETDA`)."""
    region, suffix = agency.split("-", 1)
    province = region.split(".", 1)[0]
    return f"{province}-{suffix if suffix in _province_suffixes() else 'SETDA'}"
