"""Fetch the provider bindings wheels from PyPI and cache the compact schemas they describe.

``python -m tf_schema_check.fetch [--cache-dir DIR] [PROVIDER ...]``: for each provider whose
schema file is not in the cache yet, ``pip download`` its pinned bindings wheel into a temporary
directory, extract the schema to ``DIR/<provider>-<version>.json`` and drop the wheel. A second
run finds the files and downloads nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tf_schema_check.extract import read_wheel, schema_from_assembly
from tf_schema_check.schema import PROVIDER_PACKAGES, ProviderPackage, default_cache_dir


def fetch_one(pkg: ProviderPackage, cache_dir: Path, *, force: bool = False) -> Path:
    target = cache_dir / pkg.schema_filename
    if target.is_file() and not force:
        return target
    with tempfile.TemporaryDirectory(prefix="tf-schema-") as tmp:
        subprocess.run(  # noqa: S603 - fixed arguments, pinned requirement
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--dest",
                tmp,
                pkg.requirement,
            ],
            check=True,
        )
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise RuntimeError(f"pip download {pkg.requirement} gave {wheels}")
        schema = schema_from_assembly(read_wheel(wheels[0]), pkg.provider, pkg.requirement)
    if schema.version != pkg.provider_version or schema.source != pkg.source:
        raise RuntimeError(
            f"{pkg.requirement} describes {schema.source} {schema.version}, "
            f"expected {pkg.source} {pkg.provider_version}"
        )
    schema.dump(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf_schema_check.fetch", description=__doc__)
    parser.add_argument("providers", nargs="*", default=sorted(PROVIDER_PACKAGES))
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--force", action="store_true", help="download and extract again")
    args = parser.parse_args(argv)
    cache_dir: Path = args.cache_dir or default_cache_dir()
    for name in args.providers:
        if name not in PROVIDER_PACKAGES:
            parser.error(f"unknown provider {name!r}; known: {', '.join(sorted(PROVIDER_PACKAGES))}")
        pkg = PROVIDER_PACKAGES[name]
        existed = (cache_dir / pkg.schema_filename).is_file()
        start = time.monotonic()
        path = fetch_one(pkg, cache_dir, force=args.force)
        what = "cached" if existed and not args.force else f"extracted in {time.monotonic() - start:.1f}s"
        print(f"{pkg.source} {pkg.provider_version} ({pkg.requirement}): {path} [{what}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
