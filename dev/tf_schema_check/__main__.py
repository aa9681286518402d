"""``python -m tf_schema_check [--cache-dir DIR] [DIR ...]``.

Checks each DIR (default: the current directory and its ``examples/*``) against the cached
provider schemas. Exit status: 0 clean, 1 findings, 2 schema not available or bad usage.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tf_schema_check.checker import check_paths, module_dirs
from tf_schema_check.schema import SchemaSet, SchemaUnavailableError, default_cache_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf_schema_check", description=__doc__)
    parser.add_argument("dirs", nargs="*", type=Path, help="module directories (default: . and examples/*)")
    parser.add_argument("--cache-dir", type=Path, default=None, help="where the provider schemas are cached")
    args = parser.parse_args(argv)
    start = time.monotonic()
    if args.dirs:
        dirs: list[Path] = args.dirs
        for d in dirs:
            if not d.is_dir():
                parser.error(f"{d} is not a directory")
    else:
        dirs = module_dirs(Path.cwd())
    if not dirs:
        print("tf_schema_check: no Terraform files found", file=sys.stderr)
        return 2
    try:
        schemas = SchemaSet.load(args.cache_dir or default_cache_dir())
    except SchemaUnavailableError as exc:
        print(f"tf_schema_check: {exc}", file=sys.stderr)
        return 2
    report = check_paths(dirs, schemas)
    for finding in report.findings:
        print(finding)
    for note in sorted(report.notes):
        print(f"note: {note}")
    providers = ", ".join(f"{n} {v}" for n, v in sorted(report.providers.items()))
    checked = ", ".join(str(d) for d in dirs)
    print(
        f"tf_schema_check: {len(report.findings)} finding(s) in {checked} "
        f"(schemas: {providers}; {time.monotonic() - start:.2f}s)"
    )
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
