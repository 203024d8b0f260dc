"""An Amazon-Connect-compatible `GetMetricDataV2` over plain HTTP: `POST /metrics/data`.

boto3 pointed at it with `endpoint_url="http://127.0.0.1:<port>"` signs with SigV4 as
usual (the simulator does not check signatures) and parses the answer with its real
rest-json parser, so the collector under test is the production code path. Answer shape
(research/vendor_apis.md §2.4): `{"MetricResults":[{"Dimensions":{QUEUE, QUEUE_ARN,
CHANNEL}, "MetricInterval":{"Interval","StartTime","EndTime"}, "Collections":[{"Metric":
<echo of the request's metric>, "Value": number|null}]}], "NextToken": ...}`; times are
epoch seconds; an interval with no contacts is absent; `Value` is null where it cannot be
computed (an average over no answered contacts). Errors carry `x-amzn-ErrorType`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.simulator.scenario import INTERVAL, IntervalContacts, Scenario

Reply = tuple[int, Any, dict[str, str]]


def aws_error(status: int, code: str, message: str) -> Reply:
    return status, {"message": message}, {"x-amzn-ErrorType": f"{code}:http://internal/"}


class ConnectApi:
    def __init__(self, scenario: Scenario,
                 instance_arn: str = ("arn:aws:connect:us-east-1:123456789012:instance/"
                                      "11111111-2222-3333-4444-555555555555")) -> None:
        self.scenario, self.instance_arn = scenario, instance_arn

    def metric_data(self, body: Any) -> Reply:
        try:
            if body["ResourceArn"] != self.instance_arn:
                return aws_error(404, "ResourceNotFoundException", "Instance not found")
            start = datetime.fromtimestamp(float(body["StartTime"]), UTC)
            end = datetime.fromtimestamp(float(body["EndTime"]), UTC)
            metrics = list(body["Metrics"])
            period = (body.get("Interval") or {}).get("IntervalPeriod", "TOTAL")
            queues = {v for f in body["Filters"] if f["FilterKey"] == "QUEUE"
                      for v in f["FilterValues"]}
        except (KeyError, TypeError, ValueError):
            return aws_error(400, "InvalidRequestException", "Malformed request")
        if period != "THIRTY_MIN":
            return aws_error(400, "InvalidParameterException", "Simulator serves THIRTY_MIN")
        if (end - start).total_seconds() >= 3 * 86400:
            return aws_error(400, "InvalidParameterException",
                             "The time range must be less than 3 days for THIRTY_MIN")
        now = self.scenario.clock.now()
        results = []
        for queue in self.scenario.queues:
            if queue.id not in queues:
                continue
            for at in self.scenario.served_starts(start, end, now):
                c = self.scenario.served(queue.id, at, now)
                if not c.offered:
                    continue
                results.append({
                    "Dimensions": {"QUEUE": queue.id,
                                   "QUEUE_ARN": f"{self.instance_arn}/queue/{queue.id}",
                                   "CHANNEL": queue.channel.upper()},
                    "MetricInterval": {"Interval": "THIRTY_MIN", "StartTime": at.timestamp(),
                                       "EndTime": (at + INTERVAL).timestamp()},
                    "Collections": [{"Metric": m, "Value": _value(m, c)} for m in metrics],
                })
        size = int(body.get("MaxResults") or 100)
        offset = int(body.get("NextToken") or 0)
        page: dict[str, Any] = {"MetricResults": results[offset:offset + size]}
        if offset + size < len(results):
            page["NextToken"] = str(offset + size)
        return 200, page, {"x-amzn-RequestId": "sim"}


def _value(metric: dict[str, Any], c: IntervalContacts) -> float | None:
    name = metric.get("Name")
    threshold = (metric.get("Threshold") or [{}])[0]
    limit_ms = float(threshold.get("ThresholdValue", 0)) * 1000
    inclusive = threshold.get("Comparison", "LTE") == "LTE"

    def within(values: Any) -> float:
        return float(((values <= limit_ms) if inclusive else (values < limit_ms)).sum())

    answered = len(c.answered_wait)
    values: dict[str, float | None] = {
        "CONTACTS_QUEUED": float(c.offered),
        "CONTACTS_HANDLED": float(answered),
        "CONTACTS_HANDLED_BY_CONNECTED_TO_AGENT": float(answered),
        "CONTACTS_ABANDONED": float(len(c.abandoned_wait)),
        "SUM_HANDLE_TIME": int(c.answered_handle.sum()) / 1000,
        "AVG_QUEUE_ANSWER_TIME": (int(c.answered_wait.sum()) / 1000 / answered
                                  if answered else None),
    }
    if name == "SUM_CONTACTS_ANSWERED_IN_X":
        return within(c.answered_wait)
    if name == "SUM_CONTACTS_ABANDONED_IN_X":
        return within(c.abandoned_wait)
    return values.get(str(name))
