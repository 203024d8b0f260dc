"""The `sources:` block of the demo contract for each platform the simulator serves.

Written as a real contract would be (typed keys, a `settings:` mapping, credential roles
naming environment variables), from the same `simulator_sources` the tests use, so the
file `slamon demo --vendor KIND` leaves behind is a valid starting point for that platform.
`slamon demo` sends every request to the simulator (`retarget`), whatever hosts it names.
"""

from __future__ import annotations

import json

from monitor.simulator import SIM_KINDS, simulator_sources

TYPED = ("region", "instance_arn", "workspace_sid", "account")
HOSTS = {  # status page, the vendor's contact, Genesys' region
    "genesys-cloud": ("https://status.mypurecloud.com", "tam@genesys.example", "us_east_1"),
    "amazon-connect": ("https://status.connect.example", "tam@aws.example", None),
    "twilio-flex": ("https://status.twilio.com", "tam@twilio.example", None),
    "nice-cxone": ("https://status.niceincontact.com", "tam@nice.example", None),
    "five9": ("https://status.five9.com", "tam@five9.example", None),
    "talkdesk": ("https://status.talkdesk.com", "tam@talkdesk.example", None),
}
COMPANIES = {  # platform -> (company id, legal name, product name)
    "genesys-cloud": ("genesys", "Genesys Cloud Services, Inc.", "Genesys Cloud"),
    "amazon-connect": ("aws", "Amazon Web Services, Inc.", "Amazon Connect"),
    "twilio-flex": ("twilio", "Twilio Inc.", "Twilio Flex"),
    "nice-cxone": ("nice", "NICE Ltd.", "NICE CXone"),
    "five9": ("five9", "Five9, Inc.", "Five9"),
    "talkdesk": ("talkdesk", "Talkdesk, Inc.", "Talkdesk"),
}


def vendor_name(kind: str) -> str:
    return COMPANIES[kind][2]


def vendor_yaml(kind: str) -> str:
    """`metadata.vendor`: the company that owes the credits, not the platform polled."""
    company, legal, _ = COMPANIES[kind]
    return (f"  vendor:                         # the company that owes the credits\n"
            f"    id: {company}\n"
            f"    legal_name: \"{legal}\"\n"
            f"    contacts:\n"
            f"      - {{name: \"Technical Account Manager\", email: \"{HOSTS[kind][1]}\", "
            f"role: claims}}")


def sources_yaml(kind: str, queues: str) -> str:
    """`sources:` lines (two-space indented keys) for `kind`, around the given queue lines."""
    if kind not in SIM_KINDS:
        raise ValueError(f"the demo runs {', '.join(SIM_KINDS)}, not {kind}")
    settings, credentials = simulator_sources(kind, "http://simulator")
    settings.pop("api_host", None)
    status, _, region = HOSTS[kind]
    if region:
        settings["region"] = region
    lines = ["sources:", f"  platform: {kind}               # the platform polled"]
    for key in TYPED:
        if key in settings:
            lines.append(f"  {key}: {settings.pop(key)}")
    if settings:
        lines.append("  settings:")
        lines.extend(f"    {key}: {json.dumps(value)}" for key, value in settings.items())
    lines.append("  queues:")
    lines.append(queues)
    lines.append(f"  status_page: {status}")
    lines.append("  components: [Voice, Chat]")
    lines.append("  credentials_env:")
    lines.extend(f"    {role}: {name}" for role, name in credentials.items())
    lines.append("  poll_interval: 5m")
    lines += ["  independent:                    # our own test calls, beside the status page "
              "(docs/evidence.md)",
              "    - kind: probes",
              "      name: test-calls",
              "      components: {Voice: voice-ivr}",
              "      rule: {failing_locations: 1, consecutive_samples: 2, step: 5m}"]
    return "\n".join(lines)


def vendor_contact(kind: str) -> str:
    return HOSTS[kind][1]
