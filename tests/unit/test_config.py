"""The environment contract: defaults, and one clear error naming the variable."""

from __future__ import annotations

import pytest

from qradar_failover.config import ConfigError, load_config

VALID = {
    "MAIN_SITE_ADDRESS": "10.0.1.10",
    "DEST_SITE_ADDRESS": "dest.qradar.example:8443",
    "MAIN_SITE_TOKEN_SECRET_ARN": "qradar/main",
    "DEST_SITE_TOKEN_SECRET_ARN": "arn:aws:secretsmanager:ca-central-1:111122223333:secret:qradar/dest-AbCdEf",
    "MAIN_SITE_AVAILABILITY_ZONES": "ca-central-1a, ca-central-1d",
    "NOTIFICATION_TOPIC_ARN": "arn:aws:sns:ca-central-1:111122223333:qradar-failover-notifications",
    "LOCK_TABLE_NAME": "qradar-failover-lock",
}


def test_required_settings_and_defaults() -> None:
    config = load_config(VALID)

    assert config.main_site.base_url == "https://10.0.1.10"
    assert config.destination_site.base_url == "https://dest.qradar.example:8443"
    assert config.main_site_availability_zones == {"ca-central-1a", "ca-central-1d"}
    assert config.tls_verify_setting is True
    assert config.dry_run is False
    assert config.min_healthy_collectors == 1
    assert config.http_connect_timeout_seconds == 5
    assert config.http_read_timeout_seconds == 15
    assert config.http_max_retries == 2
    assert config.main_site_budget_seconds == 20
    assert config.deploy_timeout_seconds == 180
    assert config.lock_id == "qradar-failover"
    assert config.metrics_namespace == "QRadarFailover"


@pytest.mark.parametrize(
    "name",
    [
        "MAIN_SITE_ADDRESS",
        "DEST_SITE_ADDRESS",
        "MAIN_SITE_TOKEN_SECRET_ARN",
        "DEST_SITE_TOKEN_SECRET_ARN",
        "MAIN_SITE_AVAILABILITY_ZONES",
        "NOTIFICATION_TOPIC_ARN",
        "LOCK_TABLE_NAME",
    ],
)
def test_missing_required_setting_is_named(name: str) -> None:
    environ = {key: value for key, value in VALID.items() if key != name}

    with pytest.raises(ConfigError, match=name):
        load_config(environ)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAIN_SITE_ADDRESS", "http://main.example"),
        ("MAIN_SITE_ADDRESS", "main example"),
        ("MAIN_SITE_AVAILABILITY_ZONES", "cac1-az1"),
        ("NOTIFICATION_TOPIC_ARN", "qradar-notifications"),
        ("DRY_RUN", "perhaps"),
        ("MIN_HEALTHY_COLLECTORS", "0"),
        ("MIN_HEALTHY_COLLECTORS", "1.5"),
        ("HTTP_READ_TIMEOUT_SECONDS", "fast"),
        ("QRADAR_API_VERSION", "latest"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_invalid_value_is_named(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config(VALID | {name: value})


def test_ca_bundle_is_what_requests_verifies_with() -> None:
    assert load_config(VALID | {"QRADAR_CA_BUNDLE": "/var/task/ca.pem"}).tls_verify_setting == "/var/task/ca.pem"


def test_turning_verification_off_is_explicit_and_exclusive_with_a_bundle() -> None:
    assert load_config(VALID | {"QRADAR_TLS_VERIFY": "false"}).tls_verify_setting is False
    with pytest.raises(ConfigError, match="QRADAR_CA_BUNDLE"):
        load_config(VALID | {"QRADAR_TLS_VERIFY": "false", "QRADAR_CA_BUNDLE": "/ca.pem"})


def test_upstream_plain_tokens_are_accepted_for_migration() -> None:
    environ = {k: v for k, v in VALID.items() if not k.endswith("_TOKEN_SECRET_ARN")}
    config = load_config(environ | {"MAIN_SITE_TOKEN": "a", "DEST_SITE_TOKEN": "b", "NAMESPACE": "Upstream"})

    assert config.main_site.legacy_token_variable == "MAIN_SITE_TOKEN"
    assert config.destination_site.legacy_token_variable == "DEST_SITE_TOKEN"
    assert config.metrics_namespace == "Upstream"


def test_configuration_error_never_echoes_a_token() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"MAIN_SITE_TOKEN": "very-secret-token"})
    assert "very-secret-token" not in str(raised.value)


def test_the_upstream_names_are_still_read() -> None:
    """An upstream setup (SNS_TOPIC, NAMESPACE) keeps working while it is migrated."""
    environ = {key: value for key, value in VALID.items() if key != "NOTIFICATION_TOPIC_ARN"} | {
        "SNS_TOPIC": VALID["NOTIFICATION_TOPIC_ARN"],
        "NAMESPACE": "Upstream",
    }

    config = load_config(environ)

    assert config.notification_topic_arn == VALID["NOTIFICATION_TOPIC_ARN"]
    assert config.metrics_namespace == "Upstream"


@pytest.mark.parametrize(
    ("name", "prerelease_name"),
    [
        ("LOCK_TABLE_NAME", "LOCK_TABLE"),
        ("MAIN_SITE_TOKEN_SECRET_ARN", "MAIN_SITE_TOKEN_SECRET"),
        ("DEST_SITE_TOKEN_SECRET_ARN", "DEST_SITE_TOKEN_SECRET"),
    ],
)
def test_this_projects_prerelease_names_are_not_read(name: str, prerelease_name: str) -> None:
    environ = {key: value for key, value in VALID.items() if key != name} | {prerelease_name: VALID[name]}

    with pytest.raises(ConfigError, match=rf"^{name} is required but not set$"):
        load_config(environ)


def test_a_setting_and_its_upstream_name_must_agree() -> None:
    other_topic = VALID["NOTIFICATION_TOPIC_ARN"].replace("notifications", "upstream")
    with pytest.raises(ConfigError, match=r"NOTIFICATION_TOPIC_ARN and SNS_TOPIC .* both set and differ"):
        load_config(VALID | {"SNS_TOPIC": other_topic})
    same = load_config(VALID | {"SNS_TOPIC": VALID["NOTIFICATION_TOPIC_ARN"]})
    assert same.notification_topic_arn == VALID["NOTIFICATION_TOPIC_ARN"]
