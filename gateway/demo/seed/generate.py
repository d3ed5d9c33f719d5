"""Rows of one demo source: its agencies, categories and the complaints they handle.

Every handling region gets its own `random.Random`, seeded from its code, so a source's data
depend only on which regions it holds: the same inputs give byte-identical rows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from gateway.demo.seed.calendar import add_working_days, working_date, working_index
from gateway.demo.seed.calibration import PERIODS, WINDOW_START, region_plan, sample_submissions
from gateway.demo.seed.catalog import (
    CATEGORIES,
    LAPOR_ADMIN,
    PROVINCE_ADMIN,
    agency_rows,
    category_rows,
    display_name,
    national_counterpart,
    provincial_counterpart,
    routes,
)
from gateway.demo.seed.lifecycle import (
    DISPOSED,
    IN_PROGRESS,
    REJECTED,
    RESPONDED,
    SUBMITTED,
    VERIFIED,
    Case,
    Lifecycle,
    LifecycleBuilder,
    assign_outcomes,
    end_index,
)
from gateway.demo.seed.sampling import DemoRandom, Weighted
from gateway.demo.seed.texts import (
    CHANNEL_NOTES,
    CLOSINGS,
    DETAILS,
    EMAIL_DOMAINS,
    FAMILY_NAMES,
    FOLLOW_UPS,
    GIVEN_NAMES,
    MONTHS,
    PHONE_PREFIXES,
    RESPONSES,
    STREETS,
    TEMPLATES,
)
from gateway.demo.topology import DemoSource
from gateway.domain import RESOLVED_STATUSES, Channel, ComplaintType, Tier
from gateway.regions import NATIONAL, RegionIndex

Row = dict[str, Any]

_TYPES = Weighted(
    [(ComplaintType.ASPIRATION, 35), (ComplaintType.COMPLAINT, 55),
     (ComplaintType.INFORMATION_REQUEST, 10)]
)  # fmt: skip
_CHANNELS = Weighted(
    [(Channel.WEB.value, 38), (Channel.APP.value, 27), (Channel.SMS.value, 13),
     (Channel.SOCIAL_MEDIA.value, 12), (Channel.AGENCY_CHANNEL.value, 10)]
)  # fmt: skip
_FINISHED = frozenset({REJECTED, *(status.value for status in RESOLVED_STATUSES)})
_STAGES: dict[str | None, str] = {
    VERIFIED: "verified_at",
    DISPOSED: "disposed_at",
    IN_PROGRESS: "in_progress_at",
    RESPONDED: "responded_at",
}
_MAX_PER_DAY = 10_000  # daily serials in tracking ids have four digits


@dataclass(frozen=True)
class SourceData:
    """Rows per table, as plain dicts keyed by column name."""

    agencies: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    reporters: list[Row] = field(default_factory=list)
    complaints: list[Row] = field(default_factory=list)
    status_events: list[Row] = field(default_factory=list)
    dispositions: list[Row] = field(default_factory=list)
    follow_ups: list[Row] = field(default_factory=list)


def generate_source(source: DemoSource, regions: RegionIndex, *, scale: float = 1.0) -> SourceData:
    """Deterministic rows for `source`: its home regions' agencies and complaints."""
    data = SourceData(categories=category_rows())
    for home in source.home_regions:
        data.agencies.extend(agency_rows(home, regions))
        _RegionGenerator(home, regions, data).generate(scale)
    return data


@dataclass(frozen=True, slots=True)
class _Home:
    """Where complaints are handled, denormalised as the complaint row stores it."""

    code: str
    tier: str
    region: str | None
    province: str | None
    regency: str | None
    prefix: str
    number: int
    """Unique per region: keeps tracking ids of different sources apart."""

    @classmethod
    def of(cls, code: str) -> "_Home":
        if code == NATIONAL:
            return cls(code, Tier.NATIONAL.value, None, None, None, "KL", 0)
        province, _, regency = code.partition(".")
        tier = Tier.REGENCY if regency else Tier.PROVINCIAL
        number = int(province) * 100 + int(regency or 0)
        return cls(code, tier.value, code, province, code if regency else None, code, number)


class _RegionGenerator:
    """Complaints handled by the agencies of one home region, appended to `data`."""

    def __init__(self, home: str, regions: RegionIndex, data: SourceData) -> None:
        self.home = _Home.of(home)
        self.regions = regions
        self.data = data
        self.rng = DemoRandom(f"lapor-demo:{home}")
        self.lifecycles = LifecycleBuilder(self.rng)
        column = {Tier.NATIONAL.value: 0, Tier.PROVINCIAL.value: 1, Tier.REGENCY.value: 2}
        weights = [(code, tiers[column[self.home.tier]]) for code, _, tiers in CATEGORIES]
        self.categories = Weighted(weights)
        self.agencies = {code: Weighted(routes(code, home)) for code, _, _ in CATEGORIES}
        self.serial = 0
        self.daily: dict[date, int] = {}

    def generate(self, scale: float) -> None:
        plan = region_plan(self.home.code, self.regions, scale)
        for period, counts in zip(PERIODS, plan, strict=True):
            stamps = sample_submissions(self.rng, period, counts.submitted)
            starts = [working_index(stamp.date()) for stamp in stamps]
            rooms = [end_index() - start for start in starts]
            outcomes = assign_outcomes(self.rng, rooms, counts)
            for stamp, start, outcome in zip(stamps, starts, outcomes, strict=True):
                self._complaint(stamp, start, outcome)

    def _complaint(self, submitted: datetime, start: int, outcome: int) -> None:
        rng, home = self.rng, self.home
        kind = _TYPES.pick(rng)
        investigated = rng.random() < 0.2 if kind is ComplaintType.COMPLAINT else None
        category = self.categories.pick(rng)
        agency = self.agencies[category].pick(rng)
        incident = self._incident_region()
        case = self._case(submitted, start, agency, incident, _ceiling(kind, investigated))
        life = self.lifecycles.build(case, outcome)
        self.serial += 1
        complaint_id = f"{home.prefix}-{self.serial:07d}"
        anonymous, confidential = self._flags()
        channel = _CHANNELS.pick(rng)
        where = _display_name(self.regions, incident)
        place = f"{rng.choice(STREETS)}, {where}" if "." in incident else where
        happened = max(WINDOW_START.date(), submitted.date() - timedelta(rng.randint(0, 14)))
        title, body = self._text(kind, category, place, where, happened)
        stamps = _stamps(life)
        verified_at = stamps["verified_at"]
        self.data.complaints.append(
            {
                "id": complaint_id,
                "tracking_id": self._tracking_id(submitted),
                "type": kind.value,
                "with_investigation": investigated,
                "category_code": category,
                "channel": channel,
                "title": title,
                "body": body,
                "incident_date": happened,
                "incident_region": incident,
                "agency_code": agency,
                "tier": home.tier,
                "region_code": home.region,
                "province_code": home.province,
                "regency_code": home.regency,
                "is_anonymous": anonymous,
                "is_confidential": confidential,
                "reporter_id": None if anonymous else self._reporter(incident),
                "status": life.status,
                "closure_kind": life.closure_kind,
                "submitted_at": submitted,
                **stamps,
                "verify_due_at": datetime.combine(working_date(case.verify_due), submitted.time()),
                "completion_due_at": add_working_days(verified_at or submitted, case.ceiling),
                "submitted_year": submitted.year,
                "submitted_month": submitted.month,
                "version": 1,
            }
        )
        self._history(complaint_id, channel, agency, place, submitted, life)

    def _case(
        self, submitted: datetime, start: int, agency: str, incident: str, ceiling: int
    ) -> Case:
        verify_due = working_index(submitted.date() + timedelta(1)) + 2
        admin, cascade, misroute = self._routing(agency, incident)
        room = end_index() - start
        return Case(submitted, start, verify_due, ceiling, agency, admin, cascade, misroute, room)

    def _routing(self, agency: str, incident: str) -> tuple[str, tuple[str, ...], str]:
        """Who disposes a complaint, which tiers a cascade crosses, who gets it by mistake."""
        home = self.home
        if home.province is None:
            cascade: tuple[str, ...] = ("KL-KEMENBUMN",) if agency.startswith("BUMN-") else ()
            return LAPOR_ADMIN, cascade, f"{incident.split('.')[0]}-SETDA"
        liaison = f"{home.province}-{PROVINCE_ADMIN}"
        use_liaison = self.rng.random() < 0.4 and agency != liaison
        admin = liaison if use_liaison else LAPOR_ADMIN
        national = national_counterpart(agency)
        if home.regency is None:
            cascade = () if use_liaison else (national,)
        elif use_liaison or self.rng.random() < 0.6:
            cascade = (provincial_counterpart(agency),)
        else:
            cascade = (national, provincial_counterpart(agency))
        return admin, tuple(code for code in cascade if code not in (admin, agency)), national

    def _incident_region(self) -> str:
        """The handling region itself, a regency inside it, or anywhere for K/L agencies."""
        rng, home = self.rng, self.home
        if home.regency is not None:
            return home.code
        if home.province is not None:
            children = self.regions.children(home.code)
            return rng.choice(children).code if rng.random() < 0.8 else home.code
        if rng.random() < 0.9:
            return rng.choice(_regencies(self.regions))
        return rng.choice(self.regions.provinces()).code

    def _flags(self) -> tuple[bool | None, bool | None]:
        """About 15% anonymous, 8% confidential; 1% unknown (a source that never said)."""
        rng = self.rng
        if rng.random() < 0.01:
            return None, None
        return rng.random() < 0.15, rng.random() < 0.08

    def _text(
        self, kind: ComplaintType, category: str, place: str, where: str, happened: date
    ) -> tuple[str, str]:
        """A title naming the incident region; a body of a few sentences naming a street."""
        rng = self.rng
        templates = TEMPLATES[category]
        if kind is ComplaintType.COMPLAINT:
            title, issue = templates[rng.randint(0, 1)]
        else:
            title, issue = templates[2 if kind is ComplaintType.ASPIRATION else 3]
        parts = [issue.format(place=place)]
        if kind is ComplaintType.COMPLAINT:
            when = f"{happened.day} {MONTHS[happened.month - 1]} {happened.year}"
            parts.append(f"Kejadian terakhir pada {when}.")
            parts.append(rng.choice(DETAILS))
        parts.append(rng.choice(CLOSINGS[kind]))
        return f"{title} di {where}", " ".join(parts)

    def _tracking_id(self, submitted: datetime) -> str:
        """`LPR` + yymmdd + 8 digits, a bijective scramble of (region number, daily serial)."""
        day = submitted.date()
        serial = self.daily.get(day, 0) + 1
        if serial >= _MAX_PER_DAY:
            raise ValueError(f"over {_MAX_PER_DAY - 1} complaints on {day} in {self.home.code}")
        self.daily[day] = serial
        scrambled = (self.home.number * _MAX_PER_DAY + serial) * 48_271 % 100_000_000
        return f"LPR{day.year % 100:02d}{day.month:02d}{day.day:02d}{scrambled:08d}"

    def _reporter(self, incident: str) -> int:
        """A new reporter living in the incident region, or now and then a returning one."""
        rng, reporters = self.rng, self.data.reporters
        if reporters and rng.random() < 0.08:
            return int(rng.choice(reporters)["id"])
        regency = incident
        if "." not in regency:
            regency = rng.choice(self.regions.children(incident)).code
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        born = date(rng.randint(1955, 2006), rng.randint(1, 12), rng.randint(1, 28))
        day = born.day + (40 if rng.random() < 0.5 else 0)  # NIK adds 40 to a woman's birth day
        nik = (
            f"{regency.replace('.', '')}{rng.randint(1, 30):02d}"
            f"{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(1, 9999):04d}"
        )
        email = f"{given}.{family}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}".lower()
        reporter_id = len(reporters) + 1
        reporters.append(
            {
                "id": reporter_id,
                "name": f"{given} {family}",
                "nik": nik,
                "phone": f"+62{rng.choice(PHONE_PREFIXES)}{rng.randint(10**7, 10**8 - 1)}",
                "email": email if rng.random() < 0.75 else None,
            }
        )
        return reporter_id

    def _history(
        self,
        complaint_id: str,
        channel: str,
        agency: str,
        place: str,
        submitted: datetime,
        life: Lifecycle,
    ) -> None:
        """Status events, dispositions and follow-ups, all taken from the lifecycle steps."""
        rng, data = self.rng, self.data
        data.status_events.append(_event(complaint_id, None, SUBMITTED, submitted, None,
                                         CHANNEL_NOTES[channel]))  # fmt: skip
        previous = SUBMITTED
        for (status, _, actor, note, hop), at in zip(life.steps, life.times, strict=True):
            if hop is not None:
                data.dispositions.append(
                    {"complaint_id": complaint_id, "from_agency": hop[0], "to_agency": hop[1],
                     "at": at, "reason": hop[2]}
                )  # fmt: skip
            if status is None:
                continue
            data.status_events.append(_event(complaint_id, previous, status, at, actor, note))
            previous = status
            if status in (IN_PROGRESS, RESPONDED):
                texts = FOLLOW_UPS if status == IN_PROGRESS else RESPONSES
                data.follow_ups.append(
                    {"complaint_id": complaint_id, "agency_code": agency, "at": at,
                     "body": rng.choice(texts).format(place=place)}
                )  # fmt: skip


@cache
def _display_name(regions: RegionIndex, code: str) -> str:
    region = regions.get(code)
    if region is None:
        raise KeyError(code)
    return display_name(region)


@cache
def _regencies(regions: RegionIndex) -> list[str]:
    return [region.code for region in regions if region.parent]


def _ceiling(kind: ComplaintType, investigated: bool | None) -> int:
    """Completion ceilings in working days (DESIGN.md §2)."""
    if kind is ComplaintType.COMPLAINT:
        return 60 if investigated else 14
    return 5


def _event(
    complaint_id: str,
    previous: str | None,
    status: str,
    at: datetime,
    actor: str | None,
    note: str,
) -> Row:
    return {"complaint_id": complaint_id, "from_status": previous, "to_status": status,
            "at": at, "actor_agency": actor, "note": note}  # fmt: skip


def _stamps(life: Lifecycle) -> dict[str, datetime | None]:
    """Stage columns: when each stage was first reached; the latest response; the end."""
    stamps: dict[str, datetime | None] = dict.fromkeys(_STAGES.values())
    for step, at in zip(life.steps, life.times, strict=True):
        column = _STAGES.get(step[0])
        if column is not None and (stamps[column] is None or step[0] == RESPONDED):
            stamps[column] = at
    stamps["finished_at"] = life.times[-1] if life.status in _FINISHED else None
    return stamps
