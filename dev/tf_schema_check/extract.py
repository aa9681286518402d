"""Extract a compact provider schema from a CDK Terrain / CDKTF prebuilt-bindings wheel.

The wheel carries the jsii assembly (``_jsii/<name>@<version>.jsii.tgz``, an npm tarball with
``package/.jsii`` and the compiled JavaScript). The bindings are generated from the provider's
own ``terraform providers schema -json`` output, and two parts of them are used:

* the jsii assembly: for every resource / data source class its ``...Config`` struct lists the
  arguments. Each property's doc links to the registry with the exact Terraform name as anchor
  (``.../docs/resources/lambda_function#function_name``), and the generator documents a nested
  block as ``"<name> block."``; struct-typed properties without that note are object-typed
  attributes (``x = {...}``). A block property typed as a single struct has at most one
  element; a list of structs is a list/set block. A non-optional block property is required.
* the JavaScript of each resource class, where the generator writes one comment per
  top-level attribute or block with its Terraform name and schema flags
  (``// invoke_arn - computed: true, optional: false, required: false``) and the class has
  ``static tfResourceType = "aws_lambda_function"``. Those give the exact type name and the
  exported (computed) attributes without converting camelCase back to snake_case.
"""

from __future__ import annotations

import copy
import json
import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tf_schema_check.schema import BlockSchema, NestedBlockSchema, ProviderSchema

_RESOURCE_BASES = {
    "TerraformResource": "resource",
    "TerraformDataSource": "data",
    "TerraformProvider": "provider",
}
_JS_CLASS = re.compile(r"^class (\w+) extends cdk\w*\.(Terraform\w+) \{$", re.MULTILINE)
_JS_TYPE = re.compile(r'^\s+static tfResourceType = "([\w-]+)";$', re.MULTILINE)
_JS_ATTR = re.compile(
    r"^    // ([A-Za-z0-9_]+) - computed: (true|false), optional: (true|false), required: (true|false)$",
    re.MULTILINE,
)
_DOC_ANCHOR = re.compile(r"\{@link https://registry\.terraform\.io/providers/[^ }#]+#([A-Za-z0-9_]+) ")
_DOC_VERSION = re.compile(r"registry\.terraform\.io/providers/([\w-]+/[\w-]+)/([0-9][\w.\-]*)/docs")


@dataclass
class _JsClass:
    tf_type: str | None
    attrs: dict[str, str] = field(default_factory=dict)


def _flags(computed: bool, optional: bool, required: bool) -> str:
    if required:
        return "r"
    if optional:
        return "oc" if computed else "o"
    return "c"


def _parse_js(text: str) -> dict[str, _JsClass]:
    """Resource / data source / provider classes of one compiled module, by class name."""
    out: dict[str, _JsClass] = {}
    for match in _JS_CLASS.finditer(text):
        if match.group(2) not in _RESOURCE_BASES:
            continue
        end = text.find("\n}\n", match.end())
        body = text[match.end() : end if end >= 0 else len(text)]
        type_match = _JS_TYPE.search(body)
        cls = _JsClass(type_match.group(1) if type_match else None)
        for attr in _JS_ATTR.finditer(body):
            name, computed, optional, required = attr.groups()
            cls.attrs[name] = _flags(computed == "true", optional == "true", required == "true")
        out[match.group(1)] = cls
    return out


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _docs_text(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    return f"{docs.get('summary', '')} {docs.get('remarks', '')}"


def _tf_name(prop: dict[str, Any]) -> str:
    match = _DOC_ANCHOR.search(_docs_text(prop))
    return match.group(1) if match else _camel_to_snake(str(prop["name"]))


def _struct_ref(type_ref: dict[str, Any], types: dict[str, Any]) -> tuple[str | None, str]:
    """(struct fqn, nesting) of a property type, or (None, "") if it is not a struct type."""

    def is_struct(fqn: str) -> bool:
        t = types.get(fqn)
        return bool(t and t.get("kind") == "interface" and t.get("datatype"))

    if "fqn" in type_ref:
        return (type_ref["fqn"], "single") if is_struct(type_ref["fqn"]) else (None, "")
    if "collection" in type_ref:
        element = type_ref["collection"].get("elementtype", {})
        if "fqn" in element and is_struct(element["fqn"]):
            return element["fqn"], "list"
        return None, ""
    for member in type_ref.get("union", {}).get("types", []):
        fqn, nesting = _struct_ref(member, types)
        if fqn:
            return fqn, nesting
    return None, ""


def _all_properties(fqn: str, types: dict[str, Any]) -> list[dict[str, Any]]:
    """Properties of a struct, including those of the structs it extends in this assembly."""
    t = types.get(fqn, {})
    props = list(t.get("properties", []))
    for parent in t.get("interfaces", []):
        if parent in types:
            props.extend(_all_properties(parent, types))
    return props


# A nested block whose own nested blocks number more than this (the recursive statement
# trees of wafv2 and quicksight run to millions of paths) is recorded as opaque.
_MAX_SUBTREE = 400


class _StructReader:
    """Builds argument schemas from config structs, memoised per struct."""

    def __init__(self, types: dict[str, Any]) -> None:
        self.types = types
        self.memo: dict[str, tuple[BlockSchema, int]] = {}

    def block(self, fqn: str, depth: int = 0) -> tuple[BlockSchema, int]:
        """The argument schema a struct describes and the number of nested blocks under it."""
        if fqn in self.memo:
            return self.memo[fqn]
        block = BlockSchema()
        size = 0
        for prop in _all_properties(fqn, self.types):
            name = _tf_name(prop)
            struct, nesting = _struct_ref(prop["type"], self.types)
            required = not prop.get("optional")
            if not _docs_text(prop).strip().startswith(f"{name} block."):
                block.attrs[name] = "r" if required else "o"
                continue
            if struct is None or depth > 64:
                block.blocks[name] = NestedBlockSchema(nesting="list", required=required, opaque=True)
                size += 1
                continue
            inner, inner_size = self.block(struct, depth + 1)
            if inner_size > _MAX_SUBTREE:
                block.blocks[name] = NestedBlockSchema(nesting=nesting, required=required, opaque=True)
                size += 1
                continue
            block.blocks[name] = NestedBlockSchema(
                attrs=inner.attrs, blocks=inner.blocks, nesting=nesting, required=required
            )
            size += 1 + inner_size
        self.memo[fqn] = (block, size)
        return block, size


@dataclass
class _Assembly:
    jsii: dict[str, Any]
    js: dict[str, dict[str, _JsClass]]  # module directory -> class name -> info


def _read_tgz(stream: IO[bytes]) -> _Assembly:
    jsii: dict[str, Any] | None = None
    js: dict[str, dict[str, _JsClass]] = {}
    with tarfile.open(fileobj=stream, mode="r|gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            parts = member.name.split("/")
            if parts[-1] == ".jsii" and len(parts) == 2:
                fh = tar.extractfile(member)
                assert fh is not None
                jsii = json.loads(fh.read())
            elif len(parts) == 4 and parts[1] == "lib" and parts[3] == "index.js":
                fh = tar.extractfile(member)
                assert fh is not None
                classes = _parse_js(fh.read().decode("utf-8"))
                if classes:
                    js[parts[2]] = classes
    if jsii is None:
        raise ValueError("no package/.jsii in the jsii tarball")
    return _Assembly(jsii, js)


def read_wheel(wheel: Path) -> _Assembly:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".jsii.tgz") and "/_jsii/" in n]
        if len(names) != 1:
            raise ValueError(f"{wheel}: expected one _jsii/*.jsii.tgz, found {names}")
        with zf.open(names[0]) as raw:
            return _read_tgz(raw)


def schema_from_assembly(asm: _Assembly, provider: str, package: str) -> ProviderSchema:
    types: dict[str, Any] = asm.jsii["types"]
    resources: dict[str, BlockSchema] = {}
    data_sources: dict[str, BlockSchema] = {}
    provider_config: BlockSchema | None = None
    versions: set[tuple[str, str]] = set()
    reader = _StructReader(types)

    for t in types.values():
        base = str(t.get("base", "")).rsplit(".", 1)[-1]
        kind = _RESOURCE_BASES.get(base)
        if t.get("kind") != "class" or kind is None:
            continue
        for match in _DOC_VERSION.finditer(str(t.get("docs", {}).get("summary", ""))):
            versions.add((match.group(1), match.group(2)))
        params = t.get("initializer", {}).get("parameters", [])
        config = next((p["type"].get("fqn") for p in params if p["name"] == "config"), None)
        block = copy.deepcopy(reader.block(config)[0]) if config else BlockSchema()
        if kind == "provider":
            provider_config = block
            continue
        module_dir = Path(t["locationInModule"]["filename"]).parent.name
        js = asm.js.get(module_dir, {}).get(t["name"])
        if js is None or js.tf_type is None:
            raise ValueError(f"{t['fqn']}: no compiled class with tfResourceType in lib/{module_dir}")
        for name, flags in js.attrs.items():
            if name in block.blocks:
                continue
            if name not in block.attrs:
                block.attrs[name] = flags  # computed only: exported, not an argument
            elif flags == "oc" and block.attrs[name] == "o":
                block.attrs[name] = "oc"
        (resources if kind == "resource" else data_sources)[js.tf_type] = block

    if provider_config is None:
        raise ValueError("no provider class in the assembly")
    if len(versions) != 1:
        raise ValueError(f"expected one provider version in the registry links, found {sorted(versions)}")
    (source, version) = versions.pop()
    return ProviderSchema(
        provider=provider,
        source=source,
        version=version,
        package=package,
        provider_config=provider_config,
        resources=resources,
        data_sources=data_sources,
    )
