"""Structured logs for the service: one line per event, `key=value` (default) or JSON.

Messages are written as `event=name key=value ...` by the service; `JsonFormatter` turns
such a line into one JSON object (`ts`, `level`, `logger`, then the keys; `error` and
`problem` take the rest of the line, since their texts have spaces). Secrets never reach
these lines: the HTTP seam redacts its error texts and the service logs no headers or
credentials.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

_PAIR = re.compile(r"(\w+)=(\S*)")


REST_OF_LINE = ("error", "problem", "detail")  # free text, always the last key of a line


def fields(message: str) -> dict[str, Any]:
    """`event=x a=1 error=boom: it broke` → {"event": "x", "a": "1", "error": "boom: ..."}."""
    out: dict[str, Any] = {}
    head, tail_key, tail = message, None, ""
    for key in REST_OF_LINE:
        before, found, after = f" {message}".partition(f" {key}=")
        if found and (tail_key is None or len(before) < len(head)):
            head, tail_key, tail = before.strip(), key, after
    out.update(dict(_PAIR.findall(head)))
    if tail_key is not None:
        out[tail_key] = tail
    if not out:
        out["message"] = message
    return out


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name}
        doc.update(fields(record.getMessage()))
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


KV_FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"


def configure_logging(json_lines: bool, verbose: bool = False, add_handler: bool = True) -> None:
    """Give the stderr handler(s) of the root logger the chosen format, adding one when
    there is none (and `add_handler`); other handlers (a test harness's) are left alone.
    `slamon`'s `main` calls it for every command with `add_handler` only when the root
    logger has no handler at all, as `logging.basicConfig` would."""
    formatter: logging.Formatter = JsonFormatter() if json_lines else logging.Formatter(
        KV_FORMAT)
    root = logging.getLogger()
    mine = [h for h in root.handlers
            if type(h) is logging.StreamHandler and h.stream is sys.stderr]
    if not mine and add_handler:
        mine = [logging.StreamHandler(sys.stderr)]
        root.addHandler(mine[0])
    for handler in mine:
        handler.setFormatter(formatter)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # "skipped: maximum number of running instances reached" is max_instances=1 working as
    # meant (a slow vendor), not news; job crashes are still logged at ERROR.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.ERROR)
    # Alembic's per-connection "Context impl" lines are noise on every command.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)
