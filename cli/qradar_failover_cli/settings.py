"""The CLI's configuration: the function's environment contract, with flags laid over it.

Every setting is read exactly as the function reads it (``qradar_failover.config.load_config``);
a flag sets the environment variable of the same meaning for this command only. AWS access comes
from the usual chain (environment, ``--profile``, ``--region``).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ProfileNotFound

from qradar_failover.config import Config, ConfigError, load_config

from .exit_codes import CliError, ExitCode

# environment variable -> (flag, help)
SETTING_FLAGS: dict[str, tuple[str, str]] = {
    "MAIN_SITE_ADDRESS": ("--main-address", "Main Site console, host or host:port (HTTPS)"),
    "DEST_SITE_ADDRESS": ("--dest-address", "Destination Site console, host or host:port (HTTPS)"),
    "MAIN_SITE_TOKEN_SECRET_ARN": ("--main-token-secret", "Secrets Manager name/ARN of the Main console's SEC token"),
    "DEST_SITE_TOKEN_SECRET_ARN": ("--dest-token-secret", "Secrets Manager name/ARN of the Destination's SEC token"),
    "MAIN_SITE_AVAILABILITY_ZONES": ("--main-azs", "Main-Site availability zones, comma-separated"),
    "NOTIFICATION_TOPIC_ARN": ("--sns-topic", "notification topic ARN"),
    "LOCK_TABLE_NAME": ("--lock-table", "DynamoDB lock table name"),
    "LOCK_ID": ("--lock-id", "this deployment's lock item (default qradar-failover)"),
    "QRADAR_CA_BUNDLE": ("--ca-bundle", "PEM file of the CA that issued the consoles' certificates"),
    "QRADAR_API_VERSION": ("--api-version", "QRadar API version header, e.g. 20.0"),
    "ALARM_NAME_PREFIX": ("--alarm-prefix", "only alarms whose names start with this (the module's name_prefix)"),
}
_FLAG_FOR = {name: flag for name, (flag, _) in SETTING_FLAGS.items()}


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "configuration (default: the function's environment variables, named in brackets)"
    )
    for name, (flag, text) in SETTING_FLAGS.items():
        group.add_argument(flag, dest=_dest(name), metavar="VALUE", help=f"{text} [{name}]")
    group.add_argument("--profile", help="AWS profile for the AWS calls [AWS_PROFILE]")
    group.add_argument("--region", help="AWS region [AWS_REGION / AWS_DEFAULT_REGION; else the SNS topic's]")


def environment(args: argparse.Namespace, base: Mapping[str, str]) -> dict[str, str]:
    """The environment with this command's flags applied."""
    merged = dict(base)
    for name in SETTING_FLAGS:
        value = getattr(args, _dest(name), None)
        if value is not None:
            merged[name] = value
    return merged


def config_from(environ: Mapping[str, str], **overrides: Any) -> Config:
    try:
        config = load_config(environ)
    except ConfigError as error:
        raise CliError(explain_config_error(error), ExitCode.USAGE) from None
    if config.qradar_ca_bundle and not os.path.isfile(config.qradar_ca_bundle):
        raise CliError(
            f"configuration: QRADAR_CA_BUNDLE points to {config.qradar_ca_bundle!r}, which is not a readable file here "
            "(the function's path is inside its package; pass --ca-bundle with a local copy)",
            ExitCode.USAGE,
        )
    if overrides:
        from dataclasses import replace

        config = replace(config, **overrides)
    return config


def explain_config_error(error: ConfigError) -> str:
    message = str(error)
    match = re.match(r"^([A-Z_]+)", message)
    hint = ""
    if match and match.group(1) in _FLAG_FOR:
        hint = f" (set {match.group(1)} or pass {_FLAG_FOR[match.group(1)]})"
    elif match and match.group(1).endswith("_TOKEN_SECRET_ARN"):
        hint = f" (set {match.group(1)} or pass --{match.group(1).split('_')[0].lower()}-token-secret)"
    return f"configuration: {message}{hint}"


@dataclass(frozen=True)
class AwsAccess:
    session: Any  # boto3.session.Session

    def client(self, service: str) -> Any:
        return self.session.client(service)


def aws_access(args: argparse.Namespace, environ: Mapping[str, str]) -> AwsAccess:
    """A boto3 session from --profile/--region, else the environment; the region falls back to the
    notification topic's."""
    try:
        session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    except ProfileNotFound as error:
        raise CliError(f"AWS: {error}", ExitCode.USAGE) from None
    if session.region_name is None:
        topic = environ.get("NOTIFICATION_TOPIC_ARN") or environ.get("SNS_TOPIC", "")
        parts = topic.split(":")
        if len(parts) >= 6 and parts[3]:
            session = boto3.session.Session(profile_name=args.profile, region_name=parts[3])
    if session.region_name is None:
        raise CliError("AWS: no region: pass --region or set AWS_REGION", ExitCode.USAGE)
    return AwsAccess(session)


def _dest(name: str) -> str:
    return "setting_" + name.lower()
