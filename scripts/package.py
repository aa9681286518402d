#!/usr/bin/env python3
"""Build the Lambda deployment package reproducibly.

Two ways to run it:

* by Terraform's ``data "external"`` (no arguments): a JSON query on stdin
  ``{source_dir, requirements_file, runtime, architecture, build_dir, ca_bundle_pem}``
  and one JSON object of strings on stdout ``{filename, sha256_base64, sha256_hex, cache_key}``;
* from a shell (``make package``): the same fields as ``--source-dir ...`` options.

The zip holds the engine sources (``<source_dir>/qradar_failover/**``), the third-party
requirements installed for the Lambda platform (manylinux wheels for the runtime's Python
version, never compiled on this machine), and, when given, the consoles' CA bundle as
``qradar-ca-bundle.pem``. It is deterministic: entries sorted, no directory entries, every
timestamp 1980-01-01 00:00:00, permissions 0644 (0755 for files executable in the source),
one compression method and level. Same inputs, same bytes, same hash: a second plan shows no
change. The zip is named after its content hash; a small marker keyed by a hash of the
*inputs* lets later plans reuse it without running pip (no network needed once built).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE_DIR = "qradar_failover"
CA_BUNDLE_NAME = "qradar-ca-bundle.pem"
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESSION = zipfile.ZIP_DEFLATED
COMPRESS_LEVEL = 9
# Bump when the layout of the zip changes, so cached builds are not reused.
FORMAT_VERSION = "1"
RUNTIMES = {"python3.12": "3.12", "python3.13": "3.13"}
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}
# Not wanted in a Lambda package: bytecode compiled on this machine, console scripts whose
# shebang names this machine's interpreter, and pip's own bookkeeping of where it ran.
EXCLUDED_DIR_NAMES = {"__pycache__", "bin"}
EXCLUDED_SUFFIXES = {".pyc", ".pyo"}
EXCLUDED_DIST_INFO_FILES = {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD"}


class PackageError(Exception):
    """A build input is missing or pip failed; the message says which."""


def _log(message: str) -> None:
    print(f"package.py: {message}", file=sys.stderr)


def _included(relative: Path) -> bool:
    parts = relative.parts
    if any(part in EXCLUDED_DIR_NAMES for part in parts[:-1]):
        return False
    if relative.suffix in EXCLUDED_SUFFIXES:
        return False
    return not (len(parts) >= 2 and parts[-2].endswith(".dist-info") and parts[-1] in EXCLUDED_DIST_INFO_FILES)


def _walk(root: Path) -> list[tuple[str, Path]]:
    """(archive name, path) for every regular file under root that belongs in the zip."""
    entries = []
    for path in root.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        relative = path.relative_to(root)
        if _included(relative):
            entries.append((relative.as_posix(), path))
    return entries


def _source_entries(source_dir: Path) -> list[tuple[str, Path]]:
    package = source_dir / PACKAGE_DIR
    if not (package / "__init__.py").is_file() and not (package / "handler.py").is_file():
        raise PackageError(f"{package} is not the engine package (no __init__.py or handler.py)")
    return [(f"{PACKAGE_DIR}/{name}", path) for name, path in _walk(package)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def inputs_key(source_dir: Path, requirements_file: Path, runtime: str, architecture: str, ca_bundle_pem: str) -> str:
    """A hash of everything that determines the zip's content (not of mtimes)."""
    digest = hashlib.sha256()
    digest.update(f"format={FORMAT_VERSION}\nruntime={runtime}\narch={architecture}\n".encode())
    digest.update(f"requirements={_sha256(requirements_file.read_bytes())}\n".encode())
    digest.update(f"ca={_sha256(ca_bundle_pem.encode())}\n".encode())
    for name, path in sorted(_source_entries(source_dir)):
        mode = "x" if os.access(path, os.X_OK) else "-"
        digest.update(f"{name}\0{mode}\0{_sha256(path.read_bytes())}\n".encode())
    return digest.hexdigest()


def install_requirements(requirements_file: Path, runtime: str, architecture: str, target: Path) -> None:
    """pip-install the pinned requirements as the Lambda platform would see them."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--target",
        str(target),
        "--platform",
        PLATFORMS[architecture],
        "--implementation",
        "cp",
        "--python-version",
        RUNTIMES[runtime],
        "--only-binary=:all:",
        "--no-compile",
        "--requirement",
        str(requirements_file),
    ]
    # pip's output goes to stderr: stdout belongs to Terraform's external protocol.
    result = subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=False)  # noqa: S603
    if result.returncode != 0:
        raise PackageError(f"pip install of {requirements_file} failed with exit code {result.returncode}")


def write_zip(destination: Path, entries: Iterable[tuple[str, bytes, bool]]) -> None:
    """Write a deterministic zip of (archive name, content, executable) entries."""
    seen: set[str] = set()
    with zipfile.ZipFile(destination, "w", compression=COMPRESSION, compresslevel=COMPRESS_LEVEL) as archive:
        for name, content, executable in sorted(entries, key=lambda entry: entry[0]):
            if name in seen:
                raise PackageError(f"two inputs both want to be {name} in the zip")
            seen.add(name)
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.create_system = 3  # Unix, so external_attr carries the permission bits
            mode = 0o755 if executable else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = COMPRESSION
            archive.writestr(info, content, compress_type=COMPRESSION, compresslevel=COMPRESS_LEVEL)


def build(
    source_dir: Path,
    requirements_file: Path,
    runtime: str,
    architecture: str,
    build_dir: Path,
    ca_bundle_pem: str = "",
    *,
    use_cache: bool = True,
) -> dict[str, str]:
    """Build (or reuse) the package; return the external-data result."""
    if runtime not in RUNTIMES:
        raise PackageError(f"runtime {runtime!r} is not one of {sorted(RUNTIMES)}")
    if architecture not in PLATFORMS:
        raise PackageError(f"architecture {architecture!r} is not one of {sorted(PLATFORMS)}")
    if not requirements_file.is_file():
        raise PackageError(f"requirements file {requirements_file} does not exist")
    build_dir.mkdir(parents=True, exist_ok=True)
    key = inputs_key(source_dir, requirements_file, runtime, architecture, ca_bundle_pem)
    marker = build_dir / f".inputs-{key[:32]}.json"
    if use_cache and marker.is_file():
        cached = json.loads(marker.read_text(encoding="utf-8"))
        zip_path = Path(cached["filename"])
        if zip_path.is_file() and _sha256(zip_path.read_bytes()) == cached["sha256_hex"]:
            _log(f"reusing {zip_path} (inputs unchanged)")
            return {str(k): str(v) for k, v in cached.items()}

    with tempfile.TemporaryDirectory(prefix="qradar-failover-build-") as scratch:
        site = Path(scratch) / "site"
        install_requirements(requirements_file, runtime, architecture, site)
        entries: list[tuple[str, bytes, bool]] = [(name, path.read_bytes(), False) for name, path in _walk(site)]
        entries += [(name, path.read_bytes(), os.access(path, os.X_OK)) for name, path in _source_entries(source_dir)]
        if ca_bundle_pem.strip():
            entries.append((CA_BUNDLE_NAME, ca_bundle_pem.encode(), False))
        unsigned = Path(scratch) / "package.zip"
        write_zip(unsigned, entries)
        content = unsigned.read_bytes()

    sha_hex = _sha256(content)
    zip_path = build_dir / f"qradar-failover-{sha_hex[:24]}.zip"
    if not zip_path.is_file() or _sha256(zip_path.read_bytes()) != sha_hex:
        partial = zip_path.with_suffix(".zip.partial")
        partial.write_bytes(content)
        partial.replace(zip_path)
    result = {
        "filename": str(zip_path),
        "sha256_hex": sha_hex,
        "sha256_base64": base64.b64encode(hashlib.sha256(content).digest()).decode("ascii"),
        "cache_key": key,
    }
    marker.write_text(json.dumps(result, sort_keys=True) + "\n", encoding="utf-8")
    _log(f"built {zip_path} ({len(content)} bytes)")
    return result


def _from_query(query: Mapping[str, str]) -> dict[str, str]:
    missing = [
        name
        for name in ("source_dir", "requirements_file", "runtime", "architecture", "build_dir")
        if not query.get(name)
    ]
    if missing:
        raise PackageError(f"query is missing {', '.join(missing)}")
    return build(
        Path(query["source_dir"]),
        Path(query["requirements_file"]),
        query["runtime"],
        query["architecture"],
        Path(query["build_dir"]),
        query.get("ca_bundle_pem") or "",
    )


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    try:
        if not args_list:
            query = json.load(sys.stdin)
            if not isinstance(query, dict):
                raise PackageError("the query on stdin is not a JSON object")
            result = _from_query({str(k): "" if v is None else str(v) for k, v in query.items()})
        else:
            parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
            parser.add_argument("--source-dir", default="lambda_src")
            parser.add_argument("--requirements-file", default="lambda_src/requirements.txt")
            parser.add_argument("--runtime", default="python3.12", choices=sorted(RUNTIMES))
            parser.add_argument("--architecture", default="x86_64", choices=sorted(PLATFORMS))
            parser.add_argument("--build-dir", default="builds")
            parser.add_argument("--ca-bundle", type=Path, help="PEM file added as " + CA_BUNDLE_NAME)
            parser.add_argument("--no-cache", action="store_true", help="rebuild even if the inputs are unchanged")
            args = parser.parse_args(args_list)
            ca_bundle = args.ca_bundle.read_text(encoding="utf-8") if args.ca_bundle else ""
            result = build(
                Path(args.source_dir),
                Path(args.requirements_file),
                args.runtime,
                args.architecture,
                Path(args.build_dir),
                ca_bundle,
                use_cache=not args.no_cache,
            )
    except (PackageError, OSError, ValueError) as error:
        _log(f"error: {error}")
        return 1
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
