"""`can_write` over every tier, role, agency relation, row relation and disposition target,
against the table of DESIGN.md §4 ("writes") written out here."""

import itertools

import pytest

from gateway.domain import PrincipalTier, Role
from gateway.policy import ComplaintFacts, can_write
from gateway.principal import Principal
from tests.unit.test_policy_matrix import HOMES

MEDAN_AGENCY = "12.71-DINKES"
# Where the complaint is handled, by how it stands to a caller homed in 12 or 12.71.
HANDLED_IN = {"inside": "12.71", "outside": "31.71"}
TARGETS = {"no disposition": None, "inside 12": "12.72", "outside 12": "31", "national": "NATIONAL"}
CASES = list(
    itertools.product(PrincipalTier, Role, (True, False), HANDLED_IN, TARGETS, (False, True))
)


def expected(
    tier: PrincipalTier, role: Role, own_agency: bool, handled: str, target: str, anonymous: bool
) -> bool:
    """The rule, from the table: nobody writes what they may not read as a row; the public
    and analysts write nothing; an operator of the handling agency does its case work and
    routes its case anywhere; a provincial admin routes cases handled in its province to an
    agency inside it. The reporter's anonymity changes nothing."""
    del anonymous
    in_scope = tier in {PrincipalTier.NATIONAL, PrincipalTier.OMBUDSMAN} or (
        tier in {PrincipalTier.PROVINCIAL, PrincipalTier.REGENCY} and handled == "inside"
    )
    if tier is PrincipalTier.PUBLIC or not in_scope:
        return False
    if role is Role.OPERATOR and own_agency:
        return True
    return target in {"inside 12"} and tier is PrincipalTier.PROVINCIAL and role is Role.ADMIN


@pytest.mark.parametrize("case", CASES, ids=["-".join(map(str, case)) for case in CASES])
def test_write_matrix(case: tuple[PrincipalTier, Role, bool, str, str, bool]) -> None:
    tier, role, own_agency, handled, target, anonymous = case
    region = HANDLED_IN[handled]
    agency = f"{region}-DINKES"
    principal = Principal(
        tier,
        subject="someone",
        region=HOMES[tier],
        agency=(agency if own_agency else "12.71-DISDIK")
        if tier is not PrincipalTier.PUBLIC
        else None,
        role=role if tier is not PrincipalTier.PUBLIC else None,
    )
    facts = ComplaintFacts(
        region_code=region,
        agency_code=agency,
        status="VERIFIED",
        verified=True,
        is_anonymous=anonymous,
        is_confidential=False,
    )
    assert can_write(principal, facts, TARGETS[target]) is expected(
        tier, role, own_agency, handled, target, anonymous
    )


def test_a_provincial_admin_does_no_case_work_it_only_routes() -> None:
    admin = Principal(PrincipalTier.PROVINCIAL, "admin", "12", MEDAN_AGENCY, Role.ADMIN)
    facts = ComplaintFacts("12.71", "12.71-DISDIK", "VERIFIED", True, False, False)
    assert can_write(admin, facts) is False
    assert can_write(admin, facts, "12.72") is True
    assert can_write(admin, facts, "13.71") is False
