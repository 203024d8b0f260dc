"""How long the credit engine takes over a long history (prints figures; not a test).

    python -m bench.credits_history [months] [slas]   (from the repository root)
"""

from __future__ import annotations

import random
import sys
import time
from decimal import Decimal

from monitor.domain.contract import AtRisk, ChronicRule, CreditSpec, DefaultRule, Earnback
from monitor.domain.credits import assess_credits
from tests.credit_factories import credit_contract, credit_sla, history, pct


def main(months: int = 120, count: int = 10) -> None:
    rnd = random.Random(1)
    slas = [
        credit_sla(f"s{i}", pct(80), minimum=pct(75), default_rule=DefaultRule(4, 12),
                   credits=CreditSpec(allocation=pct(20), earnback=Earnback(3)))
        for i in range(count)
    ]
    contract = credit_contract(
        slas, monthly_fee="500000", at_risk=AtRisk(pct(12), pool=Decimal(count)),
        chronic=(ChronicRule("any", 2, 2, "termination_right", True),
                 ChronicRule("s1", 3, 6, "escalation")),
    )
    rows = [{s.id: pct(rnd.randint(70, 90)) for s in slas} for _ in range(months)]
    evaluations = history(contract, "2016-01", rows)
    start = time.perf_counter()
    periods = assess_credits(contract, evaluations)
    took = time.perf_counter() - start
    total = sum(p.total for p in periods)
    print(f"{months} months x {count} SLAs: {took * 1000:.1f} ms, "
          f"{took / months * 1000:.2f} ms per period, total credits {total}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
