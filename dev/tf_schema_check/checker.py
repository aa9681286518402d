"""The checks: configuration blocks against provider schemas, module calls, references."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lark import Tree

from tf_schema_check.hcl import Attribute, Block, Body, HclParseError, parse_file
from tf_schema_check.refs import Reference, references
from tf_schema_check.schema import BlockSchema, NestedBlockSchema, ProviderSchema, SchemaSet

RESOURCE_META_ATTRS = {"count", "for_each", "provider", "depends_on"}
RESOURCE_META_BLOCKS = {"lifecycle", "provisioner", "connection"}
DATA_META_BLOCKS = {"lifecycle"}
MODULE_META_ATTRS = {"source", "version", "count", "for_each", "providers", "depends_on"}
# Names that are always in scope in expressions.
BUILTIN_ROOTS = {"count", "each", "self", "path", "terraform"}
# Top-level blocks and what they may contain: (attributes, blocks); None means "anything".
STRUCTURE: dict[str, tuple[set[str] | None, set[str] | None]] = {
    "variable": ({"type", "default", "description", "sensitive", "nullable", "ephemeral"}, {"validation"}),
    "output": ({"value", "description", "sensitive", "depends_on", "ephemeral"}, {"precondition"}),
    "locals": (None, set()),
    "terraform": (None, None),
    "moved": ({"from", "to"}, set()),
    "import": ({"to", "id", "identity", "provider", "for_each"}, set()),
    "removed": ({"from"}, {"lifecycle", "provisioner"}),
    "check": (set(), {"data", "assert"}),
}
KNOWN_TOP = {*STRUCTURE, "resource", "data", "module", "provider", "ephemeral", "action", "list"}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.kind}] {self.message}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)
    modules: list[Path] = field(default_factory=list)
    providers: dict[str, str] = field(default_factory=dict)  # checked provider -> version


@dataclass
class Module:
    path: Path
    blocks: list[Block]
    parse_errors: list[HclParseError]
    variables: dict[str, Block] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    resources: dict[tuple[str, str], Block] = field(default_factory=dict)
    data: dict[tuple[str, str], Block] = field(default_factory=dict)
    calls: dict[str, Block] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Module:
        blocks: list[Block] = []
        errors: list[HclParseError] = []
        for tf in sorted(path.glob("*.tf")):
            try:
                blocks.extend(parse_file(tf).blocks)
            except HclParseError as exc:
                errors.append(exc)
        mod = cls(path, blocks, errors)
        for b in blocks:
            if b.type == "variable" and b.labels:
                mod.variables[b.labels[0]] = b
            elif b.type == "output" and b.labels:
                mod.outputs[b.labels[0]] = b
            elif b.type == "locals":
                for a in b.body.attributes:
                    mod.locals[a.name] = a
            elif b.type == "resource" and len(b.labels) == 2:
                mod.resources[(b.labels[0], b.labels[1])] = b
            elif b.type == "data" and len(b.labels) == 2:
                mod.data[(b.labels[0], b.labels[1])] = b
            elif b.type == "module" and b.labels:
                mod.calls[b.labels[0]] = b
        return mod


def _suggest(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _string_value(attr: Attribute | None) -> str | None:
    """The value of an attribute that is a plain string literal without interpolation."""
    if attr is None:
        return None
    tokens = list(attr.expr.scan_values(lambda _: True))
    subtrees = {t.data for t in attr.expr.iter_subtrees()}
    if "interpolation" in subtrees or not subtrees <= {"expr_term", "string", "string_part"}:
        return None
    return "".join(str(t.value) for t in tokens if t.type == "STRING_CHARS")


def _version_ok(version: str, constraint: str) -> bool:
    """Whether ``version`` satisfies a Terraform version constraint string."""

    def parse(v: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", v.split("-", maxsplit=1)[0])[:3])

    have = parse(version)
    for part in constraint.split(","):
        m = re.fullmatch(r"\s*(~>|>=|<=|!=|=|>|<)?\s*v?([0-9][0-9.]*)\s*", part)
        if not m:
            return True  # not understood: do not claim a mismatch
        op, raw = m.group(1) or "=", m.group(2)
        want = parse(raw)
        padded = tuple(list(want) + [0] * (3 - len(want)))
        checks = {
            "=": have == padded,
            "!=": have != padded,
            ">": have > padded,
            ">=": have >= padded,
            "<": have < padded,
            "<=": have <= padded,
        }
        if op == "~>":
            prefix = want[:-1] if len(want) > 1 else want
            ok = have >= padded and have[: len(prefix)] == prefix
        else:
            ok = checks[op]
        if not ok:
            return False
    return True


class Checker:
    def __init__(self, schemas: SchemaSet, report: Report, display_root: Path) -> None:
        self.schemas = schemas
        self.report = report
        self.display_root = display_root
        self._modules: dict[Path, Module] = {}
        # The file and line reported for a missing argument: those of the enclosing block.
        self._owners: dict[int, tuple[Path, int]] = {}

    # -- helpers -------------------------------------------------------------------------
    def module(self, path: Path) -> Module:
        key = path.resolve()
        if key not in self._modules:
            self._modules[key] = Module.load(key)
        return self._modules[key]

    def rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.display_root))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int, kind: str, message: str) -> None:
        self.report.findings.append(Finding(self.rel(path), line, kind, message))

    def provider_for(self, type_name: str) -> ProviderSchema | None:
        name = type_name.split("_", 1)[0]
        schema = self.schemas.providers.get(name)
        if schema is None:
            self.report.notes.add(f"provider {name!r} ({type_name}): no schema available, not checked")
        return schema

    # -- module --------------------------------------------------------------------------
    def check_module(self, path: Path) -> None:
        mod = self.module(path)
        self.report.modules.append(path)
        for err in mod.parse_errors:
            self.add(err.path, err.line, "parse-error", err.message)
        for block in mod.blocks:
            self.check_top_block(mod, block)
        self.check_references(mod)

    def check_typed_block(self, block: Block) -> None:
        """A ``resource`` or ``data`` block: its type must exist, then its body is checked."""
        type_name, name = block.labels
        schema = self.provider_for(type_name)
        if schema is None:
            return
        if block.type == "resource":
            catalogue, finding, what, address = schema.resources, "unknown-resource-type", "resource type", ""
        else:
            catalogue, finding, what, address = schema.data_sources, "unknown-data-source", "data source", "data."
        entry = catalogue.get(type_name)
        if entry is None:
            self.add(
                block.file,
                block.line,
                finding,
                f"{type_name} is not a {what} of {schema.source} {schema.version}" + _suggest(type_name, catalogue),
            )
            return
        self.check_body(block.body, entry, f"{address}{type_name}.{name}", block.type)

    def check_top_block(self, mod: Module, block: Block) -> None:
        where = f"{block.type} {' '.join(repr(x) for x in block.labels)}".strip()
        if block.type in ("resource", "data") and len(block.labels) == 2:
            self.check_typed_block(block)
        elif block.type == "provider" and block.labels:
            prov = self.schemas.providers.get(block.labels[0])
            if prov is None:
                self.report.notes.add(f"provider {block.labels[0]!r} block: no schema available, not checked")
                return
            self.check_body(block.body, prov.provider_config, f"provider {block.labels[0]!r}", "provider")
        elif block.type == "module" and block.labels:
            self.check_call(mod, block)
        elif block.type == "terraform":
            self.check_required_providers(block)
        elif block.type in STRUCTURE:
            attrs, blocks = STRUCTURE[block.type]
            self.check_structure(block.body, attrs, blocks, where)
            if block.type == "output" and block.body.attr("value") is None:
                self.add(block.file, block.line, "missing-argument", f"{where}: required argument 'value' is missing")
        elif block.type not in KNOWN_TOP:
            self.add(block.file, block.line, "unknown-block", f"unsupported top-level block type {block.type!r}")

    def check_structure(self, body: Body, attrs: set[str] | None, blocks: set[str] | None, where: str) -> None:
        if attrs is not None:
            for a in body.attributes:
                if a.name not in attrs:
                    self.add(
                        a.file,
                        a.line,
                        "unknown-argument",
                        f"{where}: unsupported argument {a.name!r}" + _suggest(a.name, attrs),
                    )
        if blocks is not None:
            for b in body.blocks:
                if b.type not in blocks:
                    self.add(
                        b.file,
                        b.line,
                        "unknown-block",
                        f"{where}: unsupported block {b.type!r}" + _suggest(b.type, blocks),
                    )

    def check_required_providers(self, block: Block) -> None:
        for rp in (b for b in block.body.blocks if b.type == "required_providers"):
            for attr in rp.body.attributes:
                schema = self.schemas.providers.get(attr.name)
                if schema is None:
                    continue
                constraint = None
                for obj in attr.expr.iter_subtrees():
                    if obj.data == "object_elem":
                        key_node = obj.children[0]
                        assert isinstance(key_node, Tree)
                        key = "".join(str(t.value) for t in key_node.scan_values(lambda _: True))
                        if key.strip('"') == "version":
                            value_node = obj.children[-1]
                            assert isinstance(value_node, Tree)
                            constraint = "".join(
                                str(t.value)
                                for t in value_node.scan_values(lambda t: getattr(t, "type", "") == "STRING_CHARS")
                            )
                if constraint and not _version_ok(schema.version, constraint):
                    self.add(
                        attr.file,
                        attr.line,
                        "provider-version",
                        f"required_providers.{attr.name} = {constraint!r} excludes {schema.source} "
                        f"{schema.version}, the version whose schema this check uses ({schema.package})",
                    )
                self.report.providers[attr.name] = schema.version

    def check_body(self, body: Body, schema: BlockSchema, where: str, kind: str) -> None:  # noqa: PLR0912
        meta_attrs = RESOURCE_META_ATTRS if kind in ("resource", "data") else set()
        meta_blocks = RESOURCE_META_BLOCKS if kind == "resource" else DATA_META_BLOCKS if kind == "data" else set()
        present: dict[str, int] = {}
        for a in body.attributes:
            if a.name in meta_attrs:
                continue
            present[a.name] = present.get(a.name, 0) + 1
            if a.name in schema.blocks:
                self.add(
                    a.file,
                    a.line,
                    "block-as-argument",
                    f"{where}: {a.name!r} is a block: write `{a.name} {{ ... }}`, not `{a.name} = ...`",
                )
            elif a.name not in schema.attrs:
                self.add(
                    a.file,
                    a.line,
                    "unknown-argument",
                    f"{where}: unsupported argument {a.name!r}"
                    + _suggest(a.name, set(schema.attrs) | set(schema.blocks)),
                )
            elif not schema.settable(a.name):
                self.add(
                    a.file,
                    a.line,
                    "read-only-argument",
                    f"{where}: {a.name!r} is computed (read-only) and cannot be set",
                )
        for b in body.blocks:
            if b.type in meta_blocks:
                continue
            name, content = b.type, b.body
            if b.type == "dynamic":
                if not b.labels:
                    self.add(b.file, b.line, "unknown-block", f"{where}: dynamic block without a label")
                    continue
                name = b.labels[0]
                content_block = next((x for x in b.body.blocks if x.type == "content"), None)
                if content_block is None:
                    self.add(b.file, b.line, "missing-block", f"{where}: dynamic {name!r} has no content block")
                    content = Body()
                else:
                    content = content_block.body
                self.check_structure(
                    b.body, {"for_each", "iterator", "labels"}, {"content"}, f"{where} dynamic {name!r}"
                )
            present[name] = present.get(name, 0) + (2 if b.type == "dynamic" else 1)
            nested = schema.blocks.get(name)
            if nested is None:
                if name in schema.attrs:
                    self.add(
                        b.file,
                        b.line,
                        "argument-as-block",
                        f"{where}: {name!r} is an argument, write `{name} = ...`, not a block",
                    )
                else:
                    self.add(
                        b.file,
                        b.line,
                        "unknown-block",
                        f"{where}: unsupported block {name!r}" + _suggest(name, set(schema.blocks) | set(schema.attrs)),
                    )
                continue
            if not nested.opaque:
                self.check_body(content, nested, f"{where}.{name}", "nested")
        for name in schema.required_attrs():
            if name not in present:
                line = self._block_line(body)
                self.add(
                    self._block_file(body), line, "missing-argument", f"{where}: required argument {name!r} is missing"
                )
        for name in schema.required_blocks():
            if name not in present:
                self.add(
                    self._block_file(body),
                    self._block_line(body),
                    "missing-block",
                    f"{where}: required block {name!r} is missing",
                )
        for name, nested in schema.blocks.items():
            if isinstance(nested, NestedBlockSchema) and nested.nesting == "single" and present.get(name, 0) == 2:
                pass  # exactly one dynamic block: count unknown statically
            elif nested.nesting == "single" and present.get(name, 0) > 1:
                first = next(
                    b for b in body.blocks if b.type == name or (b.labels[:1] == [name] and b.type == "dynamic")
                )
                self.add(first.file, first.line, "too-many-blocks", f"{where}: at most one {name!r} block is allowed")

    def _block_line(self, body: Body) -> int:
        return self._owners.get(id(body), (Path(), 0))[1]

    def _block_file(self, body: Body) -> Path:
        return self._owners.get(id(body), (Path(), 0))[0]

    def index_owners(self, blocks: Iterable[Block]) -> None:
        for b in blocks:
            self._owners[id(b.body)] = (b.file, b.line)
            if b.type == "dynamic":
                for c in b.body.blocks:
                    if c.type == "content":
                        self._owners[id(c.body)] = (b.file, b.line)
            self.index_owners(b.body.blocks)

    # -- module calls --------------------------------------------------------------------
    def local_source(self, mod: Module, call: Block) -> Module | None:
        source = _string_value(call.body.attr("source"))
        if source is None:
            self.add(
                call.file,
                call.line,
                "missing-argument",
                f"module {call.labels[0]!r}: 'source' must be a literal string",
            )
            return None
        if not source.startswith(("./", "../")):
            self.report.notes.add(f"module {call.labels[0]!r}: source {source!r} is not a local path, not checked")
            return None
        target = (mod.path / source).resolve()
        if not target.is_dir():
            self.add(
                call.file,
                call.line,
                "module-source",
                f"module {call.labels[0]!r}: source {source!r} is not a directory",
            )
            return None
        called = self.module(target)
        self.index_owners(called.blocks)
        return called

    def check_call(self, mod: Module, call: Block) -> None:
        called = self.local_source(mod, call)
        if called is None:
            return
        name = call.labels[0]
        for a in call.body.attributes:
            if a.name in MODULE_META_ATTRS:
                continue
            if a.name not in called.variables:
                self.add(
                    a.file,
                    a.line,
                    "module-unknown-argument",
                    f"module {name!r}: {a.name!r} is not a variable of {self.rel(called.path) or '.'}"
                    + _suggest(a.name, called.variables),
                )
        for b in call.body.blocks:
            if b.type != "lifecycle":
                self.add(b.file, b.line, "unknown-block", f"module {name!r}: unsupported block {b.type!r}")
        given = {a.name for a in call.body.attributes}
        for var, vblock in sorted(called.variables.items()):
            if var not in given and vblock.body.attr("default") is None:
                self.add(
                    call.file,
                    call.line,
                    "module-missing-argument",
                    f"module {name!r}: required variable {var!r} of {self.rel(called.path) or '.'} is not set",
                )

    # -- references ----------------------------------------------------------------------
    def check_references(self, mod: Module) -> None:
        for block in mod.blocks:
            if block.type in ("terraform", "moved", "import", "removed"):
                continue
            for attr, scope in self._attributes(block, frozenset()):
                for ref in references(attr.expr, scope):
                    self.check_reference(mod, attr, ref)

    def _attributes(self, block: Block, scope: frozenset[str]) -> Iterable[tuple[Attribute, frozenset[str]]]:
        for a in block.body.attributes:
            if block.type == "variable" and a.name == "type":
                continue
            if block.type == "lifecycle" and a.name == "ignore_changes":
                continue
            if a.name == "provider" or (block.type == "module" and a.name == "providers"):
                continue
            yield a, scope
        for b in block.body.blocks:
            inner = scope
            if b.type == "dynamic" and b.labels:
                iterator = _string_value(b.body.attr("iterator")) or self._bare_name(b.body.attr("iterator"))
                inner = scope | {iterator or b.labels[0]}
                for a in b.body.attributes:
                    if a.name == "for_each":
                        yield a, scope
                    elif a.name != "iterator":
                        yield a, inner
                for c in b.body.blocks:
                    yield from self._attributes(c, inner)
                continue
            yield from self._attributes(b, inner)

    @staticmethod
    def _bare_name(attr: Attribute | None) -> str | None:
        if attr is None:
            return None
        refs = list(references(attr.expr))
        return refs[0].root if len(refs) == 1 and not refs[0].steps else None

    def check_reference(self, mod: Module, attr: Attribute, ref: Reference) -> None:  # noqa: PLR0911, PLR0912
        def report(kind: str, message: str) -> None:
            self.add(attr.file, ref.line or attr.line, kind, message)

        root, names = ref.root, ref.attrs()
        if root in BUILTIN_ROOTS:
            return
        if root == "var":
            if names and names[0] not in mod.variables:
                report(
                    "undeclared-variable",
                    f"reference to undeclared variable var.{names[0]}" + _suggest(names[0], mod.variables),
                )
            return
        if root == "local":
            if names and names[0] not in mod.locals:
                report(
                    "undeclared-local",
                    f"reference to undeclared local value local.{names[0]}" + _suggest(names[0], mod.locals),
                )
            return
        if root == "module":
            if not names:
                return
            call = mod.calls.get(names[0])
            if call is None:
                report(
                    "undeclared-module",
                    f"reference to undeclared module call module.{names[0]}" + _suggest(names[0], mod.calls),
                )
                return
            output = ref.after(1)
            source = _string_value(call.body.attr("source"))
            if output and source and source.startswith(("./", "../")):
                target = (mod.path / source).resolve()
                if target.is_dir():
                    called = self.module(target)
                    if output not in called.outputs:
                        report(
                            "unknown-module-output",
                            f"module.{names[0]}.{output}: {self.rel(called.path) or '.'} has no output {output!r}"
                            + _suggest(output, called.outputs),
                        )
            return
        if root == "data":
            if len(names) < 2:
                return
            key = (names[0], names[1])
            if key not in mod.data:
                report("undeclared-data-source", f"reference to undeclared data source data.{names[0]}.{names[1]}")
                return
            self._check_exported(ref, names[0], 2, "data", report)
            return
        if not names:
            report("undeclared-reference", f"reference to unknown name {root!r}")
            return
        key = (root, names[0])
        if key not in mod.resources:
            report("undeclared-resource", f"reference to undeclared resource {root}.{names[0]}")
            return
        self._check_exported(ref, root, 1, "resource", report)

    def _check_exported(
        self, ref: Reference, type_name: str, skip: int, kind: str, report: Callable[[str, str], None]
    ) -> None:
        attr = ref.after(skip)
        if attr is None:
            return
        provider = self.schemas.providers.get(type_name.split("_", 1)[0])
        if provider is None:
            return
        schema = (provider.resources if kind == "resource" else provider.data_sources).get(type_name)
        if schema is None:
            return  # reported at the declaration
        if attr not in schema.exported():
            prefix = "data." if kind == "data" else ""
            report(
                "unknown-attribute",
                f"{prefix}{type_name}.{ref.attrs()[skip - 1]}.{attr}: {type_name} has no attribute {attr!r}"
                + _suggest(attr, schema.exported()),
            )


def module_dirs(root: Path) -> list[Path]:
    """The module at ``root`` and every example under ``root/examples`` that has .tf files."""
    dirs = [root] if any(root.glob("*.tf")) else []
    examples = root / "examples"
    if examples.is_dir():
        dirs.extend(sorted(p for p in examples.rglob("*") if p.is_dir() and any(p.glob("*.tf"))))
    return dirs


def check_paths(dirs: Iterable[Path], schemas: SchemaSet, display_root: Path | None = None) -> Report:
    report = Report()
    checker = Checker(schemas, report, (display_root or Path.cwd()).resolve())
    for d in dirs:
        mod = checker.module(d)
        checker.index_owners(mod.blocks)
        checker.check_module(d)
    report.findings = sorted(set(report.findings))
    for name, schema in schemas.providers.items():
        report.providers.setdefault(name, schema.version)
    return report
