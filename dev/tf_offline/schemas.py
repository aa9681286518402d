"""The provider schemas the stand-ins serve: which bindings package carries each, and the cache.

``ensure_schemas(cache_dir)`` downloads each pinned bindings wheel from PyPI once
(``pip download``), extracts the schema (:mod:`tf_offline.extract`) to
``<cache>/<namespace>-<name>-<version>.json`` and drops the wheel; later runs find the files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tf_offline.extract import SCHEMA_FORMAT, read_wheel, schema_from_assembly


@dataclass(frozen=True)
class ProviderPackage:
    """A prebuilt-bindings package on PyPI and the provider release it was generated from."""

    source: str  # hashicorp/aws
    package: str
    package_version: str
    provider_version: str

    @property
    def name(self) -> str:
        return self.source.rsplit("/", 1)[-1]

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.package_version}"

    @property
    def filename(self) -> str:
        return f"{self.source.replace('/', '-')}-{self.provider_version}.json"


# The providers the module and its examples use. The provider version of each package is in its
# README ("bindings for hashicorp/aws provider version 6.69.1") and is checked again against the
# registry links inside the assembly when the schema is extracted.
PROVIDERS: dict[str, ProviderPackage] = {
    p.name: p
    for p in (
        ProviderPackage("hashicorp/aws", "cdktn-provider-aws", "25.8.1", "6.69.1"),
        ProviderPackage("hashicorp/external", "cdktn-provider-external", "14.0.2", "2.4.2"),
    )
}


class SchemaUnavailableError(RuntimeError):
    """A provider schema could not be fetched or read."""


def default_cache_dir() -> Path:
    """``$TF_OFFLINE_CACHE``, else ``.cache/provider-schemas`` of the repository this file is in."""
    env = os.environ.get("TF_OFFLINE_CACHE")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if (candidate / ".git").exists() or (candidate / "Makefile").is_file():
            return candidate / ".cache" / "provider-schemas"
    return Path.cwd() / ".cache" / "provider-schemas"


def fetch(pkg: ProviderPackage, cache_dir: Path, *, force: bool = False) -> Path:
    target = cache_dir / pkg.filename
    if target.is_file() and not force:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tf-offline-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        completed = subprocess.run(  # noqa: S603 - fixed arguments, pinned requirement
            [*command, "--dest", tmp, pkg.requirement], capture_output=True, text=True, check=False
        )
        wheels = sorted(Path(tmp).glob("*.whl"))
        if completed.returncode != 0 or len(wheels) != 1:
            raise SchemaUnavailableError(f"pip download {pkg.requirement} failed: {completed.stderr.strip()}")
        schema = schema_from_assembly(read_wheel(wheels[0]), pkg.requirement)
    if (schema["source"], schema["version"]) != (pkg.source, pkg.provider_version):
        raise SchemaUnavailableError(
            f"{pkg.requirement} describes {schema['source']} {schema['version']}, "
            f"expected {pkg.source} {pkg.provider_version}"
        )
    tmp_target = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp_target.write_text(json.dumps(schema, separators=(",", ":")), encoding="utf-8")
    tmp_target.replace(target)
    return target


def ensure_schemas(cache_dir: Path | None = None) -> dict[str, Path]:
    """Schema file of every provider in :data:`PROVIDERS`, fetched when missing."""
    cache = cache_dir or default_cache_dir()
    return {name: fetch(pkg, cache) for name, pkg in PROVIDERS.items()}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != SCHEMA_FORMAT:
        raise SchemaUnavailableError(f"{path}: schema format {data.get('format')!r} is not {SCHEMA_FORMAT}")
    return data
