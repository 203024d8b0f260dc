"""Fault injection: with probability `rate`, a vendor request goes wrong in one of `kinds`.

Kinds: `429` (with `Retry-After`), `500`, `503`, `timeout` (the answer comes after
`timeout_delay` seconds, later than a sensible client waits), `truncated` (a 200 whose JSON
is cut in half) and `token_expiry` (the bearer token is revoked and a 401 returned; only
on endpoints that take a token, elsewhere a 500 is served instead). Seeded, so a run with
the same seed and request order meets the same faults.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field

FAULT_KINDS: tuple[str, ...] = ("429", "500", "503", "timeout", "truncated", "token_expiry")


@dataclass
class FaultInjector:
    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 1
    retry_after: str = "1"
    timeout_delay: float = 2.0
    injected: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if not 0 <= self.rate <= 1:
            raise ValueError("fault rate must be between 0 and 1")
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()

    def pick(self, bearer: bool = True) -> str | None:
        """The fault for the next request, or None; `bearer`: the endpoint takes a token."""
        with self._lock:
            if not self.kinds or self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
            if kind == "token_expiry" and not bearer:
                kind = "500"
            self.injected[kind] += 1
            return kind
