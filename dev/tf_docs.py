#!/usr/bin/env python3
"""Generate the module's README tables (terraform-docs style) from the root *.tf files.

    python3 dev/tf_docs.py            # print the block
    python3 dev/tf_docs.py --write    # replace the README block between the markers
    python3 dev/tf_docs.py --check    # exit 1 when the README block is stale

Only the text between ``<!-- BEGIN_TF_DOCS -->`` and ``<!-- END_TF_DOCS -->`` is touched.
Types are copied from the source text, defaults rendered as JSON (as terraform-docs does).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
_BLOCK_HEADER = re.compile(r'^(resource|data)\s+"([^"]+)"\s+"([^"]+)"\s*\{', re.MULTILINE)
_REGISTRY = "https://registry.terraform.io/providers/hashicorp/{provider}/latest/docs/{kind}/{name}"


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=_OPTIONS)  # type: ignore[no-any-return]


def _blocks(root: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(root.glob("*.tf")):
        for entry in _load(path).get(kind, []):
            found.extend(entry.items())
    return found


def _expression_after(text: str, start: int) -> str:
    """The expression starting at text[start], up to the newline that ends it (brackets balanced)."""
    depth = 0
    in_string = False
    index = start
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "\n" and depth == 0:
            break
        index += 1
    return text[start:index].strip()


def _variable_types(root: Path) -> dict[str, str]:
    """Variable name -> the type expression as written."""
    types: dict[str, str] = {}
    for path in sorted(root.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'^variable\s+"([^"]+)"\s*\{', text, re.MULTILINE):
            body_start = match.end()
            type_match = re.compile(r"^\s*type\s*=\s*", re.MULTILINE).search(text, body_start)
            if type_match is None:
                continue
            expression = _expression_after(text, type_match.end())
            types[match.group(1)] = re.sub(r"\n\s*", "\n", expression)
    return types


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>").strip()


def _prose(text: str) -> str:
    """A description cell: angle brackets shown, not read as HTML."""
    return _cell(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _code(text: str) -> str:
    if "\n" in text:
        return "<pre>" + _cell(text) + "</pre>"
    return f"`{text}`"


def _render_default(value: Any) -> str:
    return _code(json.dumps(value, sort_keys=False)) if value is not None else "`null`"


def render(root: Path) -> str:
    lines: list[str] = []
    versions = {}
    for _, block in [("terraform", entry) for entry in _load(root / "versions.tf").get("terraform", [])]:
        versions = block
    providers: dict[str, dict[str, str]] = {}
    for entry in versions.get("required_providers", []):
        providers.update(entry)

    lines += ["## Requirements", "", "| Name | Version |", "|------|---------|"]
    lines.append(f"| terraform | {_cell(versions['required_version'])} |")
    for name, spec in sorted(providers.items()):
        lines.append(f"| {name} | {_cell(spec['version'])} |")

    # terraform-docs shows the locked provider versions here; a module ships no lock file.
    lines += ["", "## Providers", "", "| Name | Version |", "|------|---------|"]
    for name, spec in sorted(providers.items()):
        lines.append(f"| {name} | {_cell(spec['version'])} |")

    modules = sorted(_blocks(root, "module"))
    lines += ["", "## Modules", ""]
    if modules:
        lines += ["| Name | Source | Version |", "|------|--------|---------|"]
        lines += [f"| {name} | {spec.get('source', '')} | {spec.get('version', 'n/a')} |" for name, spec in modules]
    else:
        lines.append("No modules.")

    lines += ["", "## Resources", "", "| Name | Type |", "|------|------|"]
    rows = set()
    for path in sorted(root.glob("*.tf")):
        for kind, type_name, name in _BLOCK_HEADER.findall(path.read_text(encoding="utf-8")):
            provider, _, short = type_name.partition("_")
            short = short or type_name
            doc_kind = "resources" if kind == "resource" else "data-sources"
            label = type_name if kind == "resource" else f"data.{type_name}"
            url = _REGISTRY.format(provider=provider, kind=doc_kind, name=short)
            rows.add((0 if kind == "resource" else 1, type_name, name, f"| [{label}.{name}]({url}) | {kind} |"))
    lines += [row[-1] for row in sorted(rows)]

    types = _variable_types(root)
    variables = sorted(_blocks(root, "variable"), key=lambda item: (("default" in item[1]), item[0]))
    lines += [
        "",
        "## Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, spec in variables:
        required = "default" not in spec
        default = "n/a" if required else _render_default(spec["default"])
        lines.append(
            f"| {name} | {_prose(spec.get('description', ''))} | {_code(types.get(name, 'any'))} | {default} | "
            f"{'yes' if required else 'no'} |"
        )

    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, spec in sorted(_blocks(root, "output")):
        lines.append(f"| {name} | {_prose(spec.get('description', ''))} |")
    return "\n".join(lines) + "\n"


def replace_block(readme: str, block: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    end = readme.index(END)
    return readme[:start] + "\n" + block + readme[end:]


def current_block(readme: str) -> str:
    start = readme.index(BEGIN) + len(BEGIN)
    return readme[start : readme.index(END)].lstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the README's Terraform tables.")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="update README.md in place")
    mode.add_argument("--check", action="store_true", help="fail when README.md is stale")
    args = parser.parse_args(argv)
    block = render(args.root)
    readme_path = args.root / "README.md"
    if args.write:
        readme_path.write_text(replace_block(readme_path.read_text(encoding="utf-8"), block), encoding="utf-8")
        return 0
    if args.check:
        if current_block(readme_path.read_text(encoding="utf-8")) != block:
            print("README.md Terraform tables are stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
