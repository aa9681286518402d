"""The CLI's configuration: the function's environment contract, with flags laid over it.

Every setting is read exactly as the function reads it (``qradar_failover.config.load_config``).
A setting's flag is its environment variable's name in lower case with dashes
(``LOCK_TABLE_NAME`` -> ``--lock-table-name``): one name per setting. ``--function NAME`` takes
the settings (and the CA bundle) from the deployed function instead of the local environment;
flags still win. AWS access comes from the usual chain (environment, ``--profile``, ``--region``).
"""

from __future__ import annotations

import argparse
import os
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ProfileNotFound

from qradar_failover.config import FUNCTION_NAME, Config, ConfigError, EnvironmentReader, load_config

from .exit_codes import CliError, ExitCode
from .problems import aws_advice, aws_class_of, aws_code_of

# environment variable -> (help, earlier flags still accepted but not listed)
SETTINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "MAIN_SITE_ADDRESS": ("Main Site console, host or host:port (HTTPS)", ("--main-address",)),
    "DEST_SITE_ADDRESS": ("Destination Site console, host or host:port (HTTPS)", ("--dest-address",)),
    "MAIN_SITE_TOKEN_SECRET_ARN": (
        "Secrets Manager ARN/name of the Main console's SEC token",
        ("--main-token-secret",),
    ),
    "DEST_SITE_TOKEN_SECRET_ARN": ("Secrets Manager ARN/name of the Destination's SEC token", ("--dest-token-secret",)),
    "MAIN_SITE_AVAILABILITY_ZONES": ("Main-Site availability zones, comma-separated", ("--main-azs",)),
    "NOTIFICATION_TOPIC_ARN": ("notification topic ARN", ("--sns-topic",)),
    "LOCK_TABLE_NAME": ("DynamoDB lock table name", ("--lock-table",)),
    "LOCK_ID": (f"this deployment's lock item (default {Config.lock_id})", ()),
    "QRADAR_CA_BUNDLE": ("PEM file of the CA that issued the consoles' certificates", ("--ca-bundle",)),
    "QRADAR_API_VERSION": ("QRadar API version header, e.g. 20.0", ("--api-version",)),
    "ALARM_NAME_PREFIX": ("only alarms whose names start with this (the module's name)", ("--alarm-prefix",)),
}
# What the readiness checks read beyond the failover function's contract (the readiness function's
# environment has them; `readiness` takes them as flags too).
READINESS_SETTINGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "FAILOVER_FUNCTION_NAME": ("the failover function (the module's function_name output)", ()),
    "TRIGGER_TOPIC_ARN": ("the trigger topic (the module's trigger_topic_arn output)", ()),
    "DEST_SITE_AVAILABILITY_ZONES": ("Destination-Site availability zones, comma-separated", ()),
    "LOAD_BALANCER_ARN_SUFFIX": ("the load balancer's arn_suffix (net/<name>/<id>), the alarms' dimension", ()),
    "TARGET_GROUPS": ("the target groups' arn_suffixes (targetgroup/<name>/<id>), comma-separated", ()),
    "TOKEN_EXPIRY_WARNING_DAYS": ("warn when a console's token expires within this many days (default 30)", ()),
}
# The deployment tag the module puts on every resource; its value starts the module's alarm names.
DEPLOYMENT_TAG = "qradar-failover:deployment"


def flag_for(name: str) -> str:
    return "--" + name.lower().replace("_", "-")


FAILOVER_FUNCTION = "failover function (the module's function_name output)"
READINESS_FUNCTION = "readiness function (the module's readiness_function_name output, <name>-readiness)"


def add_setting_flags(
    parser: argparse.ArgumentParser, names: Iterable[str] | None = None, *, function: str = FAILOVER_FUNCTION
) -> None:
    """The settings' flags, and ``--function``, which takes them from the deployed ``function``."""
    group = parser.add_argument_group("configuration (default: the function's environment variable of the same name)")
    group.add_argument(
        "--function",
        metavar="NAME",
        type=function_name,
        help=f"take every setting, and the CA bundle, from this deployed {function}; its name or ARN",
    )
    for name in SETTINGS if names is None else names:
        text, aliases = (SETTINGS | READINESS_SETTINGS)[name]
        group.add_argument(flag_for(name), dest=_dest(name), metavar="VALUE", help=text)
        for alias in aliases:
            group.add_argument(alias, dest=_dest(name), metavar="VALUE", help=argparse.SUPPRESS)
    group.add_argument("--profile", help="AWS profile for the AWS calls [AWS_PROFILE]")
    group.add_argument("--region", help="AWS region [AWS_REGION / AWS_DEFAULT_REGION; else the function's or topic's]")


def function_name(text: str) -> str:
    """An argparse type: a Lambda function's name or ARN, as the engine checks FAILOVER_FUNCTION_NAME."""
    if not FUNCTION_NAME.match(text):
        raise argparse.ArgumentTypeError(f"must be a Lambda function name or ARN, got {text!r}")
    return text


def environment(args: argparse.Namespace, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` (the local environment, or the deployed function's) with this command's flags applied."""
    merged = dict(base)
    for name in SETTINGS | READINESS_SETTINGS:
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
            "(the function's path is inside its package: pass --function NAME to take it from there, or "
            "--qradar-ca-bundle with a local copy)",
            ExitCode.USAGE,
        )
    return replace(config, **overrides) if overrides else config


def explain_config_error(error: ConfigError) -> str:
    message = str(error)
    match = re.match(r"^([A-Z_]+)", message)
    hint = ""
    if match and match.group(1) in SETTINGS | READINESS_SETTINGS:
        hint = f" (set {match.group(1)}, pass {flag_for(match.group(1))}, or --function NAME)"
    return f"configuration: {message}{hint}"


@dataclass(frozen=True)
class AwsAccess:
    session: Any  # boto3.session.Session
    _clients: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _making: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    def client(self, service: str) -> Any:
        """One client per service, bounded like the engine's (``runtime.aws_client``); safe to ask from
        several threads (a session is not)."""
        from qradar_failover.runtime import aws_client  # the engine's wiring: imported when a command runs

        with self._making:
            if service not in self._clients:
                self._clients[service] = aws_client(self.session, service)
            return self._clients[service]


def aws_access(args: argparse.Namespace, environ: Mapping[str, str], *, offline_hint: str = "") -> AwsAccess:
    """A boto3 session from --profile and the region: --region, else the function's (an ARN given to
    --function), else the AWS configuration's, else the notification topic's. Refuses, saying what to
    do, when there are no credentials or the region is not one AWS has."""
    region = args.region or _region_of(getattr(args, "function", None) or "")  # a function ARN names its region
    try:
        session = boto3.session.Session(profile_name=args.profile, region_name=region)
    except ProfileNotFound as error:
        raise CliError(f"AWS: {error} (see 'aws configure list-profiles'){offline_hint}", ExitCode.USAGE) from None
    if session.region_name is None:
        region = _topic_region(environ)
        if region:
            session = boto3.session.Session(profile_name=args.profile, region_name=region)
    if session.region_name is None:
        raise CliError(
            f"AWS: no region: pass --region (the deployment's, e.g. ca-central-1) or set AWS_REGION{offline_hint}",
            ExitCode.USAGE,
        )
    if not _known_region(session):
        raise CliError(
            f"AWS: {session.region_name!r} is not an AWS region (a typo? pass --region, e.g. ca-central-1; if the "
            f"region is new, update boto3){offline_hint}",
            ExitCode.USAGE,
        )
    try:
        credentials = session.get_credentials()
    except BotoCoreError as error:  # a credential_process or SSO cache that fails
        advice, code = aws_advice(aws_code_of(error), session.region_name, aws_class_of(error))
        raise CliError(f"AWS: {advice}{offline_hint}", code) from None
    if credentials is None:
        profile = f" (profile {session.profile_name})" if args.profile else ""
        raise CliError(
            f"AWS: no credentials found{profile} for region {session.region_name}: pass --profile NAME (after "
            "'aws sso login --profile NAME' for SSO) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            f"{offline_hint}",
            ExitCode.USAGE,
        )
    return AwsAccess(session)


def _known_region(session: Any) -> bool:
    known = {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("sts", partition)
    }
    return not known or session.region_name in known


def _topic_region(environ: Mapping[str, str]) -> str | None:
    try:
        topic = EnvironmentReader(environ).optional("NOTIFICATION_TOPIC_ARN")
    except ConfigError:  # the topic and its upstream name differ: the configuration says so when it is read
        return None
    return _region_of(topic or "")


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) >= 6 and parts[0] == "arn" and parts[3] else None


def _dest(name: str) -> str:
    return "setting_" + name.lower()
