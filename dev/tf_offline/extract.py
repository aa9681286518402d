"""Provider schemas, with attribute types, from CDK Terrain prebuilt-bindings wheels on PyPI.

The bindings (``cdktn-provider-aws`` and friends) are generated from the provider's own
``terraform providers schema -json`` output, and they still carry all of it that Terraform
core needs to validate a configuration. A wheel holds the jsii assembly
(``_jsii/<name>@<version>.jsii.tgz``: ``package/.jsii`` plus the compiled JavaScript), and two
parts of it are read:

* the compiled JavaScript, where the generator writes, for every attribute or block of every
  resource, data source and nested object class, one comment with the Terraform name and its
  schema flags (``// invoke_arn - computed: true, optional: false, required: false``),
  followed by a getter whose body gives the type: ``getStringAttribute`` (string),
  ``getNumberAttribute``, ``getBooleanAttribute``, ``getListAttribute`` (list of string;
  wrapped in ``Fn.tolist`` when the schema says set), the number-list and map getters, or a
  nested class (``new XList(this, "name", wrapsSet)``: a list or set of objects;
  ``new XOutputReference(this, "name")``: one object, whose constructor passes index ``0`` for
  a list block limited to one item and nothing for a single block; ``new XMap``: a map of
  objects). Resource classes also carry ``static tfResourceType = "aws_lambda_function"``.
* the jsii assembly, whose config structs tell a nested *block* from an object-typed
  *attribute*: the generator documents every block property as ``"<name> block."``. A
  provider's own configuration is described only there (its getters carry no types).

The result is written in the shape of one provider's entry of ``terraform providers schema
-json`` (``block`` / ``attributes`` with cty types / ``block_types`` with nesting mode and item
limits), which :mod:`tf_offline.provider` serves to Terraform over the plugin protocol.

What the bindings do not carry, and so no offline check can see: schema versions (0 is served),
``sensitive`` and ``deprecated`` flags, descriptions, and everything the provider checks in
its own code (value validators, conflicts between arguments, API behaviour). Blocks whose
subtree is too large to serve are served with an empty body, and the few attributes the
bindings type as "anything" inside set-nested blocks (where Terraform forbids that type, e.g.
wafv2 rule statements) are left out; both are listed in the schema file's ``truncated`` entry,
and a configuration that uses them is reported as an error (the module and its examples don't).
"""

from __future__ import annotations

import json
import re
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SCHEMA_FORMAT = "tf_offline/1"

_CLASS = re.compile(r"^class (\w+) extends ([\w.]+) \{$", re.MULTILINE)
_TF_TYPE = re.compile(r'^\s+static tfResourceType = "([\w-]+)";$', re.MULTILINE)
_MEMBER = re.compile(
    r"^    // ([A-Za-z0-9_]+) - computed: (true|false), optional: (true|false), required: (true|false)$",
    re.MULTILINE,
)
_NEW = re.compile(r'^\s+_\w+ = new (?:[\w]+\.)?(\w+)\(this, "[\w-]+"(?:, (true|false))?\);$', re.MULTILINE)
_RETURN = re.compile(r"^\s+return (.*);$", re.MULTILINE)
_SUPER = re.compile(r"^\s+super\(terraformResource, terraformAttribute(.*)\);$", re.MULTILINE)
_DOC_ANCHOR = re.compile(r"\{@link https://registry\.terraform\.io/providers/[^ }#]+#([A-Za-z0-9_]+) ")
_DOC_VERSION = re.compile(r"registry\.terraform\.io/providers/([\w-]+/[\w-]+)/([0-9][\w.\-]*)/docs")

# Getter bodies of primitive and collection attributes -> cty type (JSON form).
_GETTERS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^this\.getStringAttribute\('[\w-]+'\)$"), "string"),
    (re.compile(r"^this\.getNumberAttribute\('[\w-]+'\)$"), "number"),
    (re.compile(r"^this\.getBooleanAttribute\('[\w-]+'\)$"), "bool"),
    (re.compile(r"^cdk\w*\.Fn\.tolist\(this\.getListAttribute\('[\w-]+'\)\)$"), ["set", "string"]),
    (re.compile(r"^this\.getListAttribute\('[\w-]+'\)$"), ["list", "string"]),
    (
        re.compile(r"^cdk\w*\.Token\.asNumberList\(cdk\w*\.Fn\.tolist\(this\.getNumberListAttribute\('[\w-]+'\)\)\)$"),
        ["set", "number"],
    ),
    (re.compile(r"^this\.getNumberListAttribute\('[\w-]+'\)$"), ["list", "number"]),
    (re.compile(r"^this\.getStringMapAttribute\('[\w-]+'\)$"), ["map", "string"]),
    (re.compile(r"^this\.getNumberMapAttribute\('[\w-]+'\)$"), ["map", "number"]),
    (re.compile(r"^this\.getBooleanMapAttribute\('[\w-]+'\)$"), ["map", "bool"]),
]
# cdktn's own map classes (``new cdktn.StringMap(this, "tags_all")``).
_LIBRARY_MAPS = {"StringMap": ["map", "string"], "NumberMap": ["map", "number"], "BooleanMap": ["map", "bool"]}
_RESOURCE_BASES = {"TerraformResource": "resource", "TerraformDataSource": "data", "TerraformProvider": "provider"}
# A block whose expanded subtree holds more nested blocks than this is served empty (see above).
_MAX_BLOCK_SUBTREE = 3000
_MAX_DEPTH = 40


@dataclass
class _Member:
    name: str
    computed: bool
    optional: bool
    required: bool
    getter: str | None = None  # the getter's return expression
    nested: str | None = None  # class name of a nested list/object/map
    wraps_set: bool = False


@dataclass
class _JsClass:
    name: str
    base: str
    tf_type: str | None = None
    single_item_list: bool = False  # an OutputReference of a list block limited to one item
    members: dict[str, _Member] = field(default_factory=dict)


def _parse_js(text: str, into: dict[str, _JsClass]) -> None:
    for match in _CLASS.finditer(text):
        end = text.find("\n}\n", match.end())
        body = text[match.end() : end if end >= 0 else len(text)]
        cls = _JsClass(match.group(1), match.group(2).rsplit(".", 1)[-1])
        type_match = _TF_TYPE.search(body)
        cls.tf_type = type_match.group(1) if type_match else None
        super_match = _SUPER.search(body)
        cls.single_item_list = bool(super_match and re.fullmatch(r", false, 0", super_match.group(1)))
        members = list(_MEMBER.finditer(body))
        for index, member in enumerate(members):
            segment = body[member.end() : members[index + 1].start() if index + 1 < len(members) else len(body)]
            name, computed, optional, required = member.groups()
            info = _Member(name, computed == "true", optional == "true", required == "true")
            new = _NEW.search(segment)
            ret = _RETURN.search(segment)
            if new and (ret is None or new.start() < ret.start()):
                info.nested = new.group(1)
                info.wraps_set = new.group(2) == "true"
            elif ret:
                info.getter = ret.group(1)
            cls.members[name] = info
        into[cls.name] = cls


@dataclass
class _Assembly:
    jsii: dict[str, Any]
    classes: dict[str, _JsClass]


def _read_tgz(stream: IO[bytes]) -> _Assembly:
    jsii: dict[str, Any] | None = None
    classes: dict[str, _JsClass] = {}
    with tarfile.open(fileobj=stream, mode="r|gz") as tar:
        for member in tar:
            if not member.isfile():
                continue
            parts = member.name.split("/")
            if parts[-1] == ".jsii" and len(parts) == 2:
                handle = tar.extractfile(member)
                assert handle is not None
                jsii = json.loads(handle.read())
            elif len(parts) >= 4 and parts[1] == "lib" and parts[-1].endswith(".js"):
                handle = tar.extractfile(member)
                assert handle is not None
                _parse_js(handle.read().decode("utf-8"), classes)
    if jsii is None:
        raise ValueError("no package/.jsii in the jsii tarball")
    return _Assembly(jsii, classes)


def read_wheel(wheel: Path) -> _Assembly:
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith(".jsii.tgz") and "/_jsii/" in n]
        if len(names) != 1:
            raise ValueError(f"{wheel}: expected one _jsii/*.jsii.tgz, found {names}")
        with zf.open(names[0]) as raw:
            return _read_tgz(raw)


# -- jsii config structs: which properties are blocks --------------------------------------


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _docs_text(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    return f"{docs.get('summary', '')} {docs.get('remarks', '')}"


def _tf_name(prop: dict[str, Any]) -> str:
    match = _DOC_ANCHOR.search(_docs_text(prop))
    return match.group(1) if match else _camel_to_snake(str(prop["name"]))


@dataclass(frozen=True)
class _Prop:
    is_block: bool
    struct: str | None  # fqn of the struct a block or object property holds
    array: bool  # typed as a list of structs (a list/set block) rather than one struct
    required: bool
    jsii_type: dict[str, Any]


class _Structs:
    def __init__(self, types: dict[str, Any]) -> None:
        self.types = types
        self.memo: dict[str, dict[str, _Prop]] = {}

    def _is_struct(self, fqn: str) -> bool:
        t = self.types.get(fqn)
        return bool(t and t.get("kind") == "interface" and t.get("datatype"))

    def _struct_ref(self, type_ref: dict[str, Any]) -> tuple[str | None, bool]:
        if "fqn" in type_ref:
            return (type_ref["fqn"], False) if self._is_struct(type_ref["fqn"]) else (None, False)
        if "collection" in type_ref:
            element = type_ref["collection"].get("elementtype", {})
            if "fqn" in element and self._is_struct(element["fqn"]):
                return element["fqn"], True
            return None, False
        for member in type_ref.get("union", {}).get("types", []):
            fqn, array = self._struct_ref(member)
            if fqn:
                return fqn, array
        return None, False

    def _all_properties(self, fqn: str) -> list[dict[str, Any]]:
        t = self.types.get(fqn, {})
        props = list(t.get("properties", []))
        for parent in t.get("interfaces", []):
            if parent in self.types:
                props.extend(self._all_properties(parent))
        return props

    def props(self, fqn: str | None) -> dict[str, _Prop]:
        if fqn is None:
            return {}
        if fqn not in self.memo:
            out: dict[str, _Prop] = {}
            for prop in self._all_properties(fqn):
                name = _tf_name(prop)
                struct, array = self._struct_ref(prop["type"])
                is_block = _docs_text(prop).strip().startswith(f"{name} block.")
                out[name] = _Prop(is_block, struct, array, not prop.get("optional"), prop["type"])
            self.memo[fqn] = out
        return self.memo[fqn]


def _jsii_cty(type_ref: dict[str, Any]) -> Any:
    """cty type of a jsii property type (used where the JavaScript carries no type)."""
    primitive = type_ref.get("primitive")
    if primitive in ("string", "number"):
        return primitive
    if primitive == "boolean":
        return "bool"
    if "collection" in type_ref:
        kind = "map" if type_ref["collection"]["kind"] == "map" else "list"
        return [kind, _jsii_cty(type_ref["collection"].get("elementtype", {}))]
    union = [t for t in type_ref.get("union", {}).get("types", []) if t.get("fqn") != "cdktn.IResolvable"]
    if len(union) == 1:
        return _jsii_cty(union[0])
    return "dynamic"


# -- building the schema -------------------------------------------------------------------


def _flags(member: _Member) -> dict[str, bool]:
    if member.required:
        return {"required": True}
    if member.optional:
        return {"optional": True, "computed": True} if member.computed else {"optional": True}
    return {"computed": True}


class _Builder:
    def __init__(self, asm: _Assembly) -> None:
        self.classes = asm.classes
        self.structs = _Structs(asm.jsii["types"])
        self.sizes: dict[str, int] = {}
        self.truncated: set[str] = set()

    def _element_class(self, nested: str) -> _JsClass | None:
        """The object class behind a list/map class (FooList -> FooOutputReference)."""
        cls = self.classes.get(nested)
        if cls is None:
            return None
        if cls.base in ("ComplexList", "ComplexMap"):
            stem = re.sub(r"(List|Map)$", "", nested)
            return self.classes.get(f"{stem}OutputReference")
        return cls

    def object_type(self, cls: _JsClass, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            return "dynamic"
        return ["object", {name: self.attr_type(member, depth + 1) for name, member in sorted(cls.members.items())}]

    def _nested_type(self, member: _Member, nested: str, depth: int) -> Any:
        if nested in _LIBRARY_MAPS:
            return _LIBRARY_MAPS[nested]
        holder = self.classes.get(nested)
        element = self._element_class(nested)
        if holder is None or element is None:
            return "dynamic"
        obj = self.object_type(element, depth)
        if holder.base == "ComplexList":
            return ["set" if member.wraps_set else "list", obj]
        if holder.base == "ComplexMap":
            return ["map", obj]
        return obj

    def attr_type(self, member: _Member, depth: int = 0) -> Any:
        if member.nested is not None:
            return self._nested_type(member, member.nested, depth)
        for pattern, cty in _GETTERS:
            if member.getter is not None and pattern.match(member.getter):
                return cty
        return "dynamic"

    def _subtree(self, cls: _JsClass, struct: str | None, depth: int = 0) -> int:
        """Number of nested blocks under a block class (memoised; capped)."""
        key = f"{cls.name}|{struct}"
        if key in self.sizes:
            return self.sizes[key]
        self.sizes[key] = _MAX_BLOCK_SUBTREE + 1  # a cycle counts as too large
        total = 0
        props = self.structs.props(struct)
        for name, member in cls.members.items():
            prop = props.get(name)
            if prop is None or not prop.is_block or member.nested is None:
                continue
            inner = self._element_class(member.nested)
            total += 1 + (self._subtree(inner, prop.struct, depth + 1) if inner else 0)
            if total > _MAX_BLOCK_SUBTREE or depth > _MAX_DEPTH:
                total = _MAX_BLOCK_SUBTREE + 1
                break
        self.sizes[key] = total
        return total

    def block(self, cls: _JsClass, struct: str | None, path: str) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        props = self.structs.props(struct)
        for name, member in sorted(cls.members.items()):
            prop = props.get(name)
            if prop is not None and prop.is_block and member.nested is not None:
                block_types[name] = self.nested_block(name, member, prop, f"{path}.{name}")
            else:
                attributes[name] = {"type": self.attr_type(member), **_flags(member)}
        out: dict[str, Any] = {"attributes": attributes}
        if block_types:
            out["block_types"] = block_types
        return out

    def nested_block(self, name: str, member: _Member, prop: _Prop, path: str) -> dict[str, Any]:
        holder = self.classes.get(member.nested or "")
        element = self._element_class(member.nested or "")
        if holder is None or element is None:
            raise ValueError(f"{path}: no class {member.nested}")
        if holder.base == "ComplexList":
            nesting = "set" if member.wraps_set else "list"
            limits = {"min_items": 1} if prop.required else {}
        elif holder.base == "ComplexMap":
            nesting, limits = "map", {}
        elif element.single_item_list:
            nesting = "list"
            limits = {"min_items": 1, "max_items": 1} if prop.required else {"max_items": 1}
        else:
            nesting = "single"
            limits = {"min_items": 1, "max_items": 1} if prop.required else {}
        if self._subtree(element, prop.struct) > _MAX_BLOCK_SUBTREE:
            self.truncated.add(path)
            body: dict[str, Any] = {"attributes": {}}
        else:
            body = self.block(element, prop.struct, path)
        return {"nesting_mode": nesting, "block": body, **limits}

    def provider_block(self, struct: str) -> dict[str, Any]:
        """A provider's configuration: described only by its jsii config struct."""
        attributes: dict[str, Any] = {}
        block_types: dict[str, Any] = {}
        for name, prop in sorted(self.structs.props(struct).items()):
            if prop.is_block and prop.struct:
                inner = self.provider_block(prop.struct)
                limits = {} if prop.array else {"max_items": 1}
                block_types[name] = {"nesting_mode": "list", "block": inner, **limits}
            else:
                flags = {"required": True} if prop.required else {"optional": True}
                attributes[name] = {"type": _jsii_cty(prop.jsii_type), **flags}
        out: dict[str, Any] = {"attributes": attributes}
        if block_types:
            out["block_types"] = block_types
        return out


_VALID_NAME = re.compile(r"^[a-z0-9_]+$")


def _has_dynamic(cty: Any) -> bool:
    return "dynamic" in json.dumps(cty)


def _conform(block: dict[str, Any], path: str, in_set: bool, dropped: set[str]) -> None:
    """Drop what Terraform's schema rules forbid: names other than [a-z0-9_]+, and attributes of
    unknown type (cty.DynamicPseudoType) inside set-nested blocks."""
    for name, attr in list(block["attributes"].items()):
        if not _VALID_NAME.match(name) or (in_set and _has_dynamic(attr["type"])):
            del block["attributes"][name]
            dropped.add(f"{path}.{name}")
    for name, nested in list(block.get("block_types", {}).items()):
        if not _VALID_NAME.match(name) or name in block["attributes"]:
            del block["block_types"][name]
            dropped.add(f"{path}.{name}")
            continue
        _conform(nested["block"], f"{path}.{name}", in_set or nested["nesting_mode"] == "set", dropped)


def schema_from_assembly(asm: _Assembly, package: str) -> dict[str, Any]:
    """One provider's schema (the shape of ``terraform providers schema -json``'s entries)."""
    types: dict[str, Any] = asm.jsii["types"]
    builder = _Builder(asm)
    resources: dict[str, Any] = {}
    data_sources: dict[str, Any] = {}
    provider: dict[str, Any] | None = None
    versions: set[tuple[str, str]] = set()
    for t in types.values():
        kind = _RESOURCE_BASES.get(str(t.get("base", "")).rsplit(".", 1)[-1])
        if t.get("kind") != "class" or kind is None:
            continue
        for match in _DOC_VERSION.finditer(str(t.get("docs", {}).get("summary", ""))):
            versions.add((match.group(1), match.group(2)))
        params = t.get("initializer", {}).get("parameters", [])
        config = next((p["type"].get("fqn") for p in params if p["name"] == "config"), None)
        if kind == "provider":
            provider = {"version": 0, "block": builder.provider_block(config) if config else {"attributes": {}}}
            continue
        cls = asm.classes.get(t["name"])
        if cls is None or cls.tf_type is None:
            raise ValueError(f"{t['fqn']}: no compiled class with tfResourceType")
        block = builder.block(cls, config, cls.tf_type)
        _conform(block, cls.tf_type, False, builder.truncated)
        entry = {"version": 0, "block": block}
        (resources if kind == "resource" else data_sources)[cls.tf_type] = entry
    if provider is None:
        raise ValueError("no provider class in the assembly")
    if len(versions) != 1:
        raise ValueError(f"expected one provider version in the registry links, found {sorted(versions)}")
    source, version = versions.pop()
    return {
        "format": SCHEMA_FORMAT,
        "source": source,
        "version": version,
        "package": package,
        "truncated": sorted(builder.truncated),
        "provider": provider,
        "resource_schemas": dict(sorted(resources.items())),
        "data_source_schemas": dict(sorted(data_sources.items())),
    }
