"""The offline schema check: each class of defect planted into a copy of a module is reported
with its file and line, and the unmodified module and examples are clean.

Runs on a small fixture module and on the repository's own module (root + examples), which must
exist: the test fails rather than skips without it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tf_schema_check.checker import Report, check_paths, module_dirs
from tf_schema_check.fetch import fetch_one
from tf_schema_check.schema import PROVIDER_PACKAGES, SchemaSet, default_cache_dir

pytestmark = pytest.mark.terraform

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "schema_fixtures" / "module"


@pytest.fixture(scope="session")
def schemas() -> SchemaSet:
    cache = default_cache_dir(REPO)
    for pkg in PROVIDER_PACKAGES.values():
        fetch_one(pkg, cache)  # no-op when cached (make test fetches before pytest)
    return SchemaSet.load(cache)


def _copy_tree(src: Path, dst: Path) -> Path:
    """Copy the .tf files of a module and its examples (all the check reads)."""
    tf_files = [*src.glob("*.tf"), *(src / "examples").rglob("*.tf")]
    assert tf_files, f"no Terraform files under {src}"
    for f in tf_files:
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
    return dst


@pytest.fixture(params=["fixture", "repo"])
def tree(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    src = FIXTURE if request.param == "fixture" else REPO
    if request.param == "repo":
        assert any(REPO.glob("*.tf")), "the repository's Terraform module is missing"
        assert (REPO / "examples").is_dir(), "the repository's examples are missing"
    return _copy_tree(src, tmp_path / "tree")


def _check(root: Path, schemas: SchemaSet) -> Report:
    return check_paths(module_dirs(root), schemas, display_root=root)


def _findings(report: Report, kind: str) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.message) for f in report.findings if f.kind == kind]


# -- helpers that plant a defect and return (file relative to the tree, line) -------------

_HEADER = re.compile(r'^resource "([\w-]+)" "([\w-]+)" \{\s*$')


def _resources(root: Path) -> list[tuple[Path, int, str, str]]:
    """(file, header line, type, name) of every resource in the root module."""
    out = []
    for f in sorted(root.glob("*.tf")):
        for i, line in enumerate(f.read_text().splitlines(), start=1):
            m = _HEADER.match(line)
            if m:
                out.append((f, i, m.group(1), m.group(2)))
    assert out, f"no resources in {root}"
    return out


def _insert_after(path: Path, line_no: int, text: str) -> int:
    lines = path.read_text().splitlines()
    lines.insert(line_no, text)
    path.write_text("\n".join(lines) + "\n")
    return line_no + 1


def _pick(root: Path, schemas: SchemaSet, want: Callable[[str], str | None]) -> tuple[Path, int, str, str, str]:
    """The first aws resource for which ``want(type)`` names something."""
    aws = schemas.providers["aws"]
    for f, line, rtype, name in _resources(root):
        if rtype in aws.resources:
            found = want(rtype)
            if found:
                return f, line, rtype, name, found
    raise AssertionError("no suitable resource to plant into")


def _new_file(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text)
    return path


def _rel(root: Path, path: Path) -> str:
    return str(path.relative_to(root))


# -- the module as it is is clean -----------------------------------------------------------


def test_unmodified_tree_is_clean(tree: Path, schemas: SchemaSet) -> None:
    report = _check(tree, schemas)
    assert [str(f) for f in report.findings] == []
    assert len(report.modules) >= 2, "root module and at least one example are checked"


# -- each class of defect ------------------------------------------------------------------


def test_unknown_argument(tree: Path, schemas: SchemaSet) -> None:
    # The example: `alarm_action` for `alarm_actions`.
    for f in sorted(tree.glob("*.tf")):
        lines = f.read_text().splitlines()
        hit, inside = None, False
        for i, s in enumerate(lines):
            inside = s.startswith('resource "aws_cloudwatch_metric_alarm"') or (inside and s != "}")
            if inside and re.match(r"\s+alarm_actions\s+=", s):
                hit = i
                break
        if hit is not None:
            lines[hit] = lines[hit].replace("alarm_actions", "alarm_action", 1)
            f.write_text("\n".join(lines) + "\n")
            break
    else:
        raise AssertionError("no alarm_actions argument to misspell")
    found = _findings(_check(tree, schemas), "unknown-argument")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), hit + 1)]
    assert "'alarm_action'" in found[0][2]
    assert "did you mean 'alarm_actions'" in found[0][2]


def test_unknown_block(tree: Path, schemas: SchemaSet) -> None:
    f, line, rtype, name, _ = _pick(tree, schemas, lambda t: "x")
    planted = _insert_after(f, line, "  no_such_block {\n  }")
    found = _findings(_check(tree, schemas), "unknown-block")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), planted)]
    assert f"{rtype}.{name}" in found[0][2]


def test_missing_required_argument(tree: Path, schemas: SchemaSet) -> None:
    aws = schemas.providers["aws"]
    for f, line, rtype, _name in _resources(tree):
        required = aws.resources[rtype].required_attrs() if rtype in aws.resources else []
        lines = f.read_text().splitlines()
        end = next(i for i in range(line, len(lines)) if lines[i] == "}")
        for i in range(line, end):
            m = re.match(r"^  (\w+)\s+=\s+(.*)$", lines[i])
            if m and m.group(1) in required and not m.group(2).rstrip().endswith(("{", "[", "(", "EOT", "EOF")):
                lines[i] = "  # removed"
                f.write_text("\n".join(lines) + "\n")
                found = _findings(_check(tree, schemas), "missing-argument")
                assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), line)]
                assert f"required argument {m.group(1)!r}" in found[0][2]
                return
    raise AssertionError("no single-line required argument to remove")


def test_block_written_as_argument(tree: Path, schemas: SchemaSet) -> None:
    aws = schemas.providers["aws"]
    f, line, _, _, block = _pick(tree, schemas, lambda t: next(iter(sorted(aws.resources[t].blocks)), None))
    planted = _insert_after(f, line, f"  {block} = null")
    found = _findings(_check(tree, schemas), "block-as-argument")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), planted)]
    assert repr(block) in found[0][2]


def test_argument_written_as_block(tree: Path, schemas: SchemaSet) -> None:
    aws = schemas.providers["aws"]

    def optional_arg(t: str) -> str | None:
        attrs = aws.resources[t].attrs
        return next((a for a in sorted(attrs) if attrs[a] in ("o", "oc") and a not in ("id", "region")), None)

    f, line, _, _, arg = _pick(tree, schemas, optional_arg)
    planted = _insert_after(f, line, f"  {arg} {{\n  }}")
    found = _findings(_check(tree, schemas), "argument-as-block")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), planted)]
    assert repr(arg) in found[0][2]


def test_reference_to_unexported_attribute(tree: Path, schemas: SchemaSet) -> None:
    _, _, rtype, name, _ = _pick(tree, schemas, lambda t: "x")
    f = _new_file(
        tree,
        "zz_planted.tf",
        f'output "planted" {{\n  value = {rtype}.{name}.no_such_attribute\n}}\n'
        f'output "planted_ok" {{\n  value = {rtype}.{name}.id\n}}\n',
    )
    found = _findings(_check(tree, schemas), "unknown-attribute")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), 2)]
    assert "no_such_attribute" in found[0][2]


def test_reference_to_unexported_data_source_attribute(tree: Path, schemas: SchemaSet) -> None:
    f = _new_file(
        tree,
        "zz_planted.tf",
        'data "aws_caller_identity" "planted" {}\n'
        'output "planted" {\n  value = data.aws_caller_identity.planted.account\n}\n',
    )
    found = _findings(_check(tree, schemas), "unknown-attribute")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), 3)]
    assert "did you mean 'account_id'" in found[0][2]


def _module_call(root: Path) -> tuple[Path, int]:
    for f in sorted((root / "examples").rglob("*.tf")):
        for i, line in enumerate(f.read_text().splitlines(), start=1):
            if re.match(r'^module "[\w-]+" \{', line):
                return f, i
    raise AssertionError("no module call in the examples")


def test_module_call_with_unknown_argument(tree: Path, schemas: SchemaSet) -> None:
    f, line = _module_call(tree)
    planted = _insert_after(f, line, "  no_such_variable = 1")
    found = _findings(_check(tree, schemas), "module-unknown-argument")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), planted)]


def test_module_call_missing_required_variable(tree: Path, schemas: SchemaSet) -> None:
    _new_file(
        tree,
        "zz_planted.tf",
        'variable "planted_required" {\n  description = "x"\n  type        = string\n}\n',
    )
    calls = sorted((_rel(tree, f), ln) for f, ln in _all_module_calls(tree))
    found = _findings(_check(tree, schemas), "module-missing-argument")
    assert sorted((p, ln) for p, ln, _ in found) == calls
    assert all("'planted_required'" in m for _, _, m in found)


def _all_module_calls(root: Path) -> list[tuple[Path, int]]:
    out = []
    for f in sorted((root / "examples").rglob("*.tf")):
        for i, line in enumerate(f.read_text().splitlines(), start=1):
            if re.match(r'^module "[\w-]+" \{', line) and '"../.."' in f.read_text():
                out.append((f, i))
    return out


def test_reference_to_unknown_module_output(tree: Path, schemas: SchemaSet) -> None:
    f, line = _module_call(tree)
    name = re.match(r'^module "([\w-]+)"', f.read_text().splitlines()[line - 1])
    assert name
    planted = _new_file(
        f.parent, "zz_planted.tf", f'output "planted" {{\n  value = module.{name.group(1)}.no_such_output\n}}\n'
    )
    found = _findings(_check(tree, schemas), "unknown-module-output")
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, planted), 2)]


@pytest.mark.parametrize(
    ("expr", "kind"),
    [
        ("var.planted_missing", "undeclared-variable"),
        ("local.planted_missing", "undeclared-local"),
        ("aws_sns_topic.planted_missing.arn", "undeclared-resource"),
        ("data.aws_region.planted_missing.name", "undeclared-data-source"),
        ("module.planted_missing.x", "undeclared-module"),
    ],
)
def test_undeclared_references(tree: Path, schemas: SchemaSet, expr: str, kind: str) -> None:
    f = _new_file(tree, "zz_planted.tf", f'locals {{\n  planted = [\n    "${{{expr}}}",\n  ]\n}}\n')
    found = _findings(_check(tree, schemas), kind)
    assert [(p, ln) for p, ln, _ in found] == [(_rel(tree, f), 3)]


def test_for_expression_and_dynamic_iterators_are_not_references(tmp_path: Path, schemas: SchemaSet) -> None:
    root = _copy_tree(FIXTURE, tmp_path / "t")
    _new_file(
        root,
        "zz_iter.tf",
        "locals {\n  a = [for x in var.subnet_ids : upper(x)]\n"
        '  b = { for k, v in var.tags : k => "${v}-${k}" }\n'
        '  c = "%{for s in var.subnet_ids}${s},%{endfor}"\n'
        '  d = aws_sns_topic_subscription.fn["0"].arn\n  e = aws_sns_topic_subscription.fn[*].arn\n}\n',
    )
    assert _check(root, schemas).findings == []


def test_provider_version_constraint_must_admit_schema_version(tmp_path: Path, schemas: SchemaSet) -> None:
    root = _copy_tree(FIXTURE, tmp_path / "t")
    versions = root / "versions.tf"
    versions.write_text(versions.read_text().replace('">= 6.0, < 7.0"', '"~> 5.0"'))
    found = _findings(_check(root, schemas), "provider-version")
    assert [(p, ln) for p, ln, _ in found] == [("versions.tf", 4)]


def test_repo_required_providers_admit_schema_versions(schemas: SchemaSet) -> None:
    report = _check(REPO, schemas)
    assert _findings(report, "provider-version") == []
    assert report.providers["aws"] == PROVIDER_PACKAGES["aws"].provider_version


# -- the schema extraction on known cases ---------------------------------------------------


def test_schema_known_cases(schemas: SchemaSet) -> None:
    aws = schemas.providers["aws"]
    assert aws.source == "hashicorp/aws"
    assert aws.version == PROVIDER_PACKAGES["aws"].provider_version
    fn = aws.resources["aws_lambda_function"]
    assert fn.blocks["environment"].attrs == {"variables": "o"}
    assert fn.blocks["environment"].nesting == "single"
    assert {"subnet_ids", "security_group_ids"} <= set(fn.blocks["vpc_config"].required_attrs())
    assert {"function_name", "role"} <= set(fn.required_attrs())
    assert fn.attrs["invoke_arn"] == "c"
    assert fn.attrs["source_code_size"] == "c"
    assert "timeouts" in fn.blocks
    alarm = aws.resources["aws_cloudwatch_metric_alarm"]
    assert alarm.attrs["dimensions"] == "o"
    assert alarm.blocks["metric_query"].nesting == "list"
    assert "metric" in alarm.blocks["metric_query"].blocks
    doc = aws.data_sources["aws_iam_policy_document"]
    assert "principals" in doc.blocks["statement"].blocks
    assert doc.attrs["json"] == "c"
    sub = aws.resources["aws_sns_topic_subscription"]
    assert set(sub.required_attrs()) == {"topic_arn", "protocol", "endpoint"}
    # Names that camelCase -> snake_case conversion would get wrong come from the registry anchors.
    assert "ipv6_allowed_for_dual_stack" in fn.blocks["vpc_config"].attrs
    assert "s3_bucket" in fn.attrs
    assert "default_tags" in aws.provider_config.blocks
    assert schemas.providers["external"].data_sources["external"].attrs["program"] == "r"


# -- the command line -------------------------------------------------------------------------


def _cli(cwd: Path, *args: str, env_cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "tf_schema_check", *args]
    if env_cache is not None:
        cmd[3:3] = ["--cache-dir", str(env_cache)]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def test_cli_exit_codes(tmp_path: Path, schemas: SchemaSet) -> None:
    root = _copy_tree(FIXTURE, tmp_path / "t")
    cache = default_cache_dir(REPO)
    clean = _cli(root, env_cache=cache)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 finding(s)" in clean.stdout
    (root / "main.tf").write_text((root / "main.tf").read_text().replace("alarm_actions ", "alarm_action  "))
    bad = _cli(root, env_cache=cache)
    assert bad.returncode == 1
    assert re.search(r"^main\.tf:\d+: \[unknown-argument\] ", bad.stdout, re.MULTILINE), bad.stdout
    missing = _cli(root, env_cache=tmp_path / "empty-cache")
    assert missing.returncode == 2
    assert "schema not available" in missing.stderr
