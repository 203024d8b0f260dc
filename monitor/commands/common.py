"""Parsing shared by the subcommands' flags."""

from __future__ import annotations

from datetime import datetime

from monitor.errors import InputError


def parse_instant(text: str, flag: str) -> datetime:
    """An ISO 8601 instant given on the command line; a naive one is ambiguous and refused,
    with the flag named in the error."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 instant", column=flag) from None
    if value.tzinfo is None:
        raise InputError(f"{text!r} has no UTC offset; write e.g. 2026-11-30T09:00:00-05:00",
                         column=flag)
    return value
