"""Claims board, claim detail and transitions, ledger (built on the claims branch)."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
