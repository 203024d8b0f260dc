"""Every metric, label, recording-rule and dashboard name slamon exposes, in one place.

Alert rules (`monitor/alerting/rules.py`), dashboards (`grafana/build.py`), the exporter
(`monitor/exporter/metrics.py`) and the docs all take their names from here, and
`tests/test_names_exposed.py` checks that `alerts/` and `grafana/` use no name the exporter
does not really emit. Naming follows Prometheus practice: one `slamon_` prefix, base units
(`_seconds`, `_ratio` in 0-1), `_total` only on counters, no ids of contacts or intervals in
labels (bounded cardinality: contracts x SLAs x the current period).
"""

from __future__ import annotations

PREFIX = "slamon"

# --- labels ---------------------------------------------------------------------------
L_VENDOR = "vendor"
L_CONTRACT = "contract"
L_SLA = "sla"
L_METRIC = "metric"  # the SLA's KPI kind: service_level, asa, availability, ...
L_PERIOD = "period"  # the contract period label: "2026-11", "2026-Q4", "2026"
L_PERIOD_KIND = "period_kind"
L_DIRECTION = "direction"  # min | max
L_UNIT = "unit"  # ratio | seconds
L_CALENDAR = "calendar"
L_CURRENCY = "currency"
L_RULE = "rule"  # chronic-failure rule: the SLA id it watches or "any"
L_CONSEQUENCE = "consequence"
L_SOURCE = "source"  # the vendor poller: genesys-cloud, statuspage, ...
L_STATE = "state"
L_EXCLUSION = "exclusion"
L_YEAR = "year"  # a claims ledger's year (of the periods claimed for)
L_CHANNEL = "channel"  # a notifier kind: email, webhook, slack, pagerduty (never an address)
L_DIMENSION = "dimension"  # what an SLA's attainment is split by: queue | site
L_GROUP = "group"  # one queue id or site name (bounded by the contract's sources)

SLA_LABELS: tuple[str, ...] = (L_VENDOR, L_CONTRACT, L_SLA)
SLA_PERIOD_LABELS: tuple[str, ...] = (*SLA_LABELS, L_PERIOD)
INFO_LABELS: tuple[str, ...] = (
    *SLA_LABELS, L_METRIC, L_DIRECTION, L_UNIT, L_CALENDAR, L_PERIOD_KIND,
)

# --- metric families (names without the `_total` a counter gets on exposition) ---------
SLA_INFO = "slamon_sla_info"
ATTAINMENT_RATIO = "slamon_sla_attainment_ratio"
ATTAINMENT_SECONDS = "slamon_sla_attainment_seconds"
RAW_ATTAINMENT_RATIO = "slamon_sla_raw_attainment_ratio"
RAW_ATTAINMENT_SECONDS = "slamon_sla_raw_attainment_seconds"
TARGET_RATIO = "slamon_sla_target_ratio"
TARGET_SECONDS = "slamon_sla_target_seconds"
PROJECTED_RATIO = "slamon_sla_projected_attainment_ratio"
PROJECTED_SECONDS = "slamon_sla_projected_attainment_seconds"
BEST_CASE_RATIO = "slamon_sla_best_case_attainment_ratio"
BEST_CASE_SECONDS = "slamon_sla_best_case_attainment_seconds"
REQUIRED_RATIO = "slamon_sla_required_attainment_ratio"
REQUIRED_SECONDS = "slamon_sla_required_attainment_seconds"
ERROR_BUDGET_RATIO = "slamon_sla_error_budget_ratio"
ERROR_BUDGET_REMAINING_RATIO = "slamon_sla_error_budget_remaining_ratio"
PERIOD_ELAPSED_RATIO = "slamon_sla_period_elapsed_ratio"
BREACHED = "slamon_sla_breached"  # 1: ended breached, or a breach is already certain
STANDING = "slamon_sla_standing"  # state set: on_track, at_risk, breach_certain, ...
GOOD_EVENTS = "slamon_sla_good_events"  # counter: exposed as ..._total
VALID_EVENTS = "slamon_sla_valid_events"  # counter: exposed as ..._total
CREDIT_ACCRUED = "slamon_credit_accrued"  # money in the label's currency (no base unit)
CREDIT_AT_RISK = "slamon_credit_at_risk"
CHRONIC_FAILURE = "slamon_chronic_failure"
# Independent evidence (availability SLAs with `sources.independent`), in seconds this period.
VENDOR_DOWNTIME = "slamon_sla_vendor_downtime_seconds"
OBSERVED_DOWNTIME = "slamon_sla_observed_downtime_seconds"
UNREPORTED_DOWNTIME = "slamon_sla_unreported_downtime_seconds"
UNOBSERVED_DOWNTIME = "slamon_sla_unobserved_downtime_seconds"
EVIDENCE_UNKNOWN = "slamon_sla_evidence_unknown_seconds"
CASES_OVERDUE = "slamon_cases_overdue"
EXCLUSION_ACTIVE = "slamon_exclusion_active"
# The claims ledger per contract, year and currency (money, like the credit families);
# `sum by (vendor, year, currency)` is the vendor's ledger.
CLAIMS_OWED = "slamon_claims_owed"
CLAIMS_CLAIMED = "slamon_claims_claimed"
CLAIMS_ACCEPTED = "slamon_claims_accepted"
CLAIMS_CREDITED = "slamon_claims_credited"
CLAIMS_WRITTEN_OFF = "slamon_claims_written_off"
CLAIMS_OUTSTANDING = "slamon_claims_outstanding"
CLAIMS_LEDGER: tuple[str, ...] = (CLAIMS_OWED, CLAIMS_CLAIMED, CLAIMS_ACCEPTED,
                                  CLAIMS_CREDITED, CLAIMS_WRITTEN_OFF, CLAIMS_OUTSTANDING)
CLAIMS_OPEN = "slamon_claims_open"  # open claims per state
CLAIMS_OVERDUE = "slamon_claims_overdue"  # drafts past their claim window
CLAIMS_DEADLINE = "slamon_claims_deadline_timestamp_seconds"  # window end of each draft
IN_BUSINESS_HOURS = "slamon_calendar_open"  # "in business hours"; promtool rejects "hours"
NOTIFICATIONS_UNDELIVERED = "slamon_notifications_undelivered"
ATTAINMENT_SPREAD_RATIO = "slamon_sla_attainment_spread_ratio"
ATTAINMENT_SPREAD_SECONDS = "slamon_sla_attainment_spread_seconds"
COLLECTOR_UP = "slamon_collector_up"
COLLECTOR_LAST_SUCCESS = "slamon_collector_last_success_timestamp_seconds"
COLLECTOR_ERRORS = "slamon_collector_errors"  # counter: exposed as ..._total
COLLECTOR_PAUSED = "slamon_collector_paused"  # 1: stopped as misconfigured until restart
COLLECTOR_REQUEST_DURATION = "slamon_collector_request_duration_seconds"  # summary
DATA_LAST_MEASUREMENT = "slamon_data_last_measurement_timestamp_seconds"
SNAPSHOT_AGE = "slamon_snapshot_age_seconds"
EXPORTER_UP = "slamon_up"
EXPORTER_SCRAPE_DURATION = "slamon_scrape_duration_seconds"


def counter_sample(name: str) -> str:
    """The sample name a counter family is exposed under."""
    return f"{name}_total"


# Sample names as they appear on /metrics (what PromQL can select).
EXPOSED_SAMPLES: frozenset[str] = frozenset({
    SLA_INFO, ATTAINMENT_RATIO, ATTAINMENT_SECONDS, RAW_ATTAINMENT_RATIO,
    RAW_ATTAINMENT_SECONDS, TARGET_RATIO, TARGET_SECONDS, PROJECTED_RATIO, PROJECTED_SECONDS,
    BEST_CASE_RATIO, BEST_CASE_SECONDS, REQUIRED_RATIO, REQUIRED_SECONDS, ERROR_BUDGET_RATIO,
    ERROR_BUDGET_REMAINING_RATIO, PERIOD_ELAPSED_RATIO, BREACHED, STANDING,
    counter_sample(GOOD_EVENTS), counter_sample(VALID_EVENTS), CREDIT_ACCRUED, CREDIT_AT_RISK,
    CHRONIC_FAILURE, CASES_OVERDUE, EXCLUSION_ACTIVE, *CLAIMS_LEDGER, CLAIMS_OPEN,
    CLAIMS_OVERDUE, CLAIMS_DEADLINE, IN_BUSINESS_HOURS, COLLECTOR_UP,
    NOTIFICATIONS_UNDELIVERED, ATTAINMENT_SPREAD_RATIO, ATTAINMENT_SPREAD_SECONDS,
    COLLECTOR_LAST_SUCCESS, COLLECTOR_PAUSED,
    counter_sample(COLLECTOR_ERRORS), f"{COLLECTOR_REQUEST_DURATION}_sum",
    f"{COLLECTOR_REQUEST_DURATION}_count", DATA_LAST_MEASUREMENT, SNAPSHOT_AGE, EXPORTER_UP,
    EXPORTER_SCRAPE_DURATION, VENDOR_DOWNTIME, OBSERVED_DOWNTIME, UNREPORTED_DOWNTIME,
    UNOBSERVED_DOWNTIME, EVIDENCE_UNKNOWN,
})

# Evidence family -> (help, the SLA evidence detail holding its minutes).
EVIDENCE_FAMILIES: tuple[tuple[str, str, str], ...] = (
    (VENDOR_DOWNTIME, "Downtime the vendor reported this period.", "vendor_downtime_minutes"),
    (OBSERVED_DOWNTIME, "Downtime the independent checks observed this period.",
     "observed_downtime_minutes"),
    (UNREPORTED_DOWNTIME, "Observed downtime the vendor did not report this period.",
     "unreported_downtime_minutes"),
    (UNOBSERVED_DOWNTIME, "Downtime the vendor reported that no check observed this period.",
     "unobserved_downtime_minutes"),
    (EVIDENCE_UNKNOWN, "Time this period the independent checks could not see (no data).",
     "unknown_evidence_minutes"),
)

# --- recording rules ----------------------------------------------------------------------


def error_ratio_record(window: str) -> str:
    """Recording rule holding the bad-event share over `window` per SLA."""
    return f"slamon:sla_error_ratio:rate{window}"


# --- alert names ---------------------------------------------------------------------------
ALERT_BURN = "SlaErrorBudgetBurn"
ALERT_BREACH_CERTAIN = "SlaBreachCertain"
ALERT_BREACH_LIKELY = "SlaBreachLikely"
ALERT_CHRONIC = "SlaChronicFailure"
ALERT_COLLECTOR_DOWN = "SlamonCollectorDown"
ALERT_COLLECTOR_PAUSED = "SlamonCollectorPaused"
ALERT_DATA_STALE = "SlamonDataStale"
ALERT_NO_DATA = "SlamonNoData"
ALERT_CLAIM_EXPIRING = "SlaClaimExpiring"
ALERT_UNDELIVERED = "SlamonNotificationsUndelivered"
ALERT_NAMES: tuple[str, ...] = (
    ALERT_BURN, ALERT_BREACH_CERTAIN, ALERT_BREACH_LIKELY, ALERT_CHRONIC,
    ALERT_COLLECTOR_DOWN, ALERT_DATA_STALE, ALERT_NO_DATA, ALERT_CLAIM_EXPIRING,
    ALERT_UNDELIVERED, ALERT_COLLECTOR_PAUSED,
)

# Alert labels the Alertmanager tree routes on.
L_SEVERITY = "severity"
L_TEAM = "team"
L_LONG_WINDOW = "long_window"
L_SHORT_WINDOW = "short_window"
SEVERITY_PAGE = "page"
SEVERITY_TICKET = "ticket"
TEAM_ONCALL = "oncall"
TEAM_VENDOR_MANAGEMENT = "vendor-management"

# --- dashboards (stable UIDs: links in alerts point at them) ------------------------------
DASH_OVERVIEW = "slamon-vendor-overview"
DASH_SLA = "slamon-sla-detail"
DASH_PENALTIES = "slamon-penalties"
DASH_HEALTH = "slamon-collector-health"

DEFAULT_GRAFANA_URL = "http://localhost:3000"
# The runbooks ship in this repository beside the rules, so the default link is the path
# from the repository root (it resolves in any checkout and in the repository's web view);
# a deployment that publishes the docs passes `--runbook-url https://.../docs/runbooks`.
DEFAULT_RUNBOOK_URL = "docs/runbooks"
DEFAULT_METRICS_PORT = 9464
