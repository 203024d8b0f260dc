"""A Twilio-TaskRouter-shaped `CumulativeStatistics` per task queue.

`GET /v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics?StartDate&EndDate&TaskChannel
&SplitByWaitTime=5,20` with HTTP Basic (`AccountSid:AuthToken`), the fields of Twilio's
resource (research/vendor_apis_2.md §6): tasks_entered, reservations_accepted,
tasks_canceled, tasks_completed, tasks_moved (tasks that left the queue unanswered: the
scenario's flow-outs), `wait_duration_in_queue_until_accepted` in seconds and
`split_by_wait_time` with `below` = at most the threshold. Errors carry Twilio's `code`
(20003 unauthorized, 20404 not found).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import numpy as np

from monitor.simulator.scenario import Scenario

Reply = tuple[int, Any, dict[str, str]]
ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "sim-twilio-auth-token"
WORKSPACE_SID = "WS" + "7" * 32


def twilio_error(status: int, code: int, message: str) -> Reply:
    return status, {"code": code, "message": message, "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}, {}


class TwilioApi:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    def cumulative(self, path: str, query: dict[str, list[str]],
                   headers: dict[str, str]) -> Reply:
        basic = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if headers.get("authorization") != f"Basic {basic}":
            return twilio_error(401, 20003, "Authenticate")
        parts = path.strip("/").split("/")  # v1 Workspaces WS TaskQueues WQ Cumulative...
        queue = self.scenario.queue(parts[4]) if len(parts) == 6 else None
        if parts[2] != WORKSPACE_SID or queue is None:
            return twilio_error(404, 20404, f"The requested resource {path} was not found")
        try:
            start = datetime.fromisoformat(query["StartDate"][0].replace("Z", "+00:00"))
            end = datetime.fromisoformat(query["EndDate"][0].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            return twilio_error(400, 20001, "StartDate and EndDate are required")
        thresholds = [int(t) for t in (query.get("SplitByWaitTime") or [""])[0].split(",") if t]
        now = self.scenario.clock.now()
        waits, handles, abandons, flows = [], [], [], 0
        for at in self.scenario.served_starts(start, end, now):
            c = self.scenario.served(queue.id, at, now)
            waits.append(c.answered_wait)
            handles.append(c.answered_handle)
            abandons.append(c.abandoned_wait)
            flows += len(c.flowout_wait)
        answered = np.concatenate(waits) if waits else np.zeros(0, dtype=np.int64)
        abandoned = np.concatenate(abandons) if abandons else np.zeros(0, dtype=np.int64)
        entered = len(answered) + len(abandoned) + flows

        def split(t: int) -> dict[str, Any]:
            acc, can = int((answered <= t * 1000).sum()), int((abandoned <= t * 1000).sum())
            return {"below": {"reservations_accepted": acc, "tasks_canceled": can},
                    "above": {"reservations_accepted": len(answered) - acc,
                              "tasks_canceled": len(abandoned) - can}}

        total = int(answered.sum()) / 1000
        return 200, {
            "account_sid": ACCOUNT_SID, "workspace_sid": WORKSPACE_SID,
            "task_queue_sid": queue.id, "start_time": query["StartDate"][0],
            "end_time": query["EndDate"][0], "tasks_entered": entered,
            "tasks_canceled": len(abandoned), "tasks_completed": len(answered),
            "tasks_deleted": 0, "tasks_moved": flows,
            "reservations_accepted": len(answered), "reservations_created": len(answered),
            "wait_duration_in_queue_until_accepted": {
                "avg": round(total / len(answered), 3) if len(answered) else 0,
                "min": int(answered.min()) / 1000 if len(answered) else 0,
                "max": int(answered.max()) / 1000 if len(answered) else 0,
                "total": total},
            "split_by_wait_time": {str(t): split(t) for t in thresholds},
        }, {}
