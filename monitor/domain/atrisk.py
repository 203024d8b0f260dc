"""The at-risk pool: amounts, the monthly cap, and the checks a contract's credit terms pass.

Outsourcing contracts put an At-Risk Amount (a share of the monthly fees) behind their
Critical Service Levels. A missed CSL costs `at-risk × allocation`; with performance
categories (Texas DIR) it costs `category pool share × allocation × at-risk`
(penalty_formulas.md §3.2 (a), WE-8). The allocations may add up to more than 100 % but
never to more than the pool (`pool`, e.g. 250 %); what stops over-allocation from costing
more is the monthly cap, which is the at-risk amount unless the contract names another.

`credit_problems` is the one place that checks the credit terms against each other (bases
that exist, allocations inside the pool, categories that exist, one mechanism per SLA);
the spec loader can report them with the rest, and `assess_credits` refuses to run on a
contract that has any.
"""

from __future__ import annotations

from decimal import Decimal

from monitor.domain.contract import Contract, CreditSpec
from monitor.domain.money import ROUNDING_MODES
from monitor.domain.tiers import format_value
from monitor.errors import Problem


def at_risk_amount(contract: Contract) -> Decimal:
    """The at-risk amount; raises ValueError when the contract has no at-risk pool."""
    amount = contract.at_risk_amount()
    if amount is None:
        raise ValueError(f"contract {contract.id} has no at_risk section")
    return amount


def monthly_cap(contract: Contract) -> Decimal | None:
    """Total credits a period may cost (unrounded): the named cap, else the at-risk amount."""
    if contract.at_risk is None:
        return None
    if contract.at_risk.monthly_cap is not None:
        return contract.at_risk.monthly_cap
    return at_risk_amount(contract)


def category_share(contract: Contract, spec: CreditSpec) -> Decimal:
    """The performance-category pool share for the SLA (1 when it has no category)."""
    if spec.category is None or contract.at_risk is None:
        return Decimal(1)
    return contract.at_risk.categories[spec.category]


def allocated_amount(contract: Contract, spec: CreditSpec) -> Decimal:
    """`category share × allocation × at-risk` (allocation 100 % when not given)."""
    allocation = spec.allocation if spec.allocation is not None else Decimal(1)
    return category_share(contract, spec) * allocation * at_risk_amount(contract)


def base_amount(contract: Contract, spec: CreditSpec) -> Decimal:
    """What tier percentages and the per-SLA cap refer to: the named fee, else the SLA's
    allocated share of the at-risk amount."""
    if spec.base is not None:
        return contract.fee(spec.base)
    return allocated_amount(contract, spec)


def credit_problems(contract: Contract) -> list[Problem]:
    """Every inconsistency in the contract's credit terms, each naming its field."""
    file = contract.source_file or contract.id
    problems: list[Problem] = []

    def add(path: str, message: str) -> None:
        problems.append(Problem(file=file, line=None, path=path, message=message))

    if contract.rounding.mode not in ROUNDING_MODES:
        add("metadata.rounding.mode", f"unknown rounding mode {contract.rounding.mode!r}")
    if contract.rounding.places < 0:
        add("metadata.rounding.places", "must be 0 or more")
    risk = contract.at_risk
    if risk is not None and risk.base.removeprefix("fees.") not in contract.fees:
        add("at_risk.base", f"names {risk.base!r}, which is not in fees")
    total_allocation = Decimal(0)
    for index, sla in enumerate(contract.slas):
        spec = sla.credits
        if spec is None:
            continue
        path = f"slas[{index}].credits"
        if spec.per_point is not None and (spec.tiers or spec.allocation is not None):
            add(path, "per_point cannot be combined with tiers or allocation: choose one")
        if spec.per_point is None and not spec.tiers and spec.allocation is None:
            add(path, "needs one of tiers, allocation or per_point")
        if spec.base is not None and spec.base.removeprefix("fees.") not in contract.fees:
            add(f"{path}.base", f"names {spec.base!r}, which is not in fees")
        needs_pool = spec.allocation is not None or (
            (spec.tiers or spec.cap is not None) and spec.base is None
        )
        if needs_pool and risk is None:
            add(path, "refers to the at-risk amount but the contract has no at_risk section")
        if spec.allocation is not None:
            total_allocation += spec.allocation
        if spec.category is not None and (risk is None or spec.category not in risk.categories):
            add(f"{path}.category", f"unknown at-risk category {spec.category!r}")
        if spec.earnback is not None and spec.earnback.months < 1:
            add(f"{path}.earnback.months", "must be at least 1")
        if sla.default_rule is not None and not (
            1 <= sla.default_rule.misses <= max(sla.default_rule.within_months, 1)
        ):
            add(f"slas[{index}].default_rule", "misses must be between 1 and within_months")
    if risk is not None and total_allocation > risk.pool:
        add(
            "slas[*].credits.allocation",
            f"allocations add up to {format_value(total_allocation, 'ratio')}, more than the "
            f"pool {format_value(risk.pool, 'ratio')}",
        )
    known = {sla.id for sla in contract.slas}
    for index, rule in enumerate(contract.chronic_failure):
        if rule.sla != "any" and rule.sla not in known:
            add(f"chronic_failure[{index}].sla", f"unknown SLA {rule.sla!r}")
        if rule.misses < 1 or rule.within_months < 1:
            add(f"chronic_failure[{index}]", "misses and within_months must be at least 1")
    return problems
