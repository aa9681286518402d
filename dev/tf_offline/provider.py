"""A stand-in provider plugin: serves a real provider's schema to Terraform core, nothing more.

``python -m tf_offline.provider SCHEMA.json`` is what the generated ``terraform-provider-<name>``
wrapper runs (see :mod:`tf_offline.cliconfig`). Terraform starts it as a plugin: the go-plugin
handshake (a line on stdout naming a Unix socket and this process's TLS certificate), then
gRPC over the socket with TLS (Terraform asks for it by handing its own certificate over in
``PLUGIN_CLIENT_CERT``), speaking plugin protocol 6.

Protocol layer: the tfplugin6 messages and services, and go-plugin's controller and stdio
services, are the modules generated from the protocol's ``.proto`` files that the PyPI package
``tf`` ships (``tf.gen``). ``tf`` is a provider framework, but its framework half is not used:
it describes each resource as a Python class with typed fields and CRUD methods, and a
stand-in that serves 1,700 resource and 700 data source schemas from data, and never creates
anything, would have to generate a class per type only for the framework to turn them back into
the schema message. Using the generated modules directly keeps the stand-in to the calls
Terraform makes while validating and testing, and avoids carrying a copy of the ``.proto``
files and a protoc build step (the grpcio-tools route) in this repository.

What it answers:

* ``GetMetadata``, ``GetProviderSchema``: the schema (built from the JSON once per schema file
  and cached beside it as the serialized response);
* ``ValidateResourceConfig``, ``ValidateDataResourceConfig``: the provider's value rules
  (:mod:`tf_offline.rules`, the table of :data:`RULE_TABLES` for this provider): what the real
  provider's validators and the AWS APIs reject, on every value known at that point (literals
  in ``terraform validate``; everything known at plan time in ``terraform test``, and again at
  apply time). Terraform core has already checked names, nesting, required arguments and types.
  With ``TF_OFFLINE_RECORD`` set, every attribute path the configuration sets is appended to
  that file (one JSON line per call): the rules report compares them with the table;
* ``ValidateProviderConfig``, ``ConfigureProvider``: no diagnostics;
* ``ReadDataSource`` of ``external`` (the ``hashicorp/external`` data source): runs the program
  as the real provider does (JSON query on stdin, a JSON object of strings on stdout), so the
  module's package build runs for real in ``terraform test``;
* everything else (planning or applying a resource, reading an AWS data source) is
  UNIMPLEMENTED: those runs must use ``mock_provider`` in ``terraform test``.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import importlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import msgpack
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from tf_offline.rules import UNKNOWN, RuleSet, Violation

_NESTING = {
    "single": pb.Schema.NestedBlock.SINGLE,
    "list": pb.Schema.NestedBlock.LIST,
    "set": pb.Schema.NestedBlock.SET,
    "map": pb.Schema.NestedBlock.MAP,
    "group": pb.Schema.NestedBlock.GROUP,
}
_CACHE_SUFFIX = ".schema.pb"
_EXTERNAL_TIMEOUT_SECONDS = 600
RECORD_ENV = "TF_OFFLINE_RECORD"

# The value rules of each provider: a module with RESOURCES and DATA_SOURCES tables.
RULE_TABLES = {"hashicorp/aws": "tf_offline.aws_rules", "hashicorp/external": "tf_offline.external_rules"}


def load_rule_set(source: str) -> RuleSet | None:
    """The rules of a provider source (hashicorp/aws), or None for a provider without a table."""
    module_name = RULE_TABLES.get(source)
    if module_name is None:
        return None
    module = importlib.import_module(module_name)
    return RuleSet(module.RESOURCES, module.DATA_SOURCES)


# -- schema JSON -> GetProviderSchema.Response ---------------------------------------------------


def _block(data: dict[str, Any]) -> pb.Schema.Block:
    block = pb.Schema.Block()
    for name, attr in sorted(data.get("attributes", {}).items()):
        block.attributes.append(
            pb.Schema.Attribute(
                name=name,
                type=json.dumps(attr["type"], separators=(",", ":")).encode(),
                required=bool(attr.get("required")),
                optional=bool(attr.get("optional")),
                computed=bool(attr.get("computed")),
                sensitive=bool(attr.get("sensitive")),
            )
        )
    for name, nested in sorted(data.get("block_types", {}).items()):
        block.block_types.append(
            pb.Schema.NestedBlock(
                type_name=name,
                block=_block(nested["block"]),
                nesting=_NESTING[nested["nesting_mode"]],
                min_items=int(nested.get("min_items", 0)),
                max_items=int(nested.get("max_items", 0)),
            )
        )
    return block


def _schema(entry: dict[str, Any]) -> pb.Schema:
    return pb.Schema(version=int(entry.get("version", 0)), block=_block(entry["block"]))


def schema_response(schema: dict[str, Any]) -> pb.GetProviderSchema.Response:
    response = pb.GetProviderSchema.Response(provider=_schema(schema["provider"]))
    for name, entry in schema["resource_schemas"].items():
        response.resource_schemas[name].CopyFrom(_schema(entry))
    for name, entry in schema["data_source_schemas"].items():
        response.data_source_schemas[name].CopyFrom(_schema(entry))
    response.server_capabilities.plan_destroy = False
    return response


def load_schema_response(path: Path) -> pb.GetProviderSchema.Response:
    """The response for a schema file, from the serialized cache beside it when that is current."""
    cache = path.with_name(path.name + _CACHE_SUFFIX)
    if cache.is_file() and cache.stat().st_mtime_ns >= path.stat().st_mtime_ns:
        return pb.GetProviderSchema.Response.FromString(cache.read_bytes())
    response = schema_response(json.loads(path.read_text(encoding="utf-8")))
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    tmp.write_bytes(response.SerializeToString())
    tmp.replace(cache)
    return response


# -- the external data source, as hashicorp/external runs it -----------------------------------


def _diagnostic(summary: str, detail: str = "") -> pb.Diagnostic:
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)


def _decode(value: pb.DynamicValue) -> Any:
    """A configuration as Python values; unknown values (msgpack extension 0, or 12 with
    refinements) become rules.UNKNOWN."""
    if value.json:
        return json.loads(value.json)
    return msgpack.unpackb(value.msgpack, ext_hook=lambda code, data: UNKNOWN) if value.msgpack else None


# -- value rules: diagnostics and the record of what a configuration sets -----------------------


def _attribute_path(block: pb.Schema.Block, steps: tuple[str | int, ...]) -> pb.AttributePath:
    """The steps as a plugin-protocol path, stopping where Terraform could not follow (a set)."""
    path = pb.AttributePath()
    current: pb.Schema.Block | None = block
    container = ""  # the nesting or type of the value the next index or key steps into
    for step in steps:
        if isinstance(step, int):
            if container != "list":
                break
            path.steps.append(pb.AttributePath.Step(element_key_int=step))
            container = "object" if current is not None else ""
            continue
        if container == "map":
            path.steps.append(pb.AttributePath.Step(element_key_string=step))
            container = ""
            continue
        if current is None:
            break
        attribute = next((a for a in current.attributes if a.name == step), None)
        nested = next((b for b in current.block_types if b.type_name == step), None)
        path.steps.append(pb.AttributePath.Step(attribute_name=step))
        if attribute is not None:
            kind = json.loads(attribute.type)
            container = kind[0] if isinstance(kind, list) else ""
            current = None
        elif nested is not None:
            current = nested.block
            container = {pb.Schema.NestedBlock.LIST: "list", pb.Schema.NestedBlock.SET: "set"}.get(nested.nesting, "")
        else:
            break
    return path


def _violation_diagnostic(block: pb.Schema.Block, violation: Violation) -> pb.Diagnostic:
    return pb.Diagnostic(
        severity=pb.Diagnostic.ERROR,
        summary=violation.message,
        detail=f"Rule ({violation.rule_class}) from {violation.origin}, checked by the offline stand-in provider.",
        attribute=_attribute_path(block, violation.steps),
    )


def _holds_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, list):
        return any(_holds_unknown(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_unknown(item) for item in value.values())
    return False


def set_paths(block: pb.Schema.Block, config: Any, prefix: str = "", *, unknown: bool = False) -> set[str]:
    """The attribute paths (``a.b.c``) a decoded configuration gives a value, known or not; with
    ``unknown``, only those whose value is (or holds) a value not known yet."""
    found: set[str] = set()
    if not isinstance(config, dict):
        return found
    for attribute in block.attributes:
        value = config.get(attribute.name)
        if value is not None and (not unknown or _holds_unknown(value)):
            found.add(prefix + attribute.name)
    for nested in block.block_types:
        value = config.get(nested.type_name)
        if unknown and value is UNKNOWN:
            found.add(prefix + nested.type_name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            found |= set_paths(nested.block, item, f"{prefix}{nested.type_name}.", unknown=unknown)
    return found


def _record(source: str, kind: str, type_name: str, block: pb.Schema.Block, config: Any) -> None:
    target = os.environ.get(RECORD_ENV)
    if not target:
        return
    entry = {
        "provider": source,
        "kind": kind,
        "type": type_name,
        "paths": sorted(set_paths(block, config)),
        "unknown": sorted(set_paths(block, config, unknown=True)),
    }
    line = json.dumps(entry) + "\n"
    with open(target, "a", encoding="utf-8") as handle:  # one write per line: concurrent stand-ins append whole lines
        handle.write(line)


def read_external(config: dict[str, Any]) -> tuple[dict[str, Any] | None, list[pb.Diagnostic]]:
    program = config.get("program") or []
    query = config.get("query") or {}
    working_dir = config.get("working_dir") or None
    if not program or any(not isinstance(arg, str) for arg in program):
        return None, [_diagnostic("External Program Missing", "The data source was configured without a program.")]
    try:
        completed = subprocess.run(  # noqa: S603 - the program the configuration names, as the real provider runs it
            program,
            input=json.dumps(query),
            capture_output=True,
            text=True,
            cwd=working_dir,
            timeout=_EXTERNAL_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, [_diagnostic("External Program Execution Failed", str(error))]
    if completed.returncode != 0:
        detail = (
            "The data source received an unexpected error while attempting to execute the program.\n\n"
            f"Program: {program[0]}\nError Message: {completed.stderr.strip()}\n"
            f"State: exit status {completed.returncode}"
        )
        return None, [_diagnostic("External Program Execution Failed", detail)]
    try:
        result = json.loads(completed.stdout)
    except json.JSONDecodeError as error:
        return None, [_diagnostic("Unexpected External Program Results", f"{error}\n\nProgram: {program[0]}")]
    if not isinstance(result, dict) or any(not isinstance(v, str) for v in result.values()):
        detail = "The data source received unexpected results after executing the program: not an object of strings."
        return None, [_diagnostic("Unexpected External Program Results", detail)]
    state = {
        "id": "-",
        "program": program,
        "query": config.get("query"),
        "working_dir": config.get("working_dir"),
        "result": result,
    }
    return state, []


# -- the gRPC services ----------------------------------------------------------------------


class StandInProvider(rpc.ProviderServicer):  # type: ignore[misc]
    def __init__(
        self,
        schema: pb.GetProviderSchema.Response,
        stopped: threading.Event,
        source: str = "",
        rule_set: RuleSet | None = None,
    ) -> None:
        self.schema = schema
        self.stopped = stopped
        self.source = source
        self.rule_set = rule_set

    def _validate(self, kind: str, type_name: str, value: pb.DynamicValue) -> list[pb.Diagnostic]:
        schemas = self.schema.resource_schemas if kind == "resource" else self.schema.data_source_schemas
        if type_name not in schemas:
            return []
        block = schemas[type_name].block
        config = _decode(value)
        _record(self.source, kind, type_name, block, config)
        if self.rule_set is None:
            return []
        return [_violation_diagnostic(block, v) for v in self.rule_set.validate(kind, type_name, config)]

    def GetMetadata(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC method names
        return pb.GetMetadata.Response(
            server_capabilities=self.schema.server_capabilities,
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in self.schema.resource_schemas],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in self.schema.data_source_schemas],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:  # noqa: N802
        return self.schema

    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        diagnostics = self._validate("resource", request.type_name, request.config)
        return pb.ValidateResourceConfig.Response(diagnostics=diagnostics)

    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:  # noqa: N802
        diagnostics = self._validate("data", request.type_name, request.config)
        return pb.ValidateDataResourceConfig.Response(diagnostics=diagnostics)

    def ConfigureProvider(self, request: Any, context: Any) -> Any:  # noqa: N802
        return pb.ConfigureProvider.Response()

    def ReadDataSource(self, request: Any, context: Any) -> Any:  # noqa: N802
        if request.type_name != "external" or "external" not in self.schema.data_source_schemas:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, f"the stand-in provider cannot read {request.type_name}")
        state, diagnostics = read_external(_decode(request.config) or {})
        if state is None:
            return pb.ReadDataSource.Response(diagnostics=diagnostics)
        return pb.ReadDataSource.Response(state=pb.DynamicValue(msgpack=msgpack.packb(state)))

    def StopProvider(self, request: Any, context: Any) -> Any:  # noqa: N802
        return pb.StopProvider.Response()


class _Controller(controller_rpc.GRPCControllerServicer):  # type: ignore[misc]
    def __init__(self, stopped: threading.Event) -> None:
        self.stopped = stopped

    def Shutdown(self, request: Any, context: Any) -> Any:  # noqa: N802
        self.stopped.set()
        return controller_pb.Empty()


class _Stdio(stdio_rpc.GRPCStdioServicer):  # type: ignore[misc]
    def StreamStdio(self, request: Any, context: Any) -> Any:  # noqa: N802
        return iter(())


def _server_certificate() -> tuple[bytes, bytes, bytes]:
    """(key PEM, certificate PEM, certificate DER) of a fresh self-signed certificate for
    "localhost", shaped as go-plugin's own (CA, server and client auth)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(hours=12))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def serve(schema_path: Path, source: str | None = None) -> int:
    if "6" not in os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "6").split(","):
        print("tf_offline: this stand-in speaks plugin protocol 6 only", file=sys.stderr)
        return 1
    stopped = threading.Event()
    schema = load_schema_response(schema_path)
    rule_set = load_rule_set(source) if source else None
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.max_send_message_length", -1)])
    rpc.add_ProviderServicer_to_server(StandInProvider(schema, stopped, source or "", rule_set), server)
    controller_rpc.add_GRPCControllerServicer_to_server(_Controller(stopped), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(_Stdio(), server)
    with tempfile.TemporaryDirectory(prefix="tfoff-") as tmp:
        socket = f"{tmp}/plugin.sock"
        client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
        if client_cert:
            key_pem, cert_pem, cert_der = _server_certificate()
            # Server-authenticated TLS. go-plugin's client certificate is not verified: it is on
            # P-521, which the TLS stack in grpcio does not offer for client certificates, so
            # requiring it fails every handshake. The socket is in a private temporary directory.
            credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
            server.add_secure_port(f"unix:{socket}", credentials)
            cert_field = base64.b64encode(cert_der).decode().rstrip("=")
        else:
            server.add_insecure_port(f"unix:{socket}")
            cert_field = ""
        server.start()
        # go-plugin handshake: core version | app protocol version | network | address | protocol | cert
        print(f"1|6|unix|{socket}|grpc|{cert_field}", flush=True)
        parent = os.getppid()
        # Terraform ends a plugin through the controller's Shutdown; should Terraform itself die
        # first, the stand-in notices that it has been orphaned and ends too.
        while not stopped.wait(1.0) and os.getppid() == parent:
            pass
        server.stop(grace=0.2).wait()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tf_offline.provider", description=__doc__.split("\n\n")[0])
    parser.add_argument("schema", type=Path, help="schema file written by `python -m tf_offline schemas`")
    parser.add_argument("--source", help="the provider's source (hashicorp/aws): selects its value rules")
    args = parser.parse_args(argv)
    return serve(args.schema, args.source)


if __name__ == "__main__":
    sys.exit(main())
