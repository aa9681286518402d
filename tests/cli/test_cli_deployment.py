"""``--function NAME``: the operator configures nothing; the deployed function's environment and the CA
bundle in its package are the configuration. And the module output that prints what the CLI needs."""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import responses

from qradar_devkit.world import FAILOVER_FUNCTION, DrillWorld
from support.cli import Cli
from support.terraform import REPO, blocks

pytestmark = pytest.mark.integration

FUNCTION = FAILOVER_FUNCTION  # the world creates it as the module does
PACKAGE_BUNDLE = "/var/task/qradar-ca-bundle.pem"  # what the module sets QRADAR_CA_BUNDLE to
PACKAGE_TIME = (1980, 1, 1, 0, 0, 0)
AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION")


def package(world: DrillWorld, *, with_bundle: bool = True) -> bytes:
    """A package with fixed entry times: the same inputs give the same bytes (and the same CodeSha256)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("qradar_failover/__init__.py", PACKAGE_TIME), "")
        if with_bundle:
            archive.writestr(zipfile.ZipInfo("qradar-ca-bundle.pem", PACKAGE_TIME), world.ca.certificate_pem)
    return buffer.getvalue()


def deploy_function(world: DrillWorld, code: bytes, **environment: str) -> str:
    """The world's failover function as the module deploys it: the environment contract, the package,
    the deployment tag."""
    functions = boto3.client("lambda")
    variables = world.env | {"QRADAR_CA_BUNDLE": PACKAGE_BUNDLE, "DRY_RUN": "true"} | environment
    functions.update_function_code(FunctionName=FUNCTION, ZipFile=code)
    functions.update_function_configuration(FunctionName=FUNCTION, Environment={"Variables": variables})
    arn = functions.get_function(FunctionName=FUNCTION)["Configuration"]["FunctionArn"]
    functions.tag_resource(Resource=arn, Tags={"qradar-failover:deployment": "qradar-dr"})
    return str(functions.get_function(FunctionName=FUNCTION)["Code"]["Location"])


@pytest.fixture
def s3_download(world: DrillWorld) -> Iterator[responses.RequestsMock]:
    """Lambda's presigned package URL is answered here; everything on loopback (the consoles) passes through."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_passthru(re.compile(r"https?://127\.0\.0\.1[:/]"))
        yield mock


def bare_env(tmp_path: Path) -> dict[str, str]:
    """An operator's shell: AWS access only, none of the engine's settings."""
    env = {name: os.environ[name] for name in AWS_VARIABLES if name in os.environ}
    return env | {"XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "200", "HOME": str(tmp_path)}


def test_status_with_only_the_function_name(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path
) -> None:
    code = package(world)
    s3_download.get(deploy_function(world, code), body=code)

    first = cli.run("status", "--function", FUNCTION, env=bare_env(tmp_path))
    second = cli.run("status", "--function", FUNCTION, "--json", env=bare_env(tmp_path))

    assert first.code == 0, first.out + first.err
    assert first.out.startswith(f"Consoles (settings from function {FUNCTION} (ca-central-1))")
    assert first.out.rstrip().endswith("Main active, Destination standby, automation armed")
    assert "qradar-dr-qradar-dlc-ca-central-1a-unhealthy-collectors" in first.out
    (cached,) = (tmp_path / "cache" / "qradar-failover").iterdir()
    assert cached.read_bytes() == world.ca.certificate_pem
    assert json.loads(second.out)["healthy"] is True
    assert len(s3_download.calls) == 1, "the bundle is taken from the package once per package version"


def test_flags_still_win_over_the_function(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path
) -> None:
    code = package(world)
    s3_download.get(deploy_function(world, code, LOCK_TABLE_NAME="not-this-table"), body=code)

    result = cli.run("status", "--function", FUNCTION, "--lock-table-name", "qradar-dr-lock", env=bare_env(tmp_path))

    assert result.code == 0, result.out + result.err


def test_a_manual_failover_from_the_function_is_real_although_the_function_rehearses(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path
) -> None:
    """The module's dry_run = true is the automation's rehearsal; 'failover --yes' by hand fails over."""
    code = package(world)
    s3_download.get(deploy_function(world, code), body=code)

    result = cli.run("failover", "--yes", "--function", FUNCTION, env=bare_env(tmp_path) | {"COLUMNS": "400"})

    assert result.code == 0, result.out + result.err
    assert "Note: the function runs with DRY_RUN=true; this manual failover is real" in result.out
    assert world.destination.deployed_dr_config()["site_state"] == "ACTIVE"


def test_a_package_without_the_bundle_is_named(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path
) -> None:
    code = package(world, with_bundle=False)
    s3_download.get(deploy_function(world, code), body=code)

    result = cli.run("status", "--function", FUNCTION, env=bare_env(tmp_path))

    assert result.code == 1
    assert result.err.strip() == (
        f"qradar-failover status: function {FUNCTION}: its package has no qradar-ca-bundle.pem "
        f"(QRADAR_CA_BUNDLE={PACKAGE_BUNDLE}): pass --qradar-ca-bundle"
    )


def test_a_package_that_does_not_match_the_function_is_not_used(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path
) -> None:
    s3_download.get(deploy_function(world, package(world)), body=b"PK tampered")

    result = cli.run("status", "--function", FUNCTION, env=bare_env(tmp_path))

    assert result.code == 1
    assert "does not match the function's CodeSha256; not using it" in result.err
    assert not (tmp_path / "cache" / "qradar-failover").exists()


def test_an_unknown_function_is_named_with_its_region(cli: Cli, world: DrillWorld, tmp_path: Path) -> None:
    result = cli.run("status", "--function", "no-such-function", env=bare_env(tmp_path))

    assert result.code == 1
    assert result.err.strip() == (
        "qradar-failover status: function no-such-function: cannot be read: not found in region ca-central-1 "
        "(ResourceNotFoundException): a wrong --region or name?"
    )


def test_decode_takes_the_main_site_azs_from_the_function(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path
) -> None:
    deploy_function(world, package(world))
    event = tmp_path / "alarm.json"
    event.write_text(json.dumps(world.alarm_message() | {"NewStateValue": "ALARM"}))

    result = cli.run("decode", str(event), "--function", FUNCTION, env=bare_env(tmp_path))

    assert result.code == 0, result.out + result.err
    assert "Decision: acted on: ALARM for the Main-Site AZ ca-central-1a" in result.out
    assert len(s3_download.calls) == 0, "decode needs no CA bundle"


def test_module_output_tells_the_operator_what_the_cli_needs() -> None:
    (output,) = [block for block in blocks(REPO) if block.kind == "output" and block.labels == ("operator_cli",)]
    value = json.dumps(output.body["value"])

    assert "local.function_name" in value and "local.region" in value
    assert "qradar-failover status --function ${local.function_name} --region ${local.region}" in value
    assert "local.function_environment" in value, "the same settings the function has, for a shell without Lambda"


def test_a_function_arn_names_the_region(
    cli: Cli, world: DrillWorld, s3_download: responses.RequestsMock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = package(world)
    s3_download.get(deploy_function(world, code), body=code)
    arn = boto3.client("lambda").get_function(FunctionName=FUNCTION)["Configuration"]["FunctionArn"]
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the operator's default region is another one

    result = cli.run("status", "--function", arn, env=bare_env(tmp_path))

    assert result.code == 0, result.out + result.err
    assert f"settings from function {FUNCTION} (ca-central-1)" in result.out
