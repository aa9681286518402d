"""The rules report: what the stand-in providers check in this module, and what they do not.

``python -m tf_offline rules`` (``make tf-rules``) validates the root module and every example
with ``TF_OFFLINE_RECORD`` set, so each stand-in records the attribute paths the configuration
gives a value (known or not). Every recorded attribute is then either *checked* (at least one
value rule of the provider's table applies to it) or *not checked*, with the reason: the
table's ``unchecked`` entry, "a boolean" (no invalid value), or, for an attribute nobody has
looked at, "no rule transcribed". The last kind is the gap the table must close: a new
attribute the module sets shows up there instead of passing silently.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tf_offline.provider import RECORD_ENV, RULE_TABLES, load_rule_set
from tf_offline.runner import OfflineTerraform, Result
from tf_offline.schemas import PROVIDERS, load

NO_RULE = "no rule transcribed"
BOOLEAN = "a boolean: no value is invalid"
WHOLE_TYPE = "*"  # an unchecked entry about the type as a whole (not an attribute)


@dataclass
class TypeReport:
    """One resource or data source type: its rules and the attributes the configuration sets."""

    provider: str
    kind: str  # resource or data
    type_name: str
    checks: Counter[str] = field(default_factory=Counter)  # origin kind -> value rules
    object_rules: int = 0
    checked: dict[str, int] = field(default_factory=dict)  # attribute path -> value rules on it
    not_checked: dict[str, str] = field(default_factory=dict)  # attribute path -> why
    note: str = ""

    @property
    def address(self) -> str:
        return self.type_name if self.kind == "resource" else f"data.{self.type_name}"

    @property
    def rule_count(self) -> int:
        return sum(self.checks.values()) + self.object_rules

    @property
    def gaps(self) -> list[str]:
        return sorted(path for path, why in self.not_checked.items() if why == NO_RULE)


def _attribute_type(block: dict[str, Any], path: str) -> Any:
    """The schema type of an attribute path (``a.b.c`` through nested blocks), or None."""
    *blocks, name = path.split(".")
    for part in blocks:
        nested = block.get("block_types", {}).get(part)
        if nested is None:
            return None
        block = nested["block"]
    return block.get("attributes", {}).get(name, {}).get("type")


def _rule_path(path: str) -> str:
    return path.split("[", 1)[0]


def build(seen: dict[tuple[str, str, str], set[str]], schemas: dict[str, dict[str, Any]]) -> list[TypeReport]:
    """Reports for every (provider, kind, type) a configuration used, from what the stand-ins recorded."""
    reports = []
    rule_sets = {source: load_rule_set(source) for source in RULE_TABLES}
    for (source, kind, type_name), paths in sorted(seen.items()):
        report = TypeReport(source, kind, type_name)
        rule_set = rule_sets.get(source)
        table = rule_set.tables[kind].get(type_name) if rule_set else None
        schema_name = next(name for name, pkg in PROVIDERS.items() if pkg.source == source)
        entries = schemas[schema_name]["resource_schemas" if kind == "resource" else "data_source_schemas"]
        block = entries[type_name]["block"]
        checked: Counter[str] = Counter()
        if rule_set is not None and table is not None:
            for check in rule_set.checks(kind, type_name):
                report.checks[check.origin.kind] += 1
                checked[_rule_path(check.path)] += 1
            report.object_rules = len(rule_set.objects(kind, type_name))
            report.note = table.unchecked.get(WHOLE_TYPE, "")
        unchecked = table.unchecked if table is not None else {}
        for path in sorted(paths):
            if checked[path]:
                report.checked[path] = checked[path]
            elif path in unchecked:
                report.not_checked[path] = unchecked[path]
            elif _attribute_type(block, path) == "bool":
                report.not_checked[path] = BOOLEAN
            else:
                report.not_checked[path] = NO_RULE
        reports.append(report)
    return reports


@contextmanager
def recording() -> Iterator[list[dict[str, Any]]]:
    """While active, the stand-ins Terraform starts record what each configuration they validate
    sets (``paths``) and what of it is not known yet (``unknown``); the entries, in the order
    validated, fill the yielded list when the block ends."""
    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tf-offline-record-") as tmp:
        record = Path(tmp) / "record.jsonl"
        saved = os.environ.get(RECORD_ENV)
        os.environ[RECORD_ENV] = str(record)
        try:
            yield entries
        finally:
            if saved is None:
                os.environ.pop(RECORD_ENV, None)
            else:
                os.environ[RECORD_ENV] = saved
            lines = record.read_text(encoding="utf-8").splitlines() if record.is_file() else []
            entries.extend(json.loads(line) for line in lines)


def collect(
    terraform: OfflineTerraform, directories: list[Path]
) -> tuple[dict[tuple[str, str, str], set[str]], list[Result]]:
    """Validate each directory with the stand-ins recording; what they saw, and the results."""
    seen: dict[tuple[str, str, str], set[str]] = {}
    with recording() as entries:
        results = [terraform.validate(directory) for directory in directories]
    for entry in entries:
        seen.setdefault((entry["provider"], entry["kind"], entry["type"]), set()).update(entry["paths"])
    return seen, results


def render(reports: list[TypeReport]) -> str:
    lines = ["Value rules per type (provider | API model | API documentation | cross-attribute):", ""]
    width = max(len(r.address) for r in reports)
    for r in reports:
        lines.append(
            f"  {r.address:<{width}}  {r.rule_count:>3} rules "
            f"({r.checks['provider']:>2} | {r.checks['api-model']:>2} | {r.checks['api-doc']:>2} | {r.object_rules})"
            f"  {len(r.checked)}/{len(r.checked) + len(r.not_checked)} attributes set are checked"
        )
    total = sum(r.rule_count for r in reports)
    lines += ["", f"  {total} rules over {len(reports)} types.", "", "Attributes set but not checked, and why:", ""]
    for r in reports:
        if not r.not_checked and not r.note:
            continue
        lines.append(f"  {r.address}:")
        if r.note:
            lines.append(f"    (the type) {r.note}")
        lines.extend(f"    {path}: {why}" for path, why in r.not_checked.items())
    gaps = [f"{r.address}.{path}" for r in reports for path in r.gaps]
    lines += ["", f"Gaps (attributes set with no rule and no reason): {len(gaps)}"]
    lines.extend(f"  {gap}" for gap in gaps)
    return "\n".join(lines) + "\n"


def schemas_from(paths: dict[str, Path]) -> dict[str, dict[str, Any]]:
    return {name: load(path) for name, path in paths.items()}
