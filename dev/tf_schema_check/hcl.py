"""Load Terraform files into a small block/attribute model with line numbers.

Uses python-hcl2's Lark grammar (``hcl2.parses_to_tree``, python-hcl2 >= 8) directly: the raw
parse tree keeps blocks and attributes apart and carries the line of every node, and its
expression nodes are walked for references by :mod:`.refs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError


class HclParseError(Exception):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


def _parser() -> Any:
    try:
        import hcl2  # imported lazily to report a broken install clearly
    except ImportError as exc:  # pragma: no cover - environment problem
        raise RuntimeError("python-hcl2 >= 8 is required (pip install 'python-hcl2>=8')") from exc
    if not hasattr(hcl2, "parses_to_tree"):
        # bc-python-hcl2 (a checkov dependency) installs the same top-level `hcl2` package.
        raise RuntimeError(
            "the installed `hcl2` package is not python-hcl2 >= 8 (bc-python-hcl2, pulled in by "
            "checkov, overwrites it): pip install --force-reinstall --no-deps 'python-hcl2>=8'"
        )
    return hcl2


@dataclass
class Attribute:
    name: str
    expr: Tree[Any]
    file: Path
    line: int


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body
    file: Path
    line: int


@dataclass
class Body:
    attributes: list[Attribute] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def attr(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


def line_of(node: Tree[Any] | Token) -> int:
    if isinstance(node, Token):
        return int(node.line or 0)
    meta = node.meta
    return int(getattr(meta, "line", 0) or 0)


def _name(node: Tree[Any] | Token) -> str:
    """Text of an identifier, keyword, literal or plain string node."""
    if isinstance(node, Token):
        return str(node.value)
    if node.data == "string":
        return "".join(
            str(t.value)
            for part in node.children
            if isinstance(part, Tree)
            for t in part.children
            if isinstance(t, Token)
        )
    return "".join(_name(c) for c in node.children)


def _body(tree: Tree[Any], path: Path) -> Body:
    body = Body()
    for child in tree.children:
        if not isinstance(child, Tree):
            continue
        if child.data == "attribute":
            name_node, expr = child.children[0], child.children[-1]
            assert isinstance(expr, Tree)
            body.attributes.append(Attribute(_name(name_node), expr, path, line_of(child)))
        elif child.data == "block":
            parts = [c for c in child.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")]
            inner = next(c for c in parts if isinstance(c, Tree) and c.data == "body")
            heads = [c for c in parts[: parts.index(inner)] if not isinstance(c, Token)]
            body.blocks.append(
                Block(_name(heads[0]), [_name(h) for h in heads[1:]], _body(inner, path), path, line_of(child))
            )
    return body


def parse_text(text: str, path: Path) -> Body:
    hcl2 = _parser()
    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = hcl2.parses_to_tree(text)
    except LarkError as exc:
        line = int(getattr(exc, "line", 0) or 0)
        raise HclParseError(path, line, f"HCL syntax error: {str(exc).splitlines()[0]}") from exc
    body = next(c for c in tree.children if isinstance(c, Tree) and c.data == "body")
    return _body(body, path)


def parse_expression(text: str) -> Tree[Any] | None:
    """Parse one expression (from a heredoc interpolation); None if it does not parse."""
    try:
        body = parse_text(f"x = {text}\n", Path("<expr>"))
    except HclParseError:
        return None
    return body.attributes[0].expr if body.attributes else None


def parse_file(path: Path) -> Body:
    return parse_text(path.read_text(encoding="utf-8"), path)
