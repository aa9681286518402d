"""Value rules: what the real provider's validators and the AWS APIs reject, checked offline.

Terraform core checks a configuration against a provider's *schema*; the values themselves
(an enumeration, a name's length or character set, an ARN's shape, two arguments that exclude
each other) are checked by the provider in ``ValidateResourceConfig`` and by AWS at apply time.
The stand-in provider (:mod:`tf_offline.provider`) answers those calls with the rules here.

This module is the engine: the rule kinds, how a configuration is walked, and the AWS API
model lookup. The rules themselves are data, one table per provider
(:mod:`tf_offline.aws_rules`), each entry naming where it was read: a provider source file
(``hashicorp/terraform-provider-aws``), an AWS API model shape (botocore's service models, the
machine-readable API definitions the AWS SDKs, the Go SDK the provider uses included, are
generated from), or an AWS API reference page.

Semantics follow the provider's SDK:

* a rule applies to a known, non-null value; unknown values (known only after apply) and null
  (unset) values pass, as they do in the provider;
* ``"a.b.c"`` addresses attribute ``c`` of nested block (or object attribute) ``b`` of ``a``,
  through every element of list and set blocks; ``"x[*]"`` is every element of a list or set
  attribute, or every value of a map; ``"x[keys]"`` every key of a map;
* cross-attribute rules (conflicts, exactly one of, at least one of, required with) apply to
  one object: the resource itself, or every element of the nested block given as their scope.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

# The value the stand-in decodes an unknown value to (msgpack extension type 0 or 12).
UNKNOWN: Any = object()

# -- where a rule was read ---------------------------------------------------------------------

PROVIDER_REPO = "hashicorp/terraform-provider-aws"


@dataclass(frozen=True)
class Origin:
    """Where a rule was read: ``kind`` is provider, api-model or api-doc; ``version`` says which
    version of a provider file was read."""

    kind: str
    where: str
    version: str = ""

    def __str__(self) -> str:
        if self.kind == "provider":
            version = f" ({self.version})" if self.version else ""
            return f"{PROVIDER_REPO} {self.where}{version}"
        if self.kind == "api-model":
            return f"AWS API model {self.where}"
        return f"AWS API documentation {self.where}"


def provider_source(path: str, version: str = "") -> Origin:
    return Origin("provider", path, version)


def api_doc(url: str) -> Origin:
    return Origin("api-doc", url)


# -- value rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRule:
    """A check of one value; ``problem`` returns what is wrong with it, or None."""

    def problem(self, value: Any, name: str) -> str | None:
        raise NotImplementedError

    @property
    def rule_class(self) -> str:
        raise NotImplementedError


def _show(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else repr(value)


@dataclass(frozen=True)
class Length(ValueRule):
    """validation.StringLenBetween / StringLenAtLeast / an API shape's min and max."""

    min: int = 0
    max: int | None = None

    @property
    def rule_class(self) -> str:
        return "length"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        if len(value) < self.min or (self.max is not None and len(value) > self.max):
            upper = "" if self.max is None else f" - {self.max}"
            return (
                f"expected length of {name} to be in the range ({self.min}{upper}), got {_show(value)} ({len(value)})"
            )
        return None


@dataclass(frozen=True)
class Pattern(ValueRule):
    """validation.StringMatch (the regular expression found anywhere, as Go's MatchString) or,
    with ``full``, an API pattern that the whole value must match."""

    regex: str
    message: str = ""
    full: bool = False

    @property
    def rule_class(self) -> str:
        return "pattern"

    @functools.cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        matched = self.compiled.fullmatch(value) if self.full else self.compiled.search(value)
        if matched:
            return None
        why = self.message or f"must match {'the whole value to ' if self.full else ''}{self.regex}"
        return f"invalid value for {name} ({why}), got {_show(value)}"


@dataclass(frozen=True)
class NotPattern(ValueRule):
    """validation.StringDoesNotMatch: the regular expression must be found nowhere."""

    regex: str
    message: str

    @property
    def rule_class(self) -> str:
        return "pattern"

    def problem(self, value: Any, name: str) -> str | None:
        if isinstance(value, str) and re.search(self.regex, value):
            return f"invalid value for {name} ({self.message}), got {_show(value)}"
        return None


@dataclass(frozen=True)
class Characters(ValueRule):
    """The characters an API accepts, as a set (EC2 descriptions): names the ones it does not."""

    allowed: str  # a regular expression character class, e.g. "[a-zA-Z0-9 ._-]"
    description: str

    @property
    def rule_class(self) -> str:
        return "pattern"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        bad = sorted({c for c in value if not re.fullmatch(self.allowed, c)})
        if not bad:
            return None
        return f"{name} may contain only {self.description}; it contains {''.join(bad)!r}: {_show(value)}"


@dataclass(frozen=True)
class OneOf(ValueRule):
    """validation.StringInSlice / enum.Validate[...] / an API enumeration."""

    values: tuple[str, ...]
    ignore_case: bool = False

    @property
    def rule_class(self) -> str:
        return "enum"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        if value in self.values or (self.ignore_case and value.lower() in {v.lower() for v in self.values}):
            return None
        return f"expected {name} to be one of {list(self.values)}, got {_show(value)}"


@dataclass(frozen=True)
class Between(ValueRule):
    """validation.IntBetween / IntAtLeast / IntAtMost / an API shape's min and max."""

    min: float | None = None
    max: float | None = None

    @property
    def rule_class(self) -> str:
        return "range"

    def problem(self, value: Any, name: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            low = "-inf" if self.min is None else _number(self.min)
            high = "inf" if self.max is None else _number(self.max)
            return f"expected {name} to be in the range ({low} - {high}), got {_number(value)}"
        return None


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class NumberIn(ValueRule):
    """validation.IntInSlice."""

    values: tuple[int, ...]

    @property
    def rule_class(self) -> str:
        return "enum"

    def problem(self, value: Any, name: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if value in self.values:
            return None
        return f"expected {name} to be one of {list(self.values)}, got {_number(value)}"


@dataclass(frozen=True)
class DivisibleBy(ValueRule):
    """validation.IntDivisibleBy."""

    divisor: int

    @property
    def rule_class(self) -> str:
        return "range"

    def problem(self, value: Any, name: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if value % self.divisor == 0:
            return None
        return f"expected {name} to be divisible by {self.divisor}, got {_number(value)}"


_ARN_PARTITION = re.compile(r"^aws(-[a-z]+)*$")
_ARN_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_ARN_ACCOUNT = re.compile(r"^(aws|aws-managed|third-party|\d{12}|cw.{10})$")


@dataclass(frozen=True)
class Arn(ValueRule):
    """verify.ValidARN: arn:<partition>:<service>:<region>:<account>:<resource>, each part in
    the provider's format (region and account may be empty); ``service`` narrows it further."""

    service: str | None = None

    @property
    def rule_class(self) -> str:
        return "arn"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str) or value == "":
            return None
        why = self._why(value)
        return f"{name} ({value}) is an invalid ARN: {why}" if why else None

    def _why(self, value: str) -> str | None:
        parts = value.split(":", 5)
        if len(parts) < 6 or parts[0] != "arn":
            return "arn: invalid prefix" if not value.startswith("arn:") else "arn: not enough sections"
        _, partition, service, region, account, resource = parts
        checks = [
            (bool(_ARN_PARTITION.match(partition)), "invalid partition value"),
            (not region or bool(_ARN_REGION.match(region)), "invalid region value"),
            (not account or bool(_ARN_ACCOUNT.match(account)), "invalid account ID value"),
            (bool(resource), "missing resource value"),
            (self.service is None or service == self.service, f"not an ARN of service {self.service}"),
        ]
        return next((why for ok, why in checks if not ok), None)


@dataclass(frozen=True)
class Json(ValueRule):
    """validation.StringIsJSON; with ``object_only``, verify.ValidIAMPolicyJSON (a JSON object,
    no leading space, no duplicate keys), and with ``max_length`` its size limit."""

    object_only: bool = False
    max_length: int | None = None

    @property
    def rule_class(self) -> str:
        return "json"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        if self.object_only and not value.startswith("{"):
            return f"{name} contains an invalid JSON policy: not a JSON object (it starts with {value[:1]!r})"

        def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            keys = [key for key, _ in pairs]
            duplicated = sorted({key for key in keys if keys.count(key) > 1})
            if duplicated and self.object_only:
                raise ValueError(f"duplicate JSON keys {duplicated}")
            return dict(pairs)

        try:
            parsed = json.loads(value, object_pairs_hook=no_duplicates)
        except ValueError as error:
            return f"{name} contains an invalid JSON: {error}"
        if self.max_length is not None:
            size = len(json.dumps(parsed, separators=(",", ":")))
            if size > self.max_length:
                return f"{name}: cannot exceed quota for PolicySize: {self.max_length} (actual: {size})"
        return None


@dataclass(frozen=True)
class Cidr(ValueRule):
    """verify.ValidIPv4CIDRNetworkAddress: an IPv4 CIDR block that is its own network address."""

    @property
    def rule_class(self) -> str:
        return "pattern"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            return f"{name}: {value!r} is not a valid CIDR block"
        if network.version != 4:
            return f"{name}: {value!r} is not a valid IPv4 CIDR block"
        if str(network) != value:
            return f"{name}: {value!r} is not a valid IPv4 CIDR block; did you mean {str(network)!r}?"
        return None


@dataclass(frozen=True)
class Items(ValueRule):
    """MinItems / MaxItems of a list or set attribute (blocks are counted by Terraform core)."""

    min: int = 0
    max: int | None = None

    @property
    def rule_class(self) -> str:
        return "length"

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, list | dict):
            return None
        if len(value) < self.min or (self.max is not None and len(value) > self.max):
            upper = "" if self.max is None else f" to {self.max}"
            return f"{name}: expected {self.min}{upper} item(s), got {len(value)}"
        return None


@dataclass(frozen=True)
class AnyOf(ValueRule):
    """validation.Any: the value passes when one of the rules passes."""

    rules: tuple[ValueRule, ...]

    @property
    def rule_class(self) -> str:
        return self.rules[0].rule_class

    def problem(self, value: Any, name: str) -> str | None:
        problems = [rule.problem(value, name) for rule in self.rules]
        if any(p is None for p in problems):
            return None
        return "; or ".join(p for p in problems if p)


@dataclass(frozen=True)
class JsonItems(ValueRule):
    """In a JSON document (a dashboard body), every array at ``selector`` holds min..max items.

    ``selector`` is dot-separated keys; ``key[*]`` walks every element of an array and
    ``key[field=value]`` only the elements whose field has that value."""

    selector: str
    min: int = 0
    max: int | None = None

    @property
    def rule_class(self) -> str:
        return "length"

    def _select(self, document: Any) -> Iterator[tuple[str, Any]]:
        nodes: list[tuple[str, Any]] = [("", document)]
        for step in self.selector.split("."):
            match = re.fullmatch(r"(\w+)(?:\[(\*|(\w+)=([\w-]+))\])?", step)
            if not match:
                raise ValueError(f"bad selector step {step!r}")
            key, every, field_name, field_value = match.groups()
            following: list[tuple[str, Any]] = []
            for where, node in nodes:
                child = node.get(key) if isinstance(node, dict) else None
                here = f"{where}.{key}" if where else key
                if every is None:
                    if child is not None:
                        following.append((here, child))
                    continue
                for index, item in enumerate(child if isinstance(child, list) else []):
                    if field_name is None or (isinstance(item, dict) and item.get(field_name) == field_value):
                        following.append((f"{here}[{index}]", item))
            nodes = following
        yield from nodes

    def problem(self, value: Any, name: str) -> str | None:
        if not isinstance(value, str):
            return None
        try:
            document = json.loads(value)
        except ValueError:
            return None  # the JSON rule reports it
        for where, node in self._select(document):
            if isinstance(node, list) and (len(node) < self.min or (self.max is not None and len(node) > self.max)):
                upper = "" if self.max is None else f" to {self.max}"
                return f"{name}: {where} holds {len(node)} item(s); the API accepts {self.min}{upper}"
        return None


# -- rules of an attribute, from where they were read -------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The rules of one attribute path read from one place."""

    origin: Origin
    checks: tuple[ValueRule, ...]


def rules(origin: Origin, *checks: ValueRule) -> Rules:
    return Rules(origin, checks)


@dataclass(frozen=True)
class Api:
    """The constraints an AWS API model gives the input member ``member`` (dot-separated through
    structures and lists) of ``operation``: length, pattern (whole value), enumeration, range,
    item count. Resolved from botocore's service models when the rules are loaded.

    ``via``: the provider validator that applies the same values (``enum.Validate[types.X]()``
    checks the AWS SDK for Go's enumeration, generated from the same model); the rule is then
    reported as the provider's. ``only``: the constraint kinds applied (default: all)."""

    service: str
    operation: str
    member: str
    via: Origin | None = None
    only: tuple[str, ...] = ()


# -- cross-attribute rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectRule:
    """A rule over several attributes of one object (``scope``: "" for the resource itself)."""

    origin: Origin
    scope: str

    @property
    def rule_class(self) -> str:
        raise NotImplementedError

    @property
    def attributes(self) -> tuple[str, ...]:
        raise NotImplementedError

    def problem(self, obj: dict[str, Any]) -> str | None:
        raise NotImplementedError

    def anchor(self, obj: dict[str, Any]) -> str:
        """The attribute a diagnostic points at: the first of the rule's attributes that is set."""
        given = [name for name in self.attributes if _set(obj, name) is not None]
        return (given or list(self.attributes))[0].split(".")[0]


def _set(obj: dict[str, Any], name: str) -> Any:
    """The value of name in obj (None when unset: null, or a nested block given no element); a path
    "a.b" looks into a single nested block."""
    value: Any = obj
    for part in name.split("."):
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, list) and not value:
        return None
    return value


@dataclass(frozen=True)
class ConflictsWith(ObjectRule):
    attribute: str = ""
    others: tuple[str, ...] = ()

    @property
    def rule_class(self) -> str:
        return "conflicts"

    @property
    def attributes(self) -> tuple[str, ...]:
        return (self.attribute, *self.others)

    def problem(self, obj: dict[str, Any]) -> str | None:
        value = _set(obj, self.attribute)
        if value is None or value is UNKNOWN:
            return None
        clashing = [o for o in self.others if _set(obj, o) is not None and _set(obj, o) is not UNKNOWN]
        if clashing:
            return f'"{self.attribute}": conflicts with {", ".join(clashing)}'
        return None


@dataclass(frozen=True)
class ExactlyOneOf(ObjectRule):
    """ExactlyOneOf; with ``when``, only when that attribute is set (a CustomizeDiff check such as
    the metric alarm's "one of statistic or extended_statistic" for a metric_name)."""

    names: tuple[str, ...] = ()
    when: str = ""

    @property
    def rule_class(self) -> str:
        return "exactly-one-of"

    @property
    def attributes(self) -> tuple[str, ...]:
        return (*self.names, self.when) if self.when else self.names

    def problem(self, obj: dict[str, Any]) -> str | None:
        if self.when and (_set(obj, self.when) is None or _set(obj, self.when) is UNKNOWN):
            return None
        values = {name: _set(obj, name) for name in self.names}
        if any(v is UNKNOWN for v in values.values()):
            return None
        given = [name for name, v in values.items() if v is not None]
        if len(given) == 1:
            return None
        if not given:
            return f"one of `{','.join(self.names)}` must be specified"
        return f"only one of `{','.join(self.names)}` can be specified, but `{','.join(given)}` were specified"


@dataclass(frozen=True)
class AtLeastOneOf(ObjectRule):
    names: tuple[str, ...] = ()

    @property
    def rule_class(self) -> str:
        return "at-least-one-of"

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.names

    def problem(self, obj: dict[str, Any]) -> str | None:
        values = [_set(obj, name) for name in self.names]
        if any(v is UNKNOWN for v in values) or any(v is not None for v in values):
            return None
        return f"one of `{','.join(self.names)}` must be specified"


@dataclass(frozen=True)
class RequiredWith(ObjectRule):
    attribute: str = ""
    others: tuple[str, ...] = ()

    @property
    def rule_class(self) -> str:
        return "required-with"

    @property
    def attributes(self) -> tuple[str, ...]:
        return (self.attribute, *self.others)

    def problem(self, obj: dict[str, Any]) -> str | None:
        value = _set(obj, self.attribute)
        if value is None or value is UNKNOWN:
            return None
        missing = [o for o in self.others if _set(obj, o) is None]
        if missing:
            return f'"{self.attribute}": all of `{",".join((self.attribute, *self.others))}` must be specified'
        return None


@dataclass(frozen=True)
class ProductAtMost(ObjectRule):
    """The product of numeric attributes is at most ``maximum`` (an alarm's evaluation range:
    period x evaluation_periods); with ``below``, only while that attribute is below the value."""

    names: tuple[str, ...] = ()
    maximum: float = 0
    below: tuple[str, float] | None = None

    @property
    def rule_class(self) -> str:
        return "range"

    @property
    def attributes(self) -> tuple[str, ...]:
        return self.names

    def problem(self, obj: dict[str, Any]) -> str | None:
        values = [_set(obj, name) for name in self.names]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            return None
        if self.below is not None:
            limit = _set(obj, self.below[0])
            if not isinstance(limit, int | float) or limit >= self.below[1]:
                return None
        product = 1.0
        for value in values:
            product *= value
        if product <= self.maximum:
            return None
        when = f" while {self.below[0]} is below {_number(self.below[1])}" if self.below else ""
        return f"{' x '.join(self.names)} = {_number(product)} exceeds {_number(self.maximum)}{when}"


# -- a type's rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeRules:
    """Everything checked for one resource or data source type, and what is knowingly not."""

    attributes: dict[str, Sequence[Rules | Api]] = field(default_factory=dict)
    objects: Sequence[ObjectRule] = ()
    # Attributes with no value rule in the provider or the API (or one not transcribed), with why.
    unchecked: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One resolved value rule of an attribute path."""

    path: str
    rule: ValueRule
    origin: Origin


@dataclass(frozen=True)
class Violation:
    """A value a rule rejects: where (steps from the resource: names, list indices, map keys)."""

    steps: tuple[str | int, ...]
    message: str
    origin: Origin
    rule_class: str

    @property
    def address(self) -> str:
        text = ""
        for step in self.steps:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
        return text


# -- the AWS API models (botocore) ---------------------------------------------------------------


class ApiModelError(LookupError):
    """An Api reference names an operation or member the model does not have."""


@functools.cache
def _service_model(service: str) -> dict[str, Any]:
    from botocore.loaders import Loader

    model: dict[str, Any] = dict(Loader().load_service_model(service, "service-2"))
    return model


# Unicode classes of Java regular expressions (API models) that Python's re lacks; each is
# replaced by a class at least as wide inside the brackets it appears in (\w: letters, digits
# and "_"), so a translated pattern never rejects what the API accepts.
_JAVA_CLASSES = {r"\p{L}": r"\w", r"\p{N}": r"\w", r"\p{Z}": r"\s", r"\p{M}": r"\w\u0300-\u036f"}


def _python_regex(pattern: str) -> str:
    for java, python in _JAVA_CLASSES.items():
        pattern = pattern.replace(java, python)
    return pattern


def api_member_shape(reference: Api) -> dict[str, Any]:
    model = _service_model(reference.service)
    operation = model["operations"].get(reference.operation)
    if operation is None or "input" not in operation:
        raise ApiModelError(f"{reference.service} has no operation {reference.operation} with an input")
    shapes = model["shapes"]
    shape = shapes[operation["input"]["shape"]]
    for part in reference.member.split("."):
        if part == "member" and shape["type"] == "list":  # "Architectures.member": the list's element
            shape = shapes[shape["member"]["shape"]]
            continue
        if part in ("key", "value") and shape["type"] == "map":  # "Variables.key": a map's key or value
            shape = shapes[shape[part]["shape"]]
            continue
        while shape["type"] == "list":
            shape = shapes[shape["member"]["shape"]]
        members = shape.get("members", {})
        if part not in members:
            raise ApiModelError(f"{reference.service} {reference.operation}: no member {reference.member}")
        shape = shapes[members[part]["shape"]]
    found: dict[str, Any] = shape
    return found


def resolve_api(reference: Api) -> tuple[Origin, tuple[ValueRule, ...]]:
    """The checks an API model shape implies, and the shape they come from."""
    shape = api_member_shape(reference)
    model = f"{reference.service} {reference.operation} {reference.member}"
    origin = Origin("api-model", model)
    if reference.via is not None:
        origin = Origin(
            reference.via.kind, reference.via.where, f"{reference.via.version}; values: AWS API model {model}"
        )

    def wanted(kind: str) -> bool:
        return not reference.only or kind in reference.only

    checks: list[ValueRule] = []
    kind = shape["type"]
    if kind == "string":
        if "enum" in shape and wanted("enum"):
            checks.append(OneOf(tuple(shape["enum"])))
        if ("min" in shape or "max" in shape) and wanted("length"):
            checks.append(Length(int(shape.get("min", 0)), shape.get("max")))
        if "pattern" in shape and wanted("pattern"):
            checks.append(Pattern(_python_regex(shape["pattern"]), f"the API's pattern {shape['pattern']}", full=True))
    elif kind in ("integer", "long", "float", "double"):
        if ("min" in shape or "max" in shape) and wanted("range"):
            checks.append(Between(shape.get("min"), shape.get("max")))
    elif kind in ("list", "map") and ("min" in shape or "max" in shape) and wanted("length"):
        checks.append(Items(int(shape.get("min", 0)), shape.get("max")))
    if not checks:
        raise ApiModelError(f"AWS API model {model} gives no {'/'.join(reference.only) or 'constraint'}")
    return origin, tuple(checks)


# -- walking a configuration -------------------------------------------------------------------


def _split(path: str) -> tuple[list[str], str | None]:
    """("a.b.c[*]") -> (["a", "b", "c"], "*")."""
    match = re.fullmatch(r"([\w.]+)(?:\[(\*|keys)\])?", path)
    if not match:
        raise ValueError(f"bad attribute path {path!r}")
    return match.group(1).split("."), match.group(2)


def values_at(obj: Any, path: str) -> Iterator[tuple[tuple[str | int, ...], Any, str]]:
    """(steps, value, name) of every known, non-null value at path in a decoded configuration.

    Steps are attribute names, list (or set) indices and map keys from the resource; the name is
    the provider's dotted key (``vpc_config.0.subnet_ids``) for messages."""
    names, element = _split(path)

    def leaves(node: Any, steps: tuple[str | int, ...], key: str) -> Iterator[Any]:
        if element is None:
            yield steps, node, key
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if item is not None and item is not UNKNOWN:
                    yield (*steps, index), item, f"{key}.{index}"
        elif isinstance(node, dict) and element == "keys":
            for name in node:
                yield steps, name, f"{key} key"
        elif isinstance(node, dict):
            for name, item in node.items():
                if item is not None and item is not UNKNOWN:
                    yield (*steps, name), item, f"{key}.{name}"

    def walk(node: Any, rest: list[str], steps: tuple[str | int, ...], key: str) -> Iterator[Any]:
        if node is None or node is UNKNOWN:
            return
        if not rest:
            yield from leaves(node, steps, key)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, rest, (*steps, index), f"{key}.{index}")
        elif isinstance(node, dict):
            head = rest[0]
            yield from walk(node.get(head), rest[1:], (*steps, head), f"{key}.{head}" if key else head)

    yield from walk(obj, names, (), "")


def objects_at(obj: Any, scope: str) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every object of a nested block (scope "": the resource itself)."""
    if not scope:
        if isinstance(obj, dict):
            yield (), obj
        return
    for steps, value, _ in values_at(obj, scope):
        if isinstance(value, dict):
            yield steps, value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield (*steps, index), item


class RuleSet:
    """A provider's rule tables with every Api reference resolved: what the stand-in checks."""

    def __init__(self, resources: dict[str, TypeRules], data_sources: dict[str, TypeRules]) -> None:
        self.tables = {"resource": resources, "data": data_sources}
        self._checks: dict[tuple[str, str], list[Check]] = {}

    def checks(self, kind: str, type_name: str) -> list[Check]:
        key = (kind, type_name)
        if key not in self._checks:
            table = self.tables[kind].get(type_name, TypeRules())
            resolved: list[Check] = []
            for path, entries in table.attributes.items():
                for entry in entries:
                    origin, checks = resolve_api(entry) if isinstance(entry, Api) else (entry.origin, entry.checks)
                    resolved.extend(Check(path, check, origin) for check in checks)
            self._checks[key] = resolved
        return self._checks[key]

    def objects(self, kind: str, type_name: str) -> Sequence[ObjectRule]:
        return self.tables[kind].get(type_name, TypeRules()).objects

    def validate(self, kind: str, type_name: str, config: Any) -> list[Violation]:
        """Every rule the configuration (decoded, unknowns as UNKNOWN) breaks."""
        found: list[Violation] = []
        for check in self.checks(kind, type_name):
            for steps, value, name in values_at(config, check.path):
                message = check.rule.problem(value, name)
                if message:
                    found.append(Violation(steps, message, check.origin, check.rule.rule_class))
        for rule in self.objects(kind, type_name):
            for steps, obj in objects_at(config, rule.scope):
                message = rule.problem(obj)
                if message:
                    found.append(Violation((*steps, rule.anchor(obj)), message, rule.origin, rule.rule_class))
        return found
