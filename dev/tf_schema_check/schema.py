"""Compact provider schemas: the JSON format written by :mod:`.extract` and read by the checker.

A schema file holds one provider::

    {"format": 1, "provider": "aws", "source": "hashicorp/aws", "version": "6.69.1",
     "package": "cdktn-provider-aws==25.8.1",
     "provider_config": BLOCK, "resources": {TYPE: BLOCK}, "data_sources": {TYPE: BLOCK}}

    BLOCK = {"attrs": {NAME: FLAGS}, "blocks": {NAME: NESTED}}
    NESTED = BLOCK + {"nesting": "single" | "list", "required": bool, "opaque": bool}

FLAGS is ``"r"`` (required), ``"o"`` (optional), ``"oc"`` (optional and computed) or ``"c"``
(computed only: exported, not settable). ``opaque`` marks a block whose content the bindings
do not describe (deeply recursive blocks such as ``wafv2`` statements): its body is not checked.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_FORMAT = 1


@dataclass(frozen=True)
class ProviderPackage:
    """A prebuilt-bindings package on PyPI and the provider version it was generated from."""

    provider: str
    source: str
    package: str
    package_version: str
    provider_version: str

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.package_version}"

    @property
    def schema_filename(self) -> str:
        return f"{self.provider}-{self.provider_version}.json"


# The provider versions are read from each package's README ("bindings for hashicorp/aws provider
# version 6.69.1") and checked again against the registry links inside the assembly on extraction.
PROVIDER_PACKAGES: dict[str, ProviderPackage] = {
    p.provider: p
    for p in (
        ProviderPackage("aws", "hashicorp/aws", "cdktn-provider-aws", "25.8.1", "6.69.1"),
        ProviderPackage("archive", "hashicorp/archive", "cdktn-provider-archive", "14.0.1", "2.8.1"),
        ProviderPackage("external", "hashicorp/external", "cdktn-provider-external", "14.0.2", "2.4.2"),
        ProviderPackage("null", "hashicorp/null", "cdktn-provider-null", "15.0.2", "3.3.2"),
        ProviderPackage("random", "hashicorp/random", "cdktn-provider-random", "15.0.1", "3.9.1"),
    )
}

REQUIRED_PROVIDERS = ("aws",)


class SchemaUnavailableError(RuntimeError):
    """A provider schema the check cannot do without has not been fetched."""


@dataclass
class BlockSchema:
    attrs: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, NestedBlockSchema] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BlockSchema:
        return cls(
            attrs=dict(data.get("attrs", {})),
            blocks={k: NestedBlockSchema.from_json(v) for k, v in data.get("blocks", {}).items()},
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"attrs": dict(sorted(self.attrs.items()))}
        if self.blocks:
            out["blocks"] = {k: v.to_json() for k, v in sorted(self.blocks.items())}
        return out

    def settable(self, name: str) -> bool:
        return self.attrs.get(name, "c") != "c"

    def required_attrs(self) -> list[str]:
        return sorted(k for k, v in self.attrs.items() if v == "r")

    def required_blocks(self) -> list[str]:
        return sorted(k for k, v in self.blocks.items() if v.required)

    def exported(self) -> set[str]:
        return set(self.attrs) | set(self.blocks)


@dataclass
class NestedBlockSchema(BlockSchema):
    nesting: str = "list"
    required: bool = False
    opaque: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NestedBlockSchema:
        base = BlockSchema.from_json(data)
        return cls(
            attrs=base.attrs,
            blocks=base.blocks,
            nesting=str(data.get("nesting", "list")),
            required=bool(data.get("required", False)),
            opaque=bool(data.get("opaque", False)),
        )

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["nesting"] = self.nesting
        if self.required:
            out["required"] = True
        if self.opaque:
            out["opaque"] = True
        return out


@dataclass
class ProviderSchema:
    provider: str
    source: str
    version: str
    package: str
    provider_config: BlockSchema
    resources: dict[str, BlockSchema]
    data_sources: dict[str, BlockSchema]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProviderSchema:
        if data.get("format") != SCHEMA_FORMAT:
            raise SchemaUnavailableError(f"schema format {data.get('format')!r} is not {SCHEMA_FORMAT}")
        return cls(
            provider=data["provider"],
            source=data["source"],
            version=data["version"],
            package=data["package"],
            provider_config=BlockSchema.from_json(data["provider_config"]),
            resources={k: BlockSchema.from_json(v) for k, v in data["resources"].items()},
            data_sources={k: BlockSchema.from_json(v) for k, v in data["data_sources"].items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SCHEMA_FORMAT,
            "provider": self.provider,
            "source": self.source,
            "version": self.version,
            "package": self.package,
            "provider_config": self.provider_config.to_json(),
            "resources": {k: v.to_json() for k, v in sorted(self.resources.items())},
            "data_sources": {k: v.to_json() for k, v in sorted(self.data_sources.items())},
        }

    @classmethod
    def load(cls, path: Path) -> ProviderSchema:
        with path.open(encoding="utf-8") as fh:
            return cls.from_json(json.load(fh))

    def dump(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)


def default_cache_dir(start: Path | None = None) -> Path:
    """``$TF_SCHEMA_CACHE``, else ``.cache/provider-schemas`` in the repository holding ``start``."""
    env = os.environ.get("TF_SCHEMA_CACHE")
    if env:
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() or (candidate / ".git").exists():
            return candidate / ".cache" / "provider-schemas"
    return here / ".cache" / "provider-schemas"


@dataclass
class SchemaSet:
    """The provider schemas available to a check, by provider local name."""

    providers: dict[str, ProviderSchema]

    @classmethod
    def load(cls, cache_dir: Path, required: tuple[str, ...] = REQUIRED_PROVIDERS) -> SchemaSet:
        providers: dict[str, ProviderSchema] = {}
        for name, pkg in PROVIDER_PACKAGES.items():
            path = cache_dir / pkg.schema_filename
            if path.is_file():
                providers[name] = ProviderSchema.load(path)
        missing = [name for name in required if name not in providers]
        if missing:
            files = ", ".join(str(cache_dir / PROVIDER_PACKAGES[m].schema_filename) for m in missing)
            raise SchemaUnavailableError(
                f"provider schema not available: {files} (run `make provider-schemas` or "
                "`python -m tf_schema_check.fetch`)"
            )
        return cls(providers)
