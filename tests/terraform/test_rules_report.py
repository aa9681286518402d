"""The rules report (python -m tf_offline rules, make tf-rules): every attribute the module and the
examples set is checked by a value rule or listed with the reason it is not, so a gap shows
instead of passing silently."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from support.terraform import REPO
from tf_offline import aws_rules, report
from tf_offline.runner import OfflineTerraform, module_dirs, stage
from tf_offline.schemas import ensure_schemas

pytestmark = pytest.mark.terraform

CACHE = REPO / ".cache" / "provider-schemas"


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    return report.schemas_from(ensure_schemas(CACHE))


def test_an_attribute_without_rule_or_reason_is_a_gap(schemas: dict[str, dict[str, Any]]) -> None:
    seen = {
        ("hashicorp/aws", "resource", "aws_lambda_function"): {"memory_size", "publish", "tags", "image_uri"},
    }
    (lambda_report,) = report.build(seen, schemas)
    assert lambda_report.checked["memory_size"] >= 1
    assert lambda_report.not_checked["publish"] == report.BOOLEAN
    assert lambda_report.not_checked["tags"] == aws_rules.TAGS
    assert lambda_report.gaps == ["image_uri"]
    text = report.render([lambda_report])
    assert "Gaps (attributes set with no rule and no reason): 1" in text
    assert "aws_lambda_function.image_uri" in text


def test_a_type_without_a_table_entry_has_every_attribute_as_a_gap(schemas: dict[str, dict[str, Any]]) -> None:
    seen = {("hashicorp/aws", "resource", "aws_s3_bucket"): {"bucket"}}
    (bucket,) = report.build(seen, schemas)
    assert bucket.rule_count == 0
    assert bucket.gaps == ["bucket"]


@pytest.mark.slow
def test_the_module_and_examples_set_no_attribute_without_a_rule_or_a_reason(
    offline_terraform: OfflineTerraform, tmp_path: Path, schemas: dict[str, dict[str, Any]]
) -> None:
    tree = stage(REPO, tmp_path / "repo")
    seen, results = report.collect(offline_terraform, [tree / d.relative_to(REPO) for d in module_dirs(REPO)])
    assert all(r.ok for r in results), [str(d) for r in results for d in r.errors]
    reports = report.build(seen, schemas)
    used = {(r.kind, r.type_name) for r in reports if r.provider == "hashicorp/aws"}
    # Every type the module and the examples declare was seen by the stand-in (the record works) ...
    declared = set()
    for directory in module_dirs(REPO):
        for path in directory.glob("*.tf"):
            text = path.read_text(encoding="utf-8")
            declared |= {("resource", t) for t in re.findall(r'^resource "(aws_\w+)"', text, re.MULTILINE)}
            declared |= {("data", t) for t in re.findall(r'^data "(aws_\w+)"', text, re.MULTILINE)}
    assert declared <= used, sorted(declared - used)
    # ... has a table entry ...
    tables = {"resource": aws_rules.RESOURCES, "data": aws_rules.DATA_SOURCES}
    assert [f"{kind} {name}" for kind, name in sorted(used) if name not in tables[kind]] == []
    # ... and every attribute set is checked or has its reason.
    assert [f"{r.address}.{gap}" for r in reports for gap in r.gaps] == []
    checked = sum(len(r.checked) for r in reports)
    assert checked >= 100, f"only {checked} attributes checked"
