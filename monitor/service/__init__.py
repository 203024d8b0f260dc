"""The running service: one collect → store → evaluate pass (`pipeline`), the scheduler
around it (`scheduler`), clocks and vendor retargeting (`runtime`) and the demo (`demo`).

The pipeline holds no state between calls: every decision (which window next, who is
collecting a source right now) is read from the database, so several `slamon run`
processes can share one PostgreSQL.
"""

from __future__ import annotations
