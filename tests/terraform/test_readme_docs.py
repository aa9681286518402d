"""The README's inputs/outputs tables are generated from variables.tf / outputs.tf (make docs)."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest

from support.terraform import REPO, blocks

pytestmark = pytest.mark.terraform


def _tf_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tf_docs", REPO / "dev" / "tf_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_terraform_tables_are_up_to_date() -> None:
    tf_docs = _tf_docs()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert tf_docs.current_block(readme) == tf_docs.render(REPO), "README tables are stale: run `make docs`"


def test_readme_tables_are_terraform_docs_sections_in_order() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- BEGIN_TF_DOCS -->") : readme.index("<!-- END_TF_DOCS -->")]
    sections = re.findall(r"^## (\w+)$", block, re.MULTILINE)
    assert sections == ["Requirements", "Providers", "Modules", "Resources", "Inputs", "Outputs"]


def test_readme_tables_list_every_variable_and_output() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- BEGIN_TF_DOCS -->") : readme.index("<!-- END_TF_DOCS -->")]
    inputs = block[block.index("## Inputs") : block.index("## Outputs")]
    outputs = block[block.index("## Outputs") :]
    listed_inputs = set(re.findall(r"^\| (\w+) \|", inputs, re.MULTILINE)) - {"Name"}
    listed_outputs = set(re.findall(r"^\| (\w+) \|", outputs, re.MULTILINE)) - {"Name"}
    variables = {b.labels[0] for b in blocks(REPO) if b.kind == "variable"}
    declared_outputs = {b.labels[0] for b in blocks(REPO) if b.kind == "output"}
    assert listed_inputs == variables
    assert listed_outputs == declared_outputs


def test_readme_documents_module_usage() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    usage = readme[readme.index("<!-- BEGIN_MODULE_USAGE -->") : readme.index("<!-- END_MODULE_USAGE -->")]
    assert 'module "qradar_failover"' in usage
    assert "### What it creates" in usage
