"""The function's configuration: read once from the environment into a frozen dataclass.

Every setting the engine understands (the failover function's contract, the readiness function's
additions, an upstream setup's plain tokens) is parsed here, with one clear error naming the
variable when a required one is missing or a value is invalid, and each default is written once,
in :class:`Config`. The handlers hand ``os.environ`` to this module; nothing else reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .sec_token import Token

_AZ_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d[a-z]$")
_HOST_PATTERN = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")
_VERSION_PATTERN = re.compile(r"^\d+(\.\d+)?$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


# The upstream script's names, still accepted so an upstream setup can be migrated (its plain
# MAIN_SITE_TOKEN / DEST_SITE_TOKEN are read by EnvironmentReader.site). docs/engine.md lists them.
ALIASES: dict[str, str] = {
    "NOTIFICATION_TOPIC_ARN": "SNS_TOPIC",
    "METRICS_NAMESPACE": "NAMESPACE",
}


class ConfigError(ValueError):
    """A required setting is missing or a value is invalid; the message names the variable."""


@dataclass(frozen=True)
class SiteConfig:
    """How to reach one QRadar console. The token lives in Secrets Manager; only an upstream setup's plain
    token (a migration aid) is held here, as a :class:`Token` that never shows its value."""

    name: str  # "main" or "destination"
    address: str  # host or host:port, HTTPS
    token_secret_arn: str | None  # Secrets Manager ARN (a secret name works too)
    legacy_token_variable: str | None  # set when the token comes from a plain env variable
    legacy_token: Token | None = field(default=None, repr=False)  # that variable's value

    @property
    def base_url(self) -> str:
        return f"https://{self.address}"


@dataclass(frozen=True)
class Config:
    main_site: SiteConfig
    destination_site: SiteConfig
    main_site_availability_zones: frozenset[str]
    notification_topic_arn: str
    lock_table_name: str
    lock_id: str = "qradar-failover"
    qradar_ca_bundle: str | None = None
    qradar_tls_verify: bool = True
    qradar_api_version: str | None = None
    dry_run: bool = False
    min_healthy_collectors: int = 1
    failover_when_unconfirmed: bool = False
    http_connect_timeout_seconds: float = 5.0
    http_read_timeout_seconds: float = 15.0
    http_max_retries: int = 2
    main_site_budget_seconds: float = 20.0
    deploy_timeout_seconds: float = 180.0
    deploy_poll_interval_seconds: float = 5.0
    lock_claim_ttl_seconds: int = 900
    metrics_namespace: str = "QRadarFailover"
    log_level: str = "INFO"
    secrets_cache_ttl_seconds: float = 300.0
    # Lambda's asynchronous invocation settings (the module sets both from the variables that configure
    # them), so a run knows whether Lambda will run an alarm again.
    maximum_retry_attempts: int = 2
    maximum_event_age_in_seconds: float = 3600.0

    @property
    def tls_verify_setting(self) -> bool | str:
        """What ``requests`` takes as ``verify``: a CA bundle path, True, or (explicitly) False."""
        if not self.qradar_tls_verify:
            return False
        return self.qradar_ca_bundle or True


def load_config(environ: Mapping[str, str]) -> Config:
    """Parse the environment contract (see README, "Environment contract"); defaults are :class:`Config`'s."""
    reader = EnvironmentReader(environ)
    config = Config(
        main_site=reader.site("main", "MAIN_SITE"),
        destination_site=reader.site("destination", "DEST_SITE"),
        main_site_availability_zones=reader.availability_zones("MAIN_SITE_AVAILABILITY_ZONES"),
        notification_topic_arn=reader.arn("NOTIFICATION_TOPIC_ARN", service="sns"),
        lock_table_name=reader.required("LOCK_TABLE_NAME"),
        lock_id=reader.optional("LOCK_ID") or Config.lock_id,
        qradar_ca_bundle=reader.optional("QRADAR_CA_BUNDLE"),
        qradar_tls_verify=reader.boolean("QRADAR_TLS_VERIFY", default=Config.qradar_tls_verify),
        qradar_api_version=reader.api_version("QRADAR_API_VERSION"),
        dry_run=_dry_run(reader),
        min_healthy_collectors=_min_healthy_collectors(reader),
        failover_when_unconfirmed=reader.boolean("FAILOVER_WHEN_UNCONFIRMED", default=Config.failover_when_unconfirmed),
        http_connect_timeout_seconds=reader.number(
            "HTTP_CONNECT_TIMEOUT_SECONDS", Config.http_connect_timeout_seconds, minimum=0.1
        ),
        http_read_timeout_seconds=reader.number(
            "HTTP_READ_TIMEOUT_SECONDS", Config.http_read_timeout_seconds, minimum=0.1
        ),
        http_max_retries=int(reader.number("HTTP_MAX_RETRIES", Config.http_max_retries, minimum=0, integer=True)),
        main_site_budget_seconds=reader.number("MAIN_SITE_BUDGET_SECONDS", Config.main_site_budget_seconds, minimum=1),
        deploy_timeout_seconds=reader.number("DEPLOY_TIMEOUT_SECONDS", Config.deploy_timeout_seconds, minimum=1),
        deploy_poll_interval_seconds=reader.number(
            "DEPLOY_POLL_INTERVAL_SECONDS", Config.deploy_poll_interval_seconds, minimum=0.05
        ),
        lock_claim_ttl_seconds=int(
            reader.number("LOCK_CLAIM_TTL_SECONDS", Config.lock_claim_ttl_seconds, minimum=60, integer=True)
        ),
        metrics_namespace=reader.optional("METRICS_NAMESPACE") or Config.metrics_namespace,
        log_level=reader.log_level("LOG_LEVEL"),
        secrets_cache_ttl_seconds=reader.number(
            "SECRETS_CACHE_TTL_SECONDS", Config.secrets_cache_ttl_seconds, minimum=0
        ),
        maximum_retry_attempts=int(
            reader.number("MAXIMUM_RETRY_ATTEMPTS", Config.maximum_retry_attempts, minimum=0, maximum=2, integer=True)
        ),
        maximum_event_age_in_seconds=reader.number(
            "MAXIMUM_EVENT_AGE_IN_SECONDS", Config.maximum_event_age_in_seconds, minimum=60, maximum=21600
        ),
    )
    if config.qradar_ca_bundle and not config.qradar_tls_verify:
        raise ConfigError("QRADAR_CA_BUNDLE is set but QRADAR_TLS_VERIFY=false disables verification; choose one")
    return config


def _dry_run(reader: EnvironmentReader) -> bool:
    return reader.boolean("DRY_RUN", default=Config.dry_run)


def _min_healthy_collectors(reader: EnvironmentReader) -> int:
    return int(reader.number("MIN_HEALTHY_COLLECTORS", Config.min_healthy_collectors, minimum=1, integer=True))


# --- what an alarm decision needs, readable without the rest of the configuration ------------------
@dataclass(frozen=True)
class DecisionSettings:
    """The settings that decide what the function does with an alarm, read as :func:`load_config` reads
    them, but without the rest of the contract (``qradar-failover decode`` has no consoles or lock table)."""

    main_site_availability_zones: frozenset[str]  # empty: not set
    min_healthy_collectors: int
    dry_run: bool


def load_decision_settings(environ: Mapping[str, str]) -> DecisionSettings:
    reader = EnvironmentReader(environ)
    zones_set = reader.optional("MAIN_SITE_AVAILABILITY_ZONES") is not None
    zones = reader.availability_zones("MAIN_SITE_AVAILABILITY_ZONES") if zones_set else frozenset()
    return DecisionSettings(zones, _min_healthy_collectors(reader), _dry_run(reader))


# --- what the readiness function reads beyond the failover function's contract -------------------
# A Lambda function's name or ARN (with an optional version or alias), as FunctionName accepts it.
FUNCTION_NAME = re.compile(r"^(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[\w$-]+)?$")
# The module's validations of load_balancer_arn_suffix and target_groups (variables.tf).
_LOAD_BALANCER = re.compile(r"^(net|app)/[A-Za-z0-9-]{1,32}/[0-9a-f]+$")
_TARGET_GROUP = re.compile(r"^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$")


@dataclass(frozen=True)
class ReadinessSettings:
    failover_function_name: str  # FAILOVER_FUNCTION_NAME
    trigger_topic_arn: str  # TRIGGER_TOPIC_ARN
    dest_site_availability_zones: frozenset[str]  # DEST_SITE_AVAILABILITY_ZONES
    # The alarms' load balancer and target groups (CloudWatch dimensions): every (target group, Main AZ)
    # must have both health alarms acting on the trigger topic.
    load_balancer_arn_suffix: str  # LOAD_BALANCER_ARN_SUFFIX
    target_groups: tuple[str, ...]  # TARGET_GROUPS, arn suffixes, comma-separated
    # A console's token that expires within this many days is a warning (expired: a failure).
    token_expiry_warning_days: int = 30  # TOKEN_EXPIRY_WARNING_DAYS
    # Readiness fails when the Main Site's last successful ariel copy is older than this; None: no target.
    rpo_target_seconds: float | None = None  # RPO_TARGET_SECONDS
    # Readiness fails when the deployed settings allow a worst-case recovery longer than this; None: no target.
    rto_target_seconds: float | None = None  # RTO_TARGET_SECONDS

    @property
    def elb_namespace(self) -> str:
        """The metric namespace of the load balancer's health metrics (alarms.tf decides it the same way)."""
        return "AWS/NetworkELB" if self.load_balancer_arn_suffix.startswith("net/") else "AWS/ApplicationELB"


def load_readiness_settings(environ: Mapping[str, str], config: Config) -> ReadinessSettings:
    reader = EnvironmentReader(environ)
    name = reader.required("FAILOVER_FUNCTION_NAME")
    if not FUNCTION_NAME.match(name):
        raise ConfigError(f"FAILOVER_FUNCTION_NAME must be a Lambda function name or ARN, got {name!r}")
    zones = reader.availability_zones("DEST_SITE_AVAILABILITY_ZONES")
    overlap = zones & config.main_site_availability_zones
    if overlap:
        raise ConfigError(
            f"DEST_SITE_AVAILABILITY_ZONES and MAIN_SITE_AVAILABILITY_ZONES overlap ({', '.join(sorted(overlap))})"
        )
    load_balancer = reader.required("LOAD_BALANCER_ARN_SUFFIX")
    if not _LOAD_BALANCER.match(load_balancer):
        raise ConfigError(
            f"LOAD_BALANCER_ARN_SUFFIX must be a load balancer's arn_suffix (net/<name>/<id> or app/<name>/<id>), "
            f"got {load_balancer!r}"
        )
    groups = tuple(
        dict.fromkeys(group.strip() for group in reader.required("TARGET_GROUPS").split(",") if group.strip())
    )
    invalid = [group for group in groups if not _TARGET_GROUP.match(group)]
    if not groups or invalid:
        raise ConfigError(
            "TARGET_GROUPS must be a comma-separated list of target group arn_suffixes (targetgroup/<name>/<id>)"
            + (f", got {', '.join(repr(group) for group in invalid)}" if invalid else "")
        )
    return ReadinessSettings(
        name,
        reader.arn("TRIGGER_TOPIC_ARN", service="sns"),
        zones,
        load_balancer,
        groups,
        token_expiry_warning_days=int(
            reader.number(
                "TOKEN_EXPIRY_WARNING_DAYS",
                ReadinessSettings.token_expiry_warning_days,
                minimum=1,
                maximum=365,
                integer=True,
            )
        ),
        rpo_target_seconds=_optional_seconds(reader, "RPO_TARGET_SECONDS", maximum=30 * 86400),
        rto_target_seconds=_optional_seconds(reader, "RTO_TARGET_SECONDS", maximum=86400),
    )


def _optional_seconds(reader: EnvironmentReader, name: str, *, maximum: float) -> float | None:
    """An objective in seconds that is not set by default (then nothing is held to it); the module's
    variable of the same name has the same bounds."""
    if reader.optional(name) is None:
        return None
    return reader.number(name, 0, minimum=60, maximum=maximum)


def readiness_metric_target(environ: Mapping[str, str]) -> tuple[str, str]:
    """Namespace and ``FailoverFunction`` dimension of the readiness metrics, even when the configuration is
    invalid (a broken configuration must still report Ready = 0)."""
    reader = EnvironmentReader(environ)
    try:
        namespace = reader.optional("METRICS_NAMESPACE") or Config.metrics_namespace
        function = reader.optional("FAILOVER_FUNCTION_NAME") or "unknown"
    except ConfigError:
        return Config.metrics_namespace, "unknown"
    return namespace, function


def log_level_or_default(environ: Mapping[str, str]) -> str:
    """LOG_LEVEL, or the default when it is invalid: a run that reports a broken configuration still logs."""
    try:
        return EnvironmentReader(environ).log_level("LOG_LEVEL")
    except ConfigError:
        return Config.log_level


class EnvironmentReader:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def raw(self, name: str) -> str | None:
        """The variable's value, or its earlier name's (:data:`ALIASES`); both set and different is an error."""
        value = self._environ.get(name)
        alias = ALIASES.get(name)
        alias_value = self._environ.get(alias) if alias else None
        if value is None:
            return alias_value
        if alias_value is not None and alias_value.strip() != value.strip():
            raise ConfigError(f"{name} and {alias} (its earlier name) are both set and differ; set only {name}")
        return value

    def optional(self, name: str) -> str | None:
        value = (self.raw(name) or "").strip()
        return value or None

    def required(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise ConfigError(f"{name} is required but not set")
        return value

    def boolean(self, name: str, *, default: bool) -> bool:
        raw = self.raw(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False if value else default
        raise ConfigError(f"{name} must be true or false, got {raw!r}")

    def number(
        self, name: str, default: float, *, minimum: float, maximum: float | None = None, integer: bool = False
    ) -> float:
        raw = self.optional(name)
        if raw is None:
            return float(default)
        try:
            value = float(int(raw)) if integer else float(raw)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise ConfigError(f"{name} must be {kind}, got {raw!r}") from None
        if value < minimum:
            raise ConfigError(f"{name} must be at least {minimum:g}, got {raw!r}")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{name} must be at most {maximum:g}, got {raw!r}")
        return value

    def site(self, name: str, prefix: str) -> SiteConfig:
        address_variable = f"{prefix}_ADDRESS"
        address = self.required(address_variable)
        address = address.removeprefix("https://").rstrip("/")
        if address.startswith("http://") or not _HOST_PATTERN.match(address):
            raise ConfigError(f"{address_variable} must be a host name or host:port reached over HTTPS")
        secret_arn = self.optional(f"{prefix}_TOKEN_SECRET_ARN")
        legacy_variable = f"{prefix}_TOKEN"
        legacy_token = self.optional(legacy_variable)
        if secret_arn is None and legacy_token is None:
            raise ConfigError(f"{prefix}_TOKEN_SECRET_ARN is required but not set")
        return SiteConfig(
            name=name,
            address=address,
            token_secret_arn=secret_arn,
            legacy_token_variable=None if secret_arn else legacy_variable,
            legacy_token=Token(legacy_token) if legacy_token and not secret_arn else None,
        )

    def availability_zones(self, name: str) -> frozenset[str]:
        zones = [zone.strip() for zone in self.required(name).split(",") if zone.strip()]
        invalid = [zone for zone in zones if not _AZ_PATTERN.match(zone)]
        if not zones or invalid:
            raise ConfigError(
                f"{name} must be a comma-separated list of availability zones like ca-central-1a"
                + (f", got {', '.join(repr(zone) for zone in invalid)}" if invalid else "")
            )
        return frozenset(zones)

    def arn(self, name: str, *, service: str) -> str:
        value = self.required(name)
        if not re.match(rf"^arn:aws[a-z-]*:{service}:[a-z0-9-]+:\d{{12}}:[\w.-]+$", value):
            raise ConfigError(f"{name} must be an {service.upper()} topic ARN, got {value!r}")
        return value

    def api_version(self, name: str) -> str | None:
        value = self.optional(name)
        if value is not None and not _VERSION_PATTERN.match(value):
            raise ConfigError(f"{name} must look like 16.0, got {value!r}")
        return value

    def log_level(self, name: str) -> str:
        value = (self.optional(name) or Config.log_level).upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"{name} must be one of DEBUG, INFO, WARNING, ERROR, got {value!r}")
        return value
