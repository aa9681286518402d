"""dev/tf_offline's own parts: the extracted schemas on known cases, the stand-in provider's
plugin handshake and calls, the external data source it runs, and the command line's exit codes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import grpc
import msgpack
import pytest
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from support.terraform import REPO
from tf_offline.cliconfig import write_cli_config
from tf_offline.provider import read_external
from tf_offline.schemas import PROVIDERS, ensure_schemas, load

pytestmark = pytest.mark.terraform

CACHE = REPO / ".cache" / "provider-schemas"


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict[str, Any]]:
    return {name: load(path) for name, path in ensure_schemas(CACHE).items()}


def _resource(schemas: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    block: dict[str, Any] = schemas["aws"]["resource_schemas"][name]["block"]
    return block


def test_schemas_are_the_pinned_provider_releases(schemas: dict[str, dict[str, Any]]) -> None:
    for name, pkg in PROVIDERS.items():
        assert (schemas[name]["source"], schemas[name]["version"]) == (pkg.source, pkg.provider_version)
    assert len(schemas["aws"]["resource_schemas"]) > 1500
    assert len(schemas["aws"]["data_source_schemas"]) > 600


def test_schema_carries_attribute_types_and_flags(schemas: dict[str, dict[str, Any]]) -> None:
    fn = _resource(schemas, "aws_lambda_function")
    assert fn["attributes"]["function_name"] == {"type": "string", "required": True}
    assert fn["attributes"]["memory_size"] == {"type": "number", "optional": True}
    assert fn["attributes"]["publish"]["type"] == "bool"
    assert fn["attributes"]["architectures"] == {"type": ["list", "string"], "optional": True, "computed": True}
    assert fn["attributes"]["tags"]["type"] == ["map", "string"]
    assert fn["attributes"]["invoke_arn"] == {"type": "string", "computed": True}
    vpc = fn["block_types"]["vpc_config"]
    assert (vpc["nesting_mode"], vpc.get("max_items")) == ("list", 1)
    assert vpc["block"]["attributes"]["subnet_ids"] == {"type": ["set", "string"], "required": True}
    assert fn["block_types"]["timeouts"]["nesting_mode"] == "single"
    sub = _resource(schemas, "aws_sns_topic_subscription")
    assert {n for n, a in sub["attributes"].items() if a.get("required")} == {"topic_arn", "protocol", "endpoint"}


def test_schema_carries_nested_and_object_types(schemas: dict[str, dict[str, Any]]) -> None:
    endpoint = _resource(schemas, "aws_vpc_endpoint")
    assert endpoint["attributes"]["dns_entry"]["type"] == [
        "list",
        ["object", {"dns_name": "string", "hosted_zone_id": "string"}],
    ]
    alarm = _resource(schemas, "aws_cloudwatch_metric_alarm")
    assert alarm["block_types"]["metric_query"]["nesting_mode"] == "set"
    assert "metric" in alarm["block_types"]["metric_query"]["block"]["block_types"]
    doc = schemas["aws"]["data_source_schemas"]["aws_iam_policy_document"]["block"]
    statement = doc["block_types"]["statement"]
    assert statement["nesting_mode"] == "list"
    assert statement["block"]["block_types"]["principals"]["nesting_mode"] == "set"
    assert doc["attributes"]["json"] == {"type": "string", "computed": True}
    table = _resource(schemas, "aws_dynamodb_table")
    assert table["block_types"]["attribute"]["nesting_mode"] == "set"
    external = schemas["external"]["data_source_schemas"]["external"]["block"]["attributes"]
    assert external["program"] == {"type": ["list", "string"], "required": True}
    assert external["result"] == {"type": ["map", "string"], "computed": True}
    assert "default_tags" in schemas["aws"]["provider"]["block"]["block_types"]


# -- the stand-in provider over the plugin protocol --------------------------------------------


@pytest.fixture
def stand_in(tmp_path: Path) -> Any:
    """The aws stand-in started as Terraform starts it (its wrapper, PLUGIN_* environment)."""
    write_cli_config(tmp_path, ensure_schemas(CACHE))
    env = {**os.environ, "PLUGIN_PROTOCOL_VERSIONS": "5,6", "PLUGIN_CLIENT_CERT": "client-certificate"}
    process = subprocess.Popen(
        [str(tmp_path / "aws" / "terraform-provider-aws")], stdout=subprocess.PIPE, env=env, text=True
    )
    assert process.stdout is not None
    timer = threading.Timer(60, process.kill)
    timer.start()
    handshake = process.stdout.readline().strip()
    timer.cancel()
    yield handshake
    process.kill()
    process.wait(timeout=10)


def test_stand_in_handshake_and_schema(stand_in: str) -> None:
    core, protocol, network, address, kind, cert = stand_in.split("|")
    assert (core, protocol, network, kind) == ("1", "6", "unix", "grpc")
    der = base64.b64decode(cert + "=" * (-len(cert) % 4))
    pem = b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    credentials = grpc.ssl_channel_credentials(root_certificates=pem)
    options = [("grpc.ssl_target_name_override", "localhost"), ("grpc.max_receive_message_length", 64 << 20)]
    with grpc.secure_channel(f"unix:{address}", credentials, options=options) as channel:
        provider = rpc.ProviderStub(channel)
        schema = provider.GetProviderSchema(pb.GetProviderSchema.Request(), timeout=60)
        fn = schema.resource_schemas["aws_lambda_function"].block
        timeout = next(a for a in fn.attributes if a.name == "timeout")
        assert json.loads(timeout.type) == "number"
        assert not schema.diagnostics
        validated = provider.ValidateResourceConfig(
            pb.ValidateResourceConfig.Request(type_name="aws_lambda_function"), timeout=10
        )
        assert not validated.diagnostics
        # The provider's value rules: a memory size below Lambda's minimum, pointed at its attribute.
        function = {"function_name": "qradar-failover", "filename": "f.zip", "memory_size": 64}
        config = pb.DynamicValue(msgpack=msgpack.packb(function))
        validated = provider.ValidateResourceConfig(
            pb.ValidateResourceConfig.Request(type_name="aws_lambda_function", config=config), timeout=10
        )
        (diagnostic,) = validated.diagnostics
        assert diagnostic.severity == pb.Diagnostic.ERROR
        assert "memory_size" in diagnostic.summary and "64" in diagnostic.summary
        assert [step.attribute_name for step in diagnostic.attribute.steps] == ["memory_size"]
        with pytest.raises(grpc.RpcError) as raised:
            provider.PlanResourceChange(pb.PlanResourceChange.Request(type_name="aws_lambda_function"), timeout=10)
        assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED


# -- the external data source ------------------------------------------------------------------


def test_external_runs_the_program_with_the_query_on_stdin(tmp_path: Path) -> None:
    program = [sys.executable, "-c", "import json,sys; q=json.load(sys.stdin); print(json.dumps({'got': q['x']}))"]
    state, diagnostics = read_external({"program": program, "query": {"x": "1"}, "working_dir": str(tmp_path)})
    assert diagnostics == []
    assert state is not None
    assert state["result"] == {"got": "1"}
    assert state["id"] == "-"


@pytest.mark.parametrize(
    ("code", "summary"),
    [
        ("import sys; sys.exit('boom')", "External Program Execution Failed"),
        ("print('not json')", "Unexpected External Program Results"),
        ("print('{\"n\": 1}')", "Unexpected External Program Results"),
    ],
)
def test_external_reports_a_failing_program(code: str, summary: str) -> None:
    state, diagnostics = read_external({"program": [sys.executable, "-c", code], "query": {}})
    assert state is None
    assert [d.summary for d in diagnostics] == [summary]


# -- the command line ----------------------------------------------------------------------------


def test_cli_validate_fails_on_an_error_and_passes_when_clean(tmp_path: Path) -> None:
    module = tmp_path / "module"
    (module / "examples").mkdir(parents=True)
    (module / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  name = "x"\n}\n', encoding="utf-8")
    env = {**os.environ, "TF_OFFLINE_CACHE": str(CACHE)}
    command = [sys.executable, "-m", "tf_offline", "validate"]
    clean = subprocess.run(command, cwd=module, env=env, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (module / "main.tf").write_text('resource "aws_sns_topic" "t" {\n  nmae = "x"\n}\n', encoding="utf-8")
    bad = subprocess.run(command, cwd=module, env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "Unsupported argument" in bad.stdout
