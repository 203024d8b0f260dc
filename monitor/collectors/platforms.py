"""What the NICE CXone, Five9 and Talkdesk collectors accept in `sources`, in one light module.

`slamon validate` reads it (no SOAP or HTTP imports) to warn before a run: an unknown
setting key (a typo silently falls back to a default otherwise), a value outside a
setting's choices, a credential role the collector will ask for but `credentials_env`
lacks. The collectors read their defaults and choices from here too, so the documented
list and the behaviour cannot drift apart. docs/collectors.md explains each setting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Platform:
    credentials: tuple[str, ...]
    settings: dict[str, str]  # key -> one-line description with its default
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # settings without a default (unless api_host is set)
    pattern: re.Pattern[str] | None = None  # further keys allowed by shape

    def known(self, key: str) -> bool:
        return key in self.settings or bool(self.pattern and self.pattern.fullmatch(key))


COMMON = {"api_host": "explicit API host or URL (a proxy, the simulator)",
          "base_url": "same as api_host", "account": "account name", "business_unit":
          "business unit id", "domain_id": "domain id", "region": "region"}

NICE_AREAS = ("na1", "au1", "eu1", "ca1", "uk1", "jp1")
NICE_ROUTES = ("auto", "summary", "contacts")
NICE = Platform(
    credentials=("access_key_id", "access_key_secret"),
    settings={**COMMON,
              "auth": "access-key (default) or password (OAuth password grant) [UNCERTAIN]",
              "area": "UserHub area of the access-key token host (default na1)",
              "auth_url": "explicit token host (overrides area)",
              "issuer": "CXone issuer (default https://cxone.niceincontact.com)",
              "tenant_id": "tenant id for discovery (default: the token's tenantId claim)",
              "api_version": "Reporting API version (default 30.0) [UNCERTAIN]",
              "route": "auto (default), summary or contacts",
              "abandon_wait_field": "wait of an abandoned contact (default abandonSeconds)",
              "handle_fields": "summed to handle time (default agentSeconds,acwSeconds)",
              "page_size": "contacts/completed page size (default 10000)",
              "contacts_overlap_minutes": "end-date padding (default 120)"},
    choices={"auth": ("access-key", "password"), "area": NICE_AREAS, "route": NICE_ROUTES},
)

FIVE9_DATA_CENTRES = {"us": "api.five9.com", "uk": "api.five9.eu", "ca": "api.five9.ca",
                      "eu": "api.eu.five9.com"}
FIVE9_COLUMNS = {  # setting -> default column title (matched case-insensitively)
    "column_skill": "SKILL", "column_date": "DATE", "column_half_hour": "HALF HOUR",
    "column_calls": "CALLS", "column_answered": "ANSWERED", "column_abandoned": "ABANDONED",
    "column_service_level": "SERVICE LEVEL", "column_speed_of_answer": "SPEED OF ANSWER",
    "column_handle_time": "HANDLE TIME",
}
FIVE9 = Platform(
    credentials=("username", "password"),
    settings={**COMMON,
              "data_centre": "us (default), uk, ca or eu (Frankfurt)",
              "api_version": "wsadmin version (default v13)",
              "report_folder": "report folder (default Contact Center Reports)",
              "report_name": "report name (default slamon SKILL x HALF HOUR)",
              "report_timezone": "zone of report rows (default America/Los_Angeles)",
              "date_format": "strptime format of DATE (default %Y/%m/%d) [UNCERTAIN]",
              "service_level_seconds": "the skills' SL threshold SERVICE LEVEL counts",
              "durations": "sum (default) or average",
              "poll_timeout": "isReportRunning long-poll seconds (default 5, minimum 5)",
              "max_polls": "isReportRunning calls before giving up (default 60)",
              "run_reports_per_minute": "runReport limit (default 16)",
              "retrievals_per_minute": "getReportResultCsv limit (default 20)",
              "queries_per_minute": "isReportRunning limit (default 450)",
              **{key: f"report column (default {title})" for key, title in FIVE9_COLUMNS.items()}},
    choices={"data_centre": tuple(FIVE9_DATA_CENTRES), "durations": ("sum", "average")},
    pattern=re.compile(r"(answered|abandoned)_within_\d+s"),
)

TALKDESK_REGIONS = {  # region -> (identity host suffix, API host); EU/CA API [UNCERTAIN]
    "us": ("talkdeskid.com", "api.talkdeskapp.com"),
    "eu": ("talkdeskid.eu", "api.talkdeskapp.eu"),
    "ca": ("talkdeskidca.com", "api.talkdeskappca.com"),
}
TALKDESK = Platform(
    credentials=("client_id", "client_secret"),
    settings={**COMMON,
              "token_url": "explicit token URL",
              "report": "contacts (default) or calls",
              "timezone_field": "top (default, Talkdesk docs) or timespan (Airbyte)",
              "bucket_by": "started_at (default) or finished_at",
              "ring_group_field": "ring_groups (default) or handling_ring_groups",
              "answered_types": "answered contact types (default Answered)",
              "abandoned_types": "abandoned types (default Abandoned,Short Abandoned)",
              "overlap_minutes": "timespan padding past the window (default 120)",
              "poll_seconds": "pause between job checks (default 2)",
              "max_polls": "job checks before giving up (default 90)",
              "legacy_duration_seconds": "seconds per pre-May-2026 duration unit (86400)"},
    choices={"region": tuple(TALKDESK_REGIONS), "report": ("contacts", "calls"),
             "timezone_field": ("top", "timespan"), "bucket_by": ("started_at", "finished_at"),
             "ring_group_field": ("ring_groups", "handling_ring_groups")},
    required=("account",),
)

PLATFORMS: dict[str, Platform] = {"nice-cxone": NICE, "five9": FIVE9, "talkdesk": TALKDESK}

# Interval columns a platform's reporting API does not give at all, so its collector stores
# none (docs/collectors.md): TaskRouter's statistics carry no handle time, and Connect has
# no metric for contacts that left the queue unanswered for another one (its
# CONTACTS_TRANSFERRED_OUT counts agents' transfers too). An SLA on them needs a CSV.
UNREPORTED: dict[str, tuple[str, ...]] = {"twilio-flex": ("handle_seconds",),
                                          "amazon-connect": ("flowouts",)}
