"""Complaint lifecycles (DESIGN.md §2) laid on the working-day calendar.

A lifecycle is a list of steps: a status change and/or a routing hop, each taken a number of
working days after the previous one (0: later the same day). Which complaints end resolved,
open or unverified is decided per handling region and period from exact counts
(`assign_outcomes`); the steps then make each outcome plausible. When a recent complaint has
too few working days left before the end of the demo window, its gaps shrink in proportion,
so nothing happens after `WINDOW_END`.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from itertools import pairwise
from random import Random

from gateway.demo.seed.calendar import working_days, working_index
from gateway.demo.seed.calibration import WINDOW_END, Counts
from gateway.demo.seed.sampling import Weighted
from gateway.demo.seed.texts import NOTES, REASONS
from gateway.domain import ComplaintStatus

Hop = tuple[str, str, str]
"""A routing hop: from agency, to agency, reason."""
Step = tuple[str | None, int, str | None, str, Hop | None]
"""Status reached (None: a hop only), gap in working days, actor agency, note, hop."""

RESOLVED, OPEN, UNVERIFIED = 0, 1, 2
"""Outcome classes: resolved, verified but unresolved, never verified (rejected or pending)."""
MIN_RESOLVE_ROOM = 6
"""Working days a complaint needs before the window ends to be resolved without haste."""

SUBMITTED = ComplaintStatus.SUBMITTED.value
VERIFIED = ComplaintStatus.VERIFIED.value
DISPOSED = ComplaintStatus.DISPOSED.value
IN_PROGRESS = ComplaintStatus.IN_PROGRESS.value
RESPONDED = ComplaintStatus.RESPONDED.value
COMPLETED = ComplaintStatus.COMPLETED.value
CLOSED_BY_REPORTER = ComplaintStatus.CLOSED_BY_REPORTER.value
CLOSED_BY_SYSTEM = ComplaintStatus.CLOSED_BY_SYSTEM.value
ON_HOLD = ComplaintStatus.ON_HOLD.value
REJECTED = ComplaintStatus.REJECTED.value
NOT_OUR_AUTHORITY = ComplaintStatus.NOT_OUR_AUTHORITY.value
ESCALATED = ComplaintStatus.ESCALATED.value

_CLOSURES = Weighted([(COMPLETED, 55), (CLOSED_BY_REPORTER, 20), (CLOSED_BY_SYSTEM, 25)])
_REJECTIONS = Weighted([("UNCLEAR", 5), ("OUT_OF_SCOPE", 3), ("DUPLICATE", 2)])
# Where an unresolved complaint stands, by how long it has had.
_FRESH = Weighted([(VERIFIED, 1), (DISPOSED, 1)])
_RECENT = Weighted([(VERIFIED, 1), (DISPOSED, 2), (IN_PROGRESS, 2), (RESPONDED, 1)])
_PENDING = Weighted(
    [(DISPOSED, 2), (IN_PROGRESS, 4), (RESPONDED, 2), (ON_HOLD, 1), (NOT_OUR_AUTHORITY, 1)]
)
_STUCK = Weighted(
    [(VERIFIED, 1), (DISPOSED, 3), (IN_PROGRESS, 6), (ON_HOLD, 2), (NOT_OUR_AUTHORITY, 2),
     (ESCALATED, 3)]
)  # fmt: skip
_OFFICE_OPENS = time(1)  # 08:00 WIB, stored as naive UTC
_OFFICE_SECONDS = 8 * 3600


@dataclass(slots=True)  # not frozen: a frozen __init__ costs microseconds per complaint
class Case:
    """What a lifecycle depends on."""

    submitted: datetime
    start: int
    """Index of the first working day on or after submission."""
    verify_due: int
    """Working-day index of the verification deadline."""
    ceiling: int
    """Completion ceiling in working days."""
    agency: str
    admin: str
    """Who verifies and first disposes: the LAPOR! administrator or a provincial liaison."""
    cascade: tuple[str, ...]
    """Agencies a cascading disposition passes through before reaching `agency`."""
    misroute: str
    """An agency at another tier that a misrouted disposition reaches first."""
    room: int
    """Working days between the first working day and the end of the window."""


@dataclass(slots=True)
class Lifecycle:
    status: str
    closure_kind: str | None
    steps: list[Step]
    times: list[datetime]


@cache
def end_index() -> int:
    return working_index(WINDOW_END.date())


def assign_outcomes(rng: Random, rooms: list[int], counts: Counts) -> list[int]:
    """Exactly `counts.resolved` RESOLVED and `counts.verified` RESOLVED or OPEN outcomes.

    Older complaints are likelier to be resolved; the youngest end unverified (still pending).
    """
    keys = [
        rng.random() * max(1.0, 30 / (room + 1))
        if room >= MIN_RESOLVE_ROOM
        else 1000.0 - room + rng.random()
        for room in rooms
    ]
    order = sorted(range(len(rooms)), key=keys.__getitem__)
    resolved = min(counts.resolved, sum(room >= MIN_RESOLVE_ROOM for room in rooms))
    outcomes = [UNVERIFIED] * len(rooms)
    for rank, i in enumerate(order[: counts.verified]):
        outcomes[i] = RESOLVED if rank < resolved else OPEN
    return outcomes


class LifecycleBuilder:
    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def build(self, case: Case, outcome: int) -> Lifecycle:
        status: str
        closure: str | None
        if outcome == RESOLVED:
            status, closure, steps = self._resolved(case)
        elif outcome == OPEN:
            status, closure, steps = self._open(case)
        else:
            status, closure, steps = self._unverified(case)
        return Lifecycle(status, closure, steps, self._place(case, steps))

    def _resolved(self, case: Case) -> tuple[str, str | None, list[Step]]:
        rng = self.rng
        on_time = rng.random() < 0.8  # about one in five finishes after the completion due date
        steps = [self._verify(case), *self._dispose(case, misroute=True), self._follow_up(case)]
        kind = _CLOSURES.pick(rng)
        if kind == CLOSED_BY_SYSTEM and (
            (on_time and case.ceiling < 12) or sum(step[1] for step in steps) + 10 > case.room
        ):
            kind = COMPLETED  # the reporter's 10 days would not fit
        closing = {COMPLETED: rng.randint(0, 3), CLOSED_BY_REPORTER: rng.randint(0, 7)}.get(
            kind, 10
        )
        if on_time:  # finish strictly before the due day, counted from verification
            budget = int((case.ceiling - 1) * rng.uniform(0.3, 1.0)) - closing
            steps[1:] = _fit(steps[1:], max(0, budget))
        else:
            budget = round(case.ceiling * rng.uniform(1.1, 2.2)) - closing
        response = max(0, budget - sum(step[1] for step in steps[1:]))
        steps.append((RESPONDED, response, case.agency, NOTES[RESPONDED], None))
        if rng.random() < 0.06:  # the reporter replied within 10 days: back to work
            steps.append((IN_PROGRESS, rng.randint(1, 9), None, NOTES["REOPENED"], None))
            steps.append((RESPONDED, rng.randint(1, 8), case.agency, NOTES[RESPONDED], None))
        steps.append((kind, closing, case.agency if kind == COMPLETED else None, NOTES[kind], None))
        return kind, kind, steps

    def _open(self, case: Case) -> tuple[str, str | None, list[Step]]:
        status = self._open_status(case)
        steps = [self._verify(case)]
        if status != VERIFIED:
            steps += self._dispose(case, misroute=status != NOT_OUR_AUTHORITY)
            self._stall(case, status, steps)
        return status, None, steps

    def _stall(self, case: Case, status: str, steps: list[Step]) -> None:
        """Append the steps after disposition that leave a complaint in `status`."""
        rng = self.rng
        if status == NOT_OUR_AUTHORITY:
            hop = (case.agency, case.admin, REASONS["RETURN"])
            steps.append((status, rng.randint(1, 5), case.agency, NOTES[status], hop))
        if status in (DISPOSED, NOT_OUR_AUTHORITY):
            return
        if status != ESCALATED or rng.random() < 0.5:
            steps.append(self._follow_up(case))
        elapsed = sum(step[1] for step in steps)
        if status == ON_HOLD:
            steps.append((status, rng.randint(1, 10), case.agency, NOTES[status], None))
        elif status == RESPONDED:  # within the reporter's 10 days, or the system would close it
            gap = max(0, case.room - rng.randint(0, 8) - elapsed)
            steps.append((status, gap, case.agency, NOTES[status], None))
        elif status == ESCALATED:  # the completion deadline has passed
            gap = max(1, case.ceiling + rng.randint(1, 20) - (elapsed - steps[0][1]))
            steps.append((status, gap, None, NOTES[status], None))

    def _open_status(self, case: Case) -> str:
        room = case.room
        if room < 2:
            table = _FRESH
        elif room < 12:
            table = _RECENT
        elif room < case.ceiling + 45:
            table = _PENDING
        else:
            table = _STUCK
        return table.pick(self.rng)

    def _unverified(self, case: Case) -> tuple[str, str | None, list[Step]]:
        if case.room < 3:  # still inside the verification deadline
            return SUBMITTED, None, []
        kind = _REJECTIONS.pick(self.rng)
        return REJECTED, kind, [(REJECTED, self.rng.randint(0, 3), case.admin, NOTES[kind], None)]

    def _verify(self, case: Case) -> Step:
        rng = self.rng
        on_time = case.verify_due - case.start
        gap = rng.randint(0, on_time - 1) if rng.random() < 0.92 else on_time + rng.randint(1, 5)
        return (VERIFIED, gap, case.admin, NOTES[VERIFIED], None)

    def _dispose(self, case: Case, *, misroute: bool) -> list[Step]:
        """Routing: direct (most), cascading through other tiers, or misrouted and returned."""
        rng = self.rng
        roll = rng.random()
        gap = 0 if roll < 0.6 else 1 if roll < 0.9 else rng.randint(2, 4)
        admin, note = case.admin, NOTES[DISPOSED]
        pattern = rng.random()  # below 0.1: cascade where tiers allow; 0.1-0.15: misrouted
        if pattern < 0.1 and case.cascade:
            chain = (admin, *case.cascade, case.agency)
            steps: list[Step] = [(DISPOSED, gap, admin, note, (admin, chain[1], REASONS["DIRECT"]))]
            for source, target in pairwise(chain[1:]):
                hop = (source, target, REASONS["CASCADE"])
                steps.append((None, rng.randint(0, 2), source, "", hop))
            return steps
        if 0.1 <= pattern < 0.15 and misroute:
            wrong = case.misroute
            return [
                (DISPOSED, gap, admin, note, (admin, wrong, REASONS["DIRECT"])),
                (NOT_OUR_AUTHORITY, rng.randint(1, 5), wrong, NOTES[NOT_OUR_AUTHORITY],
                 (wrong, admin, REASONS["RETURN"])),
                (DISPOSED, rng.randint(0, 2), admin, NOTES["REDISPOSED"],
                 (admin, case.agency, REASONS["REDISPOSE"])),
            ]  # fmt: skip
        return [(DISPOSED, gap, admin, note, (admin, case.agency, REASONS["DIRECT"]))]

    def _follow_up(self, case: Case) -> Step:
        """The first follow-up, due within 5 working days of disposition."""
        rng = self.rng
        gap = rng.randint(0, 5) if rng.random() < 0.85 else rng.randint(6, 15)
        return (IN_PROGRESS, gap, case.agency, NOTES[IN_PROGRESS], None)

    def _place(self, case: Case, steps: list[Step]) -> list[datetime]:
        """Times of the steps: office hours on working days, shrunk to fit the window."""
        rng = self.rng
        opens = _office_opens()
        index = case.start
        previous = case.submitted
        times = []
        for step in _fit(steps, case.room):
            index += step[1]
            if opens[index].date() == previous.date():
                moment = previous + timedelta(seconds=rng.randint(300, 2700))
            else:
                moment = opens[index] + timedelta(seconds=rng.randint(0, _OFFICE_SECONDS - 1))
            times.append(moment)
            previous = moment
        return times


def _fit(steps: list[Step], budget: int) -> list[Step]:
    """`steps` with gaps shrunk in proportion so that they add up to at most `budget`."""
    total = sum(step[1] for step in steps)
    if total <= budget:
        return steps
    return [
        (status, gap * budget // total, actor, note, hop) for status, gap, actor, note, hop in steps
    ]


@cache
def _office_opens() -> list[datetime]:
    """When offices open on each working day, by working-day index."""
    return [datetime.combine(day, _OFFICE_OPENS) for day in working_days()]
