"""A bounded fuzz suite over the public loaders (issue 17).

Seeded mutations of the shipped contracts and the example CSV files (cut, repeat, splice
in hostile fragments: aliases, tags, deep brackets, long numbers, other scripts' digits,
NUL, BOM) go through `load_text`, `read_intervals` and `read_outages`. The only outcomes
allowed are the project's own: a `Loaded` with problems, a frame, or `InputError`. Anything
else is a finding. The run happens in a child process whose address space and CPU time are
capped with `resource` limits, so a mutation that explodes memory or never ends fails the
test instead of the machine; hypothesis is derandomized, so every run meets the same cases.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT

MEMORY_LIMIT = 1536 * 2**20  # address space of the child: pandas and numpy need ~600 MB
CPU_SECONDS = 240
EXAMPLES = int(os.environ.get("SLAMON_FUZZ_EXAMPLES", "150"))

CONTRACTS = sorted((ROOT / "contracts").glob("*.yaml"))
INTERVALS = ROOT / "examples" / "acme-2026-10-intervals.csv"
OUTAGES = ROOT / "examples" / "acme-2026-10-outages.csv"
BOMB = "&b [" + ",".join(["&c [" + ",".join(["x"] * 30) + "]"] + ["*c"] * 30) + "]"
FRAGMENTS = [
    "&a", "*a", "&a [*a]", "!!python/object/apply:os.system ['true']", "!custom x",
    "[" * 2000, "{" * 60, "9" * 5000, BOMB, "[*b, *b, *b, *b, *b]", "1e999999", "-0", ".nan",
    "\u0663\u0664", "\x00", "\ufeff",
    "\r", "\n\n", '"', "'", ",", ":", "- ", "  ", "\t", "<<: *a", "%YAML 1.1\n", "---\n",
    "FREQ=HOURLY;INTERVAL=0", "FREQ=SECONDLY", "BYMONTH=2;BYMONTHDAY=30", "99999999999999d",
    "0s", "posixrules", "9999-12-31", "0001-01-01", "2262-04-12T00:00:00Z", "\udcff",
    "9223372036854775808", ",,,,,,,,", '"a\nb"', "queue,interval_start", "+05:30",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """`text` with one to four cuts, repeats and splices; `value` replaces what follows a
    `key: ` or a comma, where a fragment is read as data. Positions come from a seeded
    `Random` (hypothesis itself favours small numbers: every splice would hit line 1)."""
    rng = draw(st.randoms(use_true_random=False))
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        length = rng.randint(0, 80)
        op = rng.choice(("cut", "repeat", "splice", "replace", "value", "value", "value"))
        piece = rng.choice(FRAGMENTS)
        if op == "value":
            marks = [i + 2 for i in range(len(text)) if text.startswith(": ", i)] + [
                i + 1 for i in range(len(text)) if text[i] == ","]
            if marks:
                at = rng.choice(marks)
                stop = min(x for x in (text.find("\n", at), text.find(",", at), len(text))
                           if x >= 0)
                text = text[:at] + piece + text[stop:]
        elif op == "cut":
            text = text[:at] + text[at + length:]
        elif op == "repeat":
            text = text[:at] + text[at:at + length] * rng.randint(2, 50) + text[at:]
        else:
            end = at + (length if op == "replace" else 0)
            text = text[:at] + piece + text[end:]
    return text


def _contracts() -> None:
    from monitor.spec.loader import load_file

    seeds = [p.read_text() for p in CONTRACTS]
    path = Path(tempfile.mkdtemp()) / "fuzz.yaml"

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(seeds).flatmap(mutated))
    def check(text: str) -> None:
        path.write_bytes(text.encode("utf-8", "surrogateescape"))  # "\udcff" -> byte 0xff
        loaded = load_file(path)
        assert loaded.contract is not None or loaded.errors, "invalid but no error"

    check()


def _csv() -> None:
    from monitor.errors import InputError
    from monitor.interchange import read_intervals, read_outages
    from monitor.spec import load_contract

    contract = load_contract(ROOT / "contracts" / "acme-connect-2026.yaml")
    seeds = [(INTERVALS.read_text(), "i"), (OUTAGES.read_text(), "o")]
    folder = Path(tempfile.mkdtemp())

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(seeds).flatmap(
        lambda seed: st.tuples(mutated(seed[0]), st.just(seed[1]))))
    def check(case: tuple[str, str]) -> None:
        text, kind = case
        path = folder / "fuzz.csv"
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if kind == "i":
                    read_intervals(path, contract)
                else:
                    read_outages(path)
            except InputError:
                pass

    check()


def child() -> None:
    """Entry point of the child process (see `_limited`)."""
    {"contracts": _contracts, "csv": _csv}[sys.argv[1]]()


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _run(target: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from tests.test_fuzz_inputs import child; child()",
         target], cwd=ROOT, env=env, preexec_fn=_limited, capture_output=True, text=True,
        timeout=CPU_SECONDS * 2, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]


def test_mutated_contracts_give_problems_never_exceptions() -> None:
    _run("contracts")


def test_mutated_csv_files_give_input_errors_never_exceptions() -> None:
    _run("csv")
