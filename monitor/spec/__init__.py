"""Contract files (YAML, `slamon/v1`) -> frozen `monitor.domain.contract.Contract` objects.

Public API (other packages import only these):

- `load_contract(path) -> Contract`: one file; raises `ContractError(problems)` listing
  every error in it (warnings do not raise).
- `load_contracts(paths) -> (contracts, problems)`: files and directories (`*.yaml`,
  `*.yml`, sorted); every problem of every file, warnings and cross-file rules included.
  A file with an error yields no contract; nothing raises for bad content.
- `find_contract(id_or_file, contracts_dir) -> Contract`: a path, or a contract id looked
  up among the directory's files; an unknown id raises `InputError` naming the known ids.

Layers: `yamlpos` (YAML with lines) -> `v1` (pydantic spec) -> `rules` (semantics) ->
`mapping` (domain objects); `loader` runs them in that order for one file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from monitor.domain.contract import Contract
from monitor.errors import ContractError, InputError, Problem
from monitor.spec.loader import Loaded, load_file
from monitor.spec.rules import check_across_files

__all__ = ["contract_files", "find_contract", "load_all", "load_contract", "load_contracts"]

SUFFIXES = (".yaml", ".yml")


def load_contract(path: str | Path, environ: Mapping[str, str] | None = None) -> Contract:
    loaded = load_file(Path(path), environ)
    if loaded.contract is None:
        raise ContractError(list(loaded.errors) or list(loaded.problems))
    return loaded.contract


def contract_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Expand directories into their contract files; a missing path is a problem."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), None, "", "no such file or directory"))
    return files, problems


def load_all(paths: Iterable[str | Path],
             environ: Mapping[str, str] | None = None) -> tuple[list[Loaded], list[Problem]]:
    """Each file's outcome, plus problems about paths and across files."""
    files, problems = contract_files(paths)
    loaded = [load_file(f, environ) for f in files]
    problems += check_across_files(loaded)
    return loaded, problems


def load_contracts(
    paths: Iterable[str | Path], environ: Mapping[str, str] | None = None
) -> tuple[list[Contract], list[Problem]]:
    loaded, extra = load_all(paths, environ)
    problems = [p for one in loaded for p in one.problems] + extra
    contracts = [one.contract for one in loaded if one.contract is not None]
    duplicated = {p.file for p in extra if p.severity == "error"}
    return [c for c in contracts if c.source_file not in duplicated], problems


def find_contract(id_or_file: str, contracts_dir: Path) -> Contract:
    """A contract by file path, or by `metadata.id` among `contracts_dir`'s files."""
    candidate = Path(id_or_file)
    if candidate.suffix in SUFFIXES or candidate.is_file():
        if not candidate.is_file():
            raise InputError(f"no contract file {id_or_file!r}")
        return load_contract(candidate)
    if not contracts_dir.is_dir():
        raise InputError(f"contracts directory {str(contracts_dir)!r} does not exist")
    files, _ = contract_files([contracts_dir])
    known: list[str] = []
    for file in files:
        loaded = load_file(file)
        spec_id = loaded.contract_id
        if spec_id == id_or_file:
            if loaded.contract is None:
                raise ContractError(list(loaded.errors))
            return loaded.contract
        if spec_id:
            known.append(spec_id)
    listing = ", ".join(sorted(known)) or "none"
    raise InputError(f"no contract with id {id_or_file!r} in {contracts_dir} (known: {listing})")
