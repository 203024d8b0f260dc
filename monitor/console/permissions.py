"""Who may do what: the one table of roles and permissions of the console.

Roles (stored per user, `slamon users add NAME --role ROLE`):

- `viewer`: reads vendors, SLA states, evidence, cases and the claims board. Sees NO money:
  no fee, credit, claim amount or ledger figure is rendered for a viewer, and reports
  (which are full of money) cannot be downloaded.
- `procurement`: reads everything including money; moves claims, downloads reports,
  closes periods, reads the audit log.
- `oncall`: reads like a viewer (no money) and acts on performance cases
  (acknowledge, RCA received, resolve, escalate).
- `admin`: everything, plus user administration.

Handlers call `require(principal, Permission.X)`; a template may hide a button with
`can(...)`, but the refusal that counts is the server's.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    PROCUREMENT = "procurement"
    ONCALL = "oncall"
    ADMIN = "admin"


class Permission(StrEnum):
    READ = "read"
    SEE_MONEY = "see_money"
    CLAIMS = "claims"
    REPORTS = "reports"
    CLOSE_PERIODS = "close_periods"
    CASES = "cases"
    AUDIT = "audit"
    USERS = "users"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.PROCUREMENT: frozenset({Permission.READ, Permission.SEE_MONEY, Permission.CLAIMS,
                                 Permission.REPORTS, Permission.CLOSE_PERIODS,
                                 Permission.AUDIT}),
    Role.ONCALL: frozenset({Permission.READ, Permission.CASES}),
    Role.ADMIN: frozenset(Permission),
}
ROLES: tuple[str, ...] = tuple(r.value for r in Role)


def can(role: str, permission: Permission) -> bool:
    """False for an unknown role: a row edited by hand grants nothing."""
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
