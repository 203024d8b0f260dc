"""Fake vendor APIs on localhost with seeded data, fault injection and ground truth.

`with Simulator(Scenario(seed=7), FaultInjector(rate=0.2)) as sim:` serves Genesys-,
Connect-, NICE-CXone-, Five9-, Talkdesk- and Statuspage-shaped endpoints at `sim.url`;
`sim.scenario.truth(...)` (or `GET /_truth`) is what it served.
`simulator_contract(kind, sim)` builds a contract whose sources point at it.
`python -m monitor.simulator --port 8080 --seed 7 --fault-rate 0.2`.
"""

from __future__ import annotations

from monitor.simulator.contracts import (
    SIM_ENV,
    SIM_KINDS,
    make_contract,
    simulator_contract,
    simulator_sources,
)
from monitor.simulator.faults import FAULT_KINDS, FaultInjector
from monitor.simulator.scenario import DEFAULT_QUEUES, Scenario, SimClock, SimQueue
from monitor.simulator.server import Simulator

__all__ = [
    "DEFAULT_QUEUES",
    "FAULT_KINDS",
    "SIM_ENV",
    "SIM_KINDS",
    "FaultInjector",
    "Scenario",
    "SimClock",
    "SimQueue",
    "Simulator",
    "make_contract",
    "simulator_contract",
    "simulator_sources",
]
