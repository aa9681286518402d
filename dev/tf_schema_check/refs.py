"""References (``var.x``, ``aws_x.name[0].attr``, ``module.m.out``, ...) in an expression tree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lark import Token, Tree

from tf_schema_check.hcl import line_of, parse_expression

# ("attr", name) | ("index", None) | ("splat", None)
Step = tuple[str, str | None]


@dataclass(frozen=True)
class Reference:
    root: str
    steps: tuple[Step, ...]
    line: int

    def attrs(self) -> list[str]:
        """The attribute names of the traversal, in order (indexes and splats left out)."""
        return [s[1] for s in self.steps if s[0] == "attr" and s[1] is not None]

    def after(self, count: int) -> str | None:
        """The first attribute name after the first ``count`` attribute steps."""
        seen = 0
        for kind, value in self.steps:
            if kind != "attr":
                continue
            if seen == count:
                return value
            seen += 1
        return None

    def text(self) -> str:
        out = self.root
        for kind, value in self.steps:
            out += f".{value}" if kind == "attr" else "[*]" if kind == "splat" else "[...]"
        return out


def _kids(tree: Tree[Any]) -> list[Tree[Any]]:
    return [c for c in tree.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _ident(node: Tree[Any] | Token) -> str:
    if isinstance(node, Token):
        return str(node.value)
    return "".join(_ident(c) for c in node.children)


def _traversal(t: Tree[Any]) -> tuple[str, list[Step], list[Tree[Any]]] | None:
    """(root name, steps, index expressions) if ``t`` is a plain traversal from a name."""
    data = t.data
    if data == "expr_term":
        kids = _kids(t)
        if len(kids) != 1 or any(isinstance(c, Token) and c.type == "LPAR" for c in t.children):
            return None
        return _traversal(kids[0])
    if data == "identifier":
        return _ident(t), [], []
    if data in ("get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"):
        kids = _kids(t)
        inner = _traversal(kids[0])
        if inner is None:
            return None
        root, steps, indexes = inner
        op = kids[1]
        if data == "get_attr_expr_term":
            steps = [*steps, ("attr", _ident(_kids(op)[0]) if _kids(op) else None)]
        elif data == "index_expr_term":
            steps = [*steps, ("index", None)]
            indexes = [*indexes, *_kids(op)]
        else:
            steps = [*steps, ("splat", None)]
            for part in _kids(op):
                if part.data == "get_attr":
                    steps.append(("attr", _ident(_kids(part)[0]) if _kids(part) else None))
                else:
                    steps.append(("index", None))
                    indexes.extend(_kids(part))
        return root, steps, indexes
    return None


_HEREDOC_FOR = re.compile(r"%\{~?\s*for\s+(\w+)(?:\s*,\s*(\w+))?\s+in\s+")


def _interpolations(text: str) -> Iterator[tuple[int, str]]:
    """(offset, expression text) of each ``${...}`` / ``%{ if|for ... }`` in a template."""
    i = 0
    while True:
        start = min((p for p in (text.find("${", i), text.find("%{", i)) if p >= 0), default=-1)
        if start < 0:
            return
        if start > 0 and text[start - 1] == text[start]:  # $${ and %%{ are escapes
            i = start + 2
            continue
        depth, j = 0, start + 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        inner = text[start + 2 : j].strip().strip("~").strip()
        if text[start] == "%":
            inner = re.sub(r"^(for\s+\w+(\s*,\s*\w+)?\s+in|if|else|endif|endfor)\b", "", inner).strip()
        if inner:
            yield start, inner
        i = j + 1


def _heredoc_refs(token: Token, scope: frozenset[str]) -> Iterator[Reference]:
    text = str(token.value)
    base = int(token.line or 0)
    names = {n for m in _HEREDOC_FOR.finditer(text) for n in m.groups() if n}
    inner_scope = scope | names
    for offset, expr_text in _interpolations(text):
        expr = parse_expression(expr_text)
        if expr is None:
            continue
        line = base + text.count("\n", 0, offset)
        for ref in references(expr, inner_scope):
            yield Reference(ref.root, ref.steps, line)


def references(  # noqa: PLR0912 - one branch per kind of expression node
    tree: Tree[Any] | Token, scope: frozenset[str] = frozenset()
) -> Iterator[Reference]:
    """Every reference in an expression, with names bound in ``scope`` (iterators) left out."""
    if isinstance(tree, Token):
        if tree.type in ("HEREDOC_TEMPLATE", "HEREDOC_TEMPLATE_TRIM"):
            yield from _heredoc_refs(tree, scope)
        return
    data = tree.data
    if data in ("expr_term", "identifier", "get_attr_expr_term", "index_expr_term") or data.endswith("splat_expr_term"):
        found = _traversal(tree)
        if found is not None:
            root, steps, indexes = found
            if root not in scope:
                yield Reference(root, tuple(steps), line_of(tree))
            for index in indexes:
                yield from references(index, scope)
            return
    if data in ("for_tuple_expr", "for_object_expr"):
        intro = next(c for c in _kids(tree) if c.data == "for_intro")
        parts = _kids(intro)
        names = {_ident(p) for p in parts if p.data == "identifier"}
        for p in parts:
            if p.data != "identifier":
                yield from references(p, scope)
        inner = scope | names
        for c in _kids(tree):
            if c is not intro:
                yield from references(c, inner)
        return
    if data == "object_elem_key":
        kids = _kids(tree)
        found = _traversal(kids[0]) if kids else None
        if found is not None and not found[1]:
            return  # a bare name as an object key is a literal key, not a reference
    if data == "function_call":
        for c in _kids(tree)[1:]:
            yield from references(c, scope)
        return
    if data == "string":
        names = set()
        for part in tree.iter_subtrees():
            if part.data == "template_for_start":
                names |= {_ident(p) for p in _kids(part) if p.data == "identifier"}
        if names:
            for part in tree.iter_subtrees():
                if part.data == "template_for_start":
                    for p in _kids(part):
                        if p.data != "identifier":
                            yield from references(p, scope)
            scope = scope | names
            for c in tree.children:
                if isinstance(c, Tree):
                    for sub in c.children:
                        if isinstance(sub, Tree) and sub.data != "template_for_start":
                            yield from references(sub, scope)
            return
    for c in tree.children:
        if isinstance(c, Tree | Token):
            yield from references(c, scope)
