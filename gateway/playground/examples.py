"""Example operations offered by the GraphQL playground.

Each example is one GraphiQL tab on a first visit and one entry of the playground's "Examples"
panel afterwards. GraphiQL titles a tab with its operation name, so every example names its
operation. Variables carry defaults in the operation itself (it runs as written) and are also
pre-filled in the variables editor from `EXAMPLE_VARIABLES`, to show what can be changed.
"""

from typing import Any, Final

_STATS_BUCKET_FIELDS = "count verified resolved resolutionRate overdue"

NATIONAL_RESOLUTION_BY_PROVINCE: Final = f"""\
# Ministry analyst (national token): resolution rate of every province for complaints
# submitted in 2023. National callers see exact figures (`exact: true`).
query NationalResolutionByProvince2023(
  $from: Date = "2023-01-01"
  $to: Date = "2023-12-31"
) {{
  complaintStats(
    filter: {{submittedFrom: $from, submittedTo: $to}}
    groupBy: [PROVINCE]
  ) {{
    buckets {{
      key {{ province }}
      {_STATS_BUCKET_FIELDS}
    }}
    total {{ {_STATS_BUCKET_FIELDS} }}
    exact
    complete
    missingSources
  }}
}}
"""

PROVINCE_BY_YEAR: Final = f"""\
# Provincial staff (Sumatera Utara token): North Sumatra's complaints per year.
query NorthSumatraByYear($province: String = "12") {{
  complaintStats(filter: {{region: $province}}, groupBy: [YEAR]) {{
    buckets {{
      key {{ year }}
      {_STATS_BUCKET_FIELDS}
    }}
    total {{ {_STATS_BUCKET_FIELDS} }}
    exact
    complete
    missingSources
  }}
}}
"""

PROVINCE_BY_REGENCY: Final = f"""\
# Provincial staff: North Sumatra per regency/city, with the names of the region codes.
query NorthSumatraByRegency($province: String = "12") {{
  province: region(code: $province) {{
    code
    name
    children {{ code name kind }}
  }}
  complaintStats(filter: {{region: $province}}, groupBy: [REGENCY]) {{
    buckets {{
      key {{ regency }}
      {_STATS_BUCKET_FIELDS}
    }}
    total {{ {_STATS_BUCKET_FIELDS} }}
    exact
    complete
    missingSources
  }}
}}
"""

REGENCY_LATEST: Final = """\
# Regency portal (Kota Medan token): the 50 most recent complaints handled in Kota Medan.
# Page on by passing pageInfo.endCursor as $after.
query KotaMedanLatest($regency: String = "12.71", $first: Int! = 50, $after: String) {
  complaints(
    filter: {region: $regency}
    orderBy: SUBMITTED_AT_DESC
    first: $first
    after: $after
  ) {
    totalCount
    complete
    missingSources
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id
        trackingId
        type
        status
        title
        channel
        submittedAt
        handlingAgency { code name tier }
        category { code name }
        statusHistory {
          at
          fromStatus
          toStatus
          note
          actorAgency { code name }
        }
      }
    }
  }
}
"""

OVERDUE_OPEN: Final = """\
# Open complaints past their service deadline, newest first. Leave $region null for
# everything your token may see, or narrow it to a province ("12") or regency ("12.71").
query OverdueOpenComplaints(
  $region: String
  $status: [ComplaintStatus!] = [
    SUBMITTED
    VERIFIED
    DISPOSED
    IN_PROGRESS
    RESPONDED
    ON_HOLD
    ESCALATED
  ]
  $first: Int! = 20
) {
  complaints(filter: {region: $region, overdue: true, status: $status}, first: $first) {
    totalCount
    complete
    missingSources
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        trackingId
        title
        status
        submittedAt
        verifiedAt
        disposedAt
        region { code name }
        handlingAgency { code name tier }
      }
    }
  }
}
"""

COMPLAINT_JOURNEY: Final = """\
# A complaint's journey: how it was disposed from agency to agency across the national,
# provincial and regency tiers. Run RecentJourneys first, copy a node id into the
# variables as "id", then run ComplaintJourney (the run button asks which operation).
query RecentJourneys($region: String = "12.71") {
  complaints(
    filter: {region: $region, status: [DISPOSED, IN_PROGRESS, RESPONDED, COMPLETED]}
    first: 5
  ) {
    edges { node { ...Journey } }
  }
}

query ComplaintJourney($id: ID!) {
  complaint(id: $id) { ...Journey }
}

fragment Journey on Complaint {
  id
  trackingId
  title
  status
  submittedAt
  verifiedAt
  disposedAt
  inProgressAt
  respondedAt
  finishedAt
  region { code name }
  incidentRegion { code name }
  handlingAgency { code name tier region { code name } }
  dispositions {
    at
    reason
    fromAgency { code name tier }
    toAgency { code name tier }
  }
  statusHistory {
    at
    fromStatus
    toStatus
    note
    actorAgency { code name tier }
  }
}
"""

VIEWER: Final = """\
# Who the gateway thinks you are: switch the demo token above and run again.
query WhoAmI {
  viewer { tier region agency role }
}
"""

SOURCES: Final = """\
# The complaint sources behind the graph and the regions each one covers. Results that
# could not reach a source say so in complete / missingSources.
query Sources {
  sources { id kind covers }
}
"""

REGIONS: Final = """\
# The regencies and cities of a province (kind tells KABUPATEN from KOTA).
query RegionsOfProvince($province: String = "12") {
  regions(level: REGENCY, parent: $province) { code name kind }
}
"""

EXAMPLE_QUERIES: list[tuple[str, str]] = [
    ("Ministry analyst — resolution rate by province, 2023", NATIONAL_RESOLUTION_BY_PROVINCE),
    ("Provincial staff — Sumatera Utara by year", PROVINCE_BY_YEAR),
    ("Provincial staff — Sumatera Utara by regency", PROVINCE_BY_REGENCY),
    ("Regency portal — latest 50 complaints in Kota Medan", REGENCY_LATEST),
    ("Overdue open complaints", OVERDUE_OPEN),
    ("Complaint journey — dispositions across tiers", COMPLAINT_JOURNEY),
    ("Who am I? (viewer)", VIEWER),
    ("Data sources", SOURCES),
    ("Regions of a province", REGIONS),
]
"""(title, query) pairs, in the order the playground shows them."""

EXAMPLE_VARIABLES: dict[str, dict[str, Any]] = {
    "Ministry analyst — resolution rate by province, 2023": {
        "from": "2023-01-01",
        "to": "2023-12-31",
    },
    "Provincial staff — Sumatera Utara by year": {"province": "12"},
    "Provincial staff — Sumatera Utara by regency": {"province": "12"},
    "Regency portal — latest 50 complaints in Kota Medan": {
        "regency": "12.71",
        "first": 50,
        "after": None,
    },
    "Overdue open complaints": {"region": None, "first": 20},
    "Complaint journey — dispositions across tiers": {
        "region": "12.71",
        "id": "paste a Complaint id from RecentJourneys",
    },
    "Regions of a province": {"province": "12"},
}
"""Variables pre-filled in the variables editor, by example title (absent: none)."""
