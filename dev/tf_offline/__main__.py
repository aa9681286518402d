"""``python -m tf_offline {schemas,validate,test} [...]``: the real Terraform core, offline.

* ``schemas``: fetch the provider schemas into the cache (once; later runs find them).
* ``validate [DIR ...]``: ``terraform validate`` of each DIR (default: the repository's root
  module and every example) on a staged copy. Exit 1 on any error.
* ``test [FILE ...]``: ``terraform test`` of tests/terraform/*.tftest.hcl (or the named files).
* ``rules``: the rules report (:mod:`tf_offline.report`): value rules per type, and every
  attribute the root module and the examples set that no rule checks, with the reason. Exit 1
  when an attribute has neither a rule nor a reason (a gap), or validation fails.

Exit status: 0 passed, 1 failed, 2 could not run (a schema could not be fetched, bad usage):
"could not run" is never reported as a pass.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tf_offline import report
from tf_offline.runner import OfflineTerraform, module_dirs, stage
from tf_offline.schemas import PROVIDERS, SchemaUnavailableError, default_cache_dir, ensure_schemas

_DEV_OVERRIDES_WARNING = "Provider development overrides are in effect"


def _repo_root() -> Path:
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "examples").is_dir() and any(candidate.glob("*.tf")):
            return candidate
    return here


def _validate(terraform: OfflineTerraform, repo: Path, tree: Path, dirs: list[Path]) -> int:
    failed = 0
    for directory in dirs:
        relative = directory.resolve().relative_to(repo)
        result = terraform.validate(tree / relative)
        label = "root module" if str(relative) == "." else str(relative)
        status = "ok" if result.ok else "FAILED"
        print(f"terraform validate {label}: {status} ({result.seconds:.1f}s)")
        for diagnostic in result.diagnostics:
            if diagnostic.summary != _DEV_OVERRIDES_WARNING:
                print(f"  {diagnostic}")
        failed += not result.ok
    return 1 if failed else 0


def _rules(terraform: OfflineTerraform, repo: Path, tree: Path, cache_dir: Path | None) -> int:
    dirs = [tree / d.resolve().relative_to(repo) for d in module_dirs(repo)]
    seen, results = report.collect(terraform, dirs)
    reports = report.build(seen, report.schemas_from(ensure_schemas(cache_dir)))
    print(report.render(reports), end="")
    failed = [r for r in results if not r.ok]
    for result in failed:
        print(f"terraform validate {result.directory}: FAILED")
    return 1 if failed or any(r.gaps for r in reports) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf_offline", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None, help="provider schema cache")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("schemas", help="fetch the provider schemas into the cache")
    validate = commands.add_parser("validate", help="terraform validate the root module and examples")
    validate.add_argument("dirs", nargs="*", type=Path)
    test = commands.add_parser("test", help="terraform test tests/terraform/*.tftest.hcl")
    test.add_argument("files", nargs="*", help="test file names in tests/terraform")
    test.add_argument("--verbose", action="store_true")
    commands.add_parser("rules", help="value rules per type, and what the module sets that no rule checks")
    args = parser.parse_args(argv)

    start = time.monotonic()
    try:
        if args.command == "schemas":
            for name, path in ensure_schemas(args.cache_dir).items():
                print(f"{PROVIDERS[name].source} {PROVIDERS[name].provider_version}: {path}")
            return 0
        repo = _repo_root()
        with tempfile.TemporaryDirectory(prefix="tf-offline-") as tmp:
            terraform = OfflineTerraform(Path(tmp), args.cache_dir or default_cache_dir())
            tree = stage(repo, Path(tmp) / "repo")
            if args.command == "validate":
                dirs = [d.resolve() for d in args.dirs] or module_dirs(repo)
                code = _validate(terraform, repo, tree, dirs)
            elif args.command == "rules":
                code = _rules(terraform, repo, tree, args.cache_dir)
            else:
                result = terraform.test(tree, filters=args.files, verbose=args.verbose)
                print(result.stdout, end="")
                print(result.stderr, end="", file=sys.stderr)
                code = 0 if result.ok else 1
    except SchemaUnavailableError as error:
        print(f"tf_offline: NOT RUN: {error}", file=sys.stderr)
        return 2
    print(f"tf_offline {args.command}: {'passed' if code == 0 else 'FAILED'} in {time.monotonic() - start:.1f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
