"""Domain vocabulary shared by storage, policy and the public schema.

Values are the stored strings and the GraphQL enum values at once, so a row, a filter and a
response never need a translation table.
"""

from enum import StrEnum


class Tier(StrEnum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    REGENCY = "REGENCY"


class PrincipalTier(StrEnum):
    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    REGENCY = "REGENCY"
    OMBUDSMAN = "OMBUDSMAN"
    PUBLIC = "PUBLIC"


class Role(StrEnum):
    ANALYST = "ANALYST"
    OPERATOR = "OPERATOR"
    ADMIN = "ADMIN"


class ComplaintType(StrEnum):
    ASPIRATION = "ASPIRATION"
    COMPLAINT = "COMPLAINT"
    INFORMATION_REQUEST = "INFORMATION_REQUEST"


class Channel(StrEnum):
    WEB = "WEB"
    SMS = "SMS"
    APP = "APP"
    SOCIAL_MEDIA = "SOCIAL_MEDIA"
    AGENCY_CHANNEL = "AGENCY_CHANNEL"


class ComplaintStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    VERIFIED = "VERIFIED"
    DISPOSED = "DISPOSED"
    IN_PROGRESS = "IN_PROGRESS"
    RESPONDED = "RESPONDED"
    COMPLETED = "COMPLETED"
    CLOSED_BY_REPORTER = "CLOSED_BY_REPORTER"
    CLOSED_BY_SYSTEM = "CLOSED_BY_SYSTEM"
    ON_HOLD = "ON_HOLD"
    REJECTED = "REJECTED"
    NOT_OUR_AUTHORITY = "NOT_OUR_AUTHORITY"
    ESCALATED = "ESCALATED"


class AgencyKind(StrEnum):
    KL = "K/L"
    BUMN = "BUMN"
    OPD = "OPD"
    BUMD = "BUMD"
    UPT = "UPT"


class RegionLevel(StrEnum):
    PROVINCE = "PROVINCE"
    REGENCY = "REGENCY"


class RegionKind(StrEnum):
    PROVINSI = "PROVINSI"
    KABUPATEN = "KABUPATEN"
    KOTA = "KOTA"


# DESIGN.md §2: resolved = COMPLETED + CLOSED_BY_REPORTER + CLOSED_BY_SYSTEM.
RESOLVED_STATUSES: frozenset[ComplaintStatus] = frozenset(
    {
        ComplaintStatus.COMPLETED,
        ComplaintStatus.CLOSED_BY_REPORTER,
        ComplaintStatus.CLOSED_BY_SYSTEM,
    }
)
