"""The deployment a command acts on: its settings, AWS access and the engine's runtime.

:func:`deployment_for` takes the settings from ``--function NAME`` (else the environment; flags
win over both). ``--function NAME`` reads the settings of a deployed failover function, so the
operator needs nothing else: Lambda ``GetFunction`` returns the function's environment (the
engine's settings) and a presigned URL of its package, which holds the consoles' CA bundle as
``qradar-ca-bundle.pem`` when the module was given one. The bundle is taken from the package once
per package version (checked against the function's ``CodeSha256``) and kept in the user's cache
directory: it is made of certificates only, nothing secret. Needs ``lambda:GetFunction`` (and
``kms:Decrypt`` on the key that encrypts the function's environment).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import requests

from qradar_failover.aws_errors import AWS_ERRORS
from qradar_failover.config import Config
from qradar_failover.runtime import AWS_CLIENT_CONFIG, Runtime, aws_call_bound_seconds, build_runtime

from .exit_codes import CliError, ExitCode
from .problems import aws_advice, aws_class_of, aws_code_of
from .progress import WaitFor, no_wait
from .settings import DEPLOYMENT_TAG, AwsAccess, aws_access, config_from, environment

FUNCTION_ROOT = PurePosixPath("/var/task")  # where Lambda unpacks a zip package
MAX_PACKAGE_BYTES = 250 * 1024 * 1024  # Lambda's limit for an unpacked package; a zip is smaller


@dataclass
class Deployment:
    config: Config
    env: dict[str, str]
    aws: AwsAccess
    runtime: Runtime
    source: str  # where the settings came from, for people

    @property
    def region(self) -> str:
        return self.aws.region


def deployment_for(
    args: argparse.Namespace, environ: Mapping[str, str], *, wait_for: WaitFor = no_wait, **overrides: Any
) -> Deployment:
    """The settings (from --function, else the environment; flags over both), AWS access and the engine's
    runtime. ``wait_for`` shows what is awaited (the function's settings) on a terminal."""
    if args.function:
        aws = aws_access(args, environ)
        function = settings_of_function(aws, args.function, args, environ, wait_for=wait_for)
        env = environment(args, function.variables)
        source = f"function {function.name} ({aws.region})"
    else:
        env = environment(args, environ)
        aws = None
        source = "the environment"
    config = config_from(env, **overrides)
    aws = aws or aws_access(args, env)
    return Deployment(config, env, aws, build_runtime(config, session=aws.session), source)


@dataclass(frozen=True)
class FunctionSettings:
    name: str
    arn: str
    variables: dict[str, str]  # the environment contract, QRADAR_CA_BUNDLE pointing at a local copy


def settings_of_function(
    aws: AwsAccess,
    function: str,
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    with_ca_bundle: bool = True,
    wait_for: WaitFor = no_wait,
) -> FunctionSettings:
    """The deployed function's settings. The CA bundle is fetched unless a flag gives a local one."""
    try:
        with wait_for(f"AWS Lambda (the settings of function {function})", aws_call_bound_seconds()):
            response = aws.client("lambda").get_function(FunctionName=function)
    except AWS_ERRORS as error:
        advice, code = aws_advice(aws_code_of(error), aws.region, aws_class_of(error))
        raise CliError(f"function {function}: cannot be read: {advice}", code) from None
    configuration = response.get("Configuration") or {}
    environment = configuration.get("Environment") or {}
    if environment.get("Error"):
        failure = environment["Error"]
        raise CliError(
            f"function {function}: its environment cannot be read ({failure.get('ErrorCode')}: "
            f"{failure.get('Message')}); your identity needs kms:Decrypt on the key that encrypts it",
            ExitCode.FAILED,
        )
    variables = {str(k): str(v) for k, v in (environment.get("Variables") or {}).items()}
    if "MAIN_SITE_ADDRESS" not in variables:
        raise CliError(
            f"function {function} ({aws.region}) has no MAIN_SITE_ADDRESS in its environment: is it the QRadar "
            "failover function? (terraform output -raw function_name)",
            ExitCode.USAGE,
        )
    tags = response.get("Tags") or {}
    if "ALARM_NAME_PREFIX" not in variables and tags.get(DEPLOYMENT_TAG):
        variables["ALARM_NAME_PREFIX"] = f"{tags[DEPLOYMENT_TAG]}-"  # the module names its alarms <name>-...
    bundle = variables.get("QRADAR_CA_BUNDLE")
    local_bundle_given = getattr(args, "setting_qradar_ca_bundle", None) is not None
    if bundle and with_ca_bundle and not local_bundle_given:
        cache = _cache_directory(environ)
        variables["QRADAR_CA_BUNDLE"] = str(_ca_bundle_from_package(function, bundle, response, cache))
    return FunctionSettings(
        str(configuration.get("FunctionName", function)), str(configuration.get("FunctionArn", "")), variables
    )


def _ca_bundle_from_package(function: str, bundle: str, response: Mapping[str, Any], cache: Path) -> Path:
    path = PurePosixPath(bundle)
    if not path.is_relative_to(FUNCTION_ROOT):
        raise CliError(
            f"function {function}: QRADAR_CA_BUNDLE is {bundle}, outside its package: pass --qradar-ca-bundle with "
            "a local copy",
            ExitCode.USAGE,
        )
    member = str(path.relative_to(FUNCTION_ROOT))
    configuration = response.get("Configuration") or {}
    expected = str(configuration.get("CodeSha256") or "")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", str(configuration.get("FunctionName", function)))
    target = cache / f"{name}-{_hex(expected)[:16]}-{PurePosixPath(member).name}"
    if target.is_file():
        return target
    location = (response.get("Code") or {}).get("Location")
    if not location:
        raise CliError(
            f"function {function}: Lambda gave no package location (an image function?): pass --qradar-ca-bundle",
            ExitCode.USAGE,
        )
    package = _download(function, str(location))
    if base64.b64encode(hashlib.sha256(package).digest()).decode() != expected:
        raise CliError(
            f"function {function}: the downloaded package does not match the function's CodeSha256; not using it",
            ExitCode.FAILED,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as archive:
            pem = archive.read(member)
    except (zipfile.BadZipFile, KeyError):
        raise CliError(
            f"function {function}: its package has no {member} (QRADAR_CA_BUNDLE={bundle}): pass --qradar-ca-bundle",
            ExitCode.FAILED,
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise CliError(f"function {function}: {member} in its package holds no PEM certificate", ExitCode.FAILED)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".{os.getpid()}.partial")
    partial.write_bytes(pem)
    partial.replace(target)
    return target


def _download(function: str, url: str) -> bytes:
    """The package behind Lambda's presigned URL (valid for 10 minutes), TLS verified."""
    bounds: Any = AWS_CLIENT_CONFIG  # the engine's bounds for AWS (botocore's stubs do not declare them)
    timeout = (bounds.connect_timeout, bounds.read_timeout)
    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            response.raise_for_status()
            data = bytearray()
            for chunk in response.iter_content(1024 * 1024):
                data += chunk
                if len(data) > MAX_PACKAGE_BYTES:
                    raise CliError(f"function {function}: its package is larger than Lambda allows", ExitCode.FAILED)
            return bytes(data)
    except requests.RequestException as error:
        status = getattr(error.response, "status_code", None)
        cause = f"HTTP {status}" if status else type(error).__name__
        raise CliError(
            f"function {function}: cannot download its package for the CA bundle ({cause}); pass --qradar-ca-bundle "
            "with a local copy",
            ExitCode.UNREACHABLE,
        ) from None


def _cache_directory(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CACHE_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".cache")
    return Path(base) / "qradar-failover"


def _hex(code_sha256: str) -> str:
    try:
        return base64.b64decode(code_sha256).hex()
    except (binascii.Error, ValueError):
        return hashlib.sha256(code_sha256.encode()).hexdigest()
