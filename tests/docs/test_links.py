"""The documentation a new user reads is in the repository and its links resolve.

The interchange formats used to be described only outside the repository, three docs linked
a `docs/interchange.md` that did not exist, and the alert rules' runbook links pointed at an
example host; the README named only two of the environment variables the code reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from monitor.cli import main
from monitor.domain.measurements import (
    OCCUPANCY_COLUMNS,
    OPTIONAL_COUNT_COLUMNS,
    REQUIRED_INTERVAL_COLUMNS,
)
from monitor.interchange import OUTAGE_COLUMNS, OUTAGE_OPTIONAL
from tests.conftest import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md"))
USER_DOCS = [*DOCS, ROOT / "README.md", ROOT / "examples" / "README.md"]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
INTERCHANGE = ROOT / "docs" / "interchange.md"


def links(doc: Path) -> list[str]:
    return [target for target in LINK.findall(doc.read_text())
            if not target.startswith(("http://", "https://", "mailto:", "#"))]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("doc", USER_DOCS, ids=rel)
def test_every_relative_link_resolves_inside_the_repository(doc: Path) -> None:
    for target in links(doc):
        path = (doc.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"{rel(doc)}: {target} leaves the repository"
        assert path.exists(), f"{rel(doc)}: {target} does not exist"


@pytest.mark.parametrize("doc", [d for d in USER_DOCS if d != INTERCHANGE], ids=rel)
def test_every_doc_links_the_interchange_formats(doc: Path) -> None:
    assert any((doc.parent / t.split("#")[0]).resolve() == INTERCHANGE for t in links(doc))


def test_no_doc_or_code_points_outside_the_repository() -> None:
    files = [*USER_DOCS, *sorted((ROOT / "monitor").rglob("*.py"))]
    offenders = [rel(f) for f in files if re.search(r"\.\./shared|shared/spec", f.read_text())]
    assert offenders == []


def test_the_interchange_doc_names_every_column_the_readers_accept() -> None:
    text = INTERCHANGE.read_text()
    from monitor.collectors.evidence import PROBE_COLUMNS, PROBE_OPTIONAL

    columns = [*REQUIRED_INTERVAL_COLUMNS, "channel", *OPTIONAL_COUNT_COLUMNS,
               *OCCUPANCY_COLUMNS, "answered_within_<N>s", "abandoned_within_<N>s",
               *OUTAGE_COLUMNS, *OUTAGE_OPTIONAL, *PROBE_COLUMNS, *PROBE_OPTIONAL]
    if "`csat_1` … `csat_5`" in text:  # the range names the three between
        columns = [c for c in columns if c not in ("csat_2", "csat_3", "csat_4")]
    assert [c for c in columns if f"`{c}`" not in text] == []


def test_the_interchange_doc_names_every_key_of_evaluate_json(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--contract", str(ROOT / "contracts/acme-connect-2026.yaml"),
                 "--intervals", str(ROOT / "examples/acme-2026-10-intervals.csv"),
                 "--outages", str(ROOT / "examples/acme-2026-10-outages.csv"),
                 "--period", "2026-10", "--as-of", "2026-11-02T09:00:00+00:00",
                 "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    text = INTERCHANGE.read_text()
    sla = document["slas"][0]
    keys = {*document, *document["period"], *sla, "numerator", "denominator", "intervals",
            "excluded_minutes", "formula", "tier", "measured_minutes", "exclusions",
            *document["credit_lines"][0]}
    assert sorted(k for k in keys if f'"{k}"' not in text and f"`{k}`" not in text) == []


def rule_files() -> list[Path]:
    return sorted((ROOT / "alerts").glob("*.rules.yml"))


def test_every_generated_runbook_link_is_a_runbook_in_the_repository() -> None:
    urls = {rule["annotations"]["runbook_url"]
            for path in rule_files()
            for group in yaml.safe_load(path.read_text())["groups"]
            for rule in group["rules"] if "alert" in rule}
    assert urls, "no alert rules generated"
    assert sorted(u for u in urls if not (ROOT / u).is_file()) == []
    assert {Path(u).parent for u in urls} == {Path("docs/runbooks")}


def env_reads() -> set[str]:
    """Names the code reads from the environment: `environ.get("X")`, `environ["X"]`,
    `getenv("X")`, and any `SLAMON_*` name it spells (held in a constant, then read)."""
    reads = re.compile(r"""(?:environ\.get|getenv|environ\[)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
    spelled = re.compile(r"""["'](SLAMON_[A-Z0-9_]+)["']""")
    names: set[str] = set()
    for folder in ("monitor", "bench", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            names |= set(reads.findall(text))
            if folder == "monitor" and "simulator" not in path.parts:
                names |= set(spelled.findall(text))
    # A test's stand-in mapping reads "X"; a WSGI request's environ is not the process's.
    wsgi = {"PATH_INFO", "QUERY_STRING", "REQUEST_METHOD"}
    return {n for n in names if len(n) > 1 and n not in wsgi and not n.startswith("HTTP_")}


def test_the_readme_configuration_lists_every_variable_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \|",
                                                         section, re.MULTILINE)}
    assert {"SLAMON_DATABASE_URL", "SLAMON_SMTP_URL", "SLAMON_SMTP_FROM"} <= env_reads()
    assert sorted(env_reads() - set(rows)) == []
    assert all(default.strip() for default in rows.values())
