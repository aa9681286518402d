"""Tokens from Secrets Manager (cached, never shown) and notifications (readable, bounded, never raise)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from qradar_failover.aws_errors import AwsProblem
from qradar_failover.config import SiteConfig
from qradar_failover.events import decode_event
from qradar_failover.health import HealthEvidence
from qradar_failover.notify import SUBJECT_LIMIT, SnsNotifier, body_for, subject_for
from qradar_failover.report import FailoverReport, Failure, Outcome, SiteProgress, StepRecord, StepStatus
from qradar_failover.sec_token import Token
from qradar_failover.tokens import TokenProvider, TokenUnavailable
from support.events import REGION, load_event
from support.fakes import DefectiveClient, client_without_credentials, unreachable_client

SECRET_VALUE = "sec-token-from-secrets-manager-93ab"
SITE = SiteConfig("main", "main.example", "qradar/main", None)


@pytest.fixture
def secrets(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name=REGION)
        client.create_secret(Name="qradar/main", SecretString=SECRET_VALUE + "\n")
        yield client


class CountingSecrets:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls = 0

    def get_secret_value(self, *, SecretId: str) -> Any:  # noqa: N803
        self.calls += 1
        return self.client.get_secret_value(SecretId=SecretId)


def test_token_is_read_from_secrets_manager_and_cached(secrets: Any) -> None:
    counting = CountingSecrets(secrets)
    now = [0.0]
    provider = TokenProvider(counting, ttl_seconds=300, clock=lambda: now[0])

    first = provider.token_for(SITE)
    second = provider.token_for(SITE)
    now[0] = 301
    third = provider.token_for(SITE)

    assert first.reveal() == SECRET_VALUE, "surrounding whitespace is stripped"
    assert first == second == third
    assert counting.calls == 2, "read once, then again after the cache TTL"


def test_unreadable_secret_names_the_site_and_secret_not_a_value(secrets: Any) -> None:
    provider = TokenProvider(secrets, ttl_seconds=300)

    with pytest.raises(TokenUnavailable, match="ResourceNotFoundException") as raised:
        provider.token_for(SiteConfig("destination", "d.example", "qradar/missing", None))
    assert "destination" in str(raised.value)
    assert "qradar/missing" in str(raised.value)
    assert raised.value.aws_error_code == "ResourceNotFoundException"
    assert raised.value.aws_problem is AwsProblem.SERVICE


def test_unreachable_secrets_manager_is_a_token_error_naming_the_endpoint_problem(aws_credentials: None) -> None:
    provider = TokenProvider(unreachable_client("secretsmanager"), ttl_seconds=300)

    with pytest.raises(TokenUnavailable) as raised:
        provider.token_for(SITE)

    assert (raised.value.aws_error_code, raised.value.aws_problem) == ("EndpointConnectionError", AwsProblem.ENDPOINT)


def test_missing_credentials_are_a_token_error_naming_the_credentials_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    provider = TokenProvider(client_without_credentials("secretsmanager", monkeypatch), ttl_seconds=300)

    with pytest.raises(TokenUnavailable) as raised:
        provider.token_for(SITE)

    assert (raised.value.aws_error_code, raised.value.aws_problem) == ("NoCredentialsError", AwsProblem.CREDENTIALS)


def test_a_coding_bug_reading_the_secret_is_not_taken_for_an_unreadable_secret() -> None:
    with pytest.raises(TypeError):
        TokenProvider(DefectiveClient(), ttl_seconds=300).token_for(SITE)


def test_empty_secret_is_a_token_error_without_an_aws_code(secrets: Any) -> None:
    secrets.create_secret(Name="qradar/empty", SecretString="  ")

    with pytest.raises(TokenUnavailable, match="no SecretString") as raised:
        TokenProvider(secrets, ttl_seconds=300).token_for(SiteConfig("main", "m.example", "qradar/empty", None))

    assert raised.value.aws_error_code is None and raised.value.aws_problem is None


def test_plain_environment_token_works_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    site = SiteConfig("main", "main.example", None, "MAIN_SITE_TOKEN", Token("legacy-token-value"))
    provider = TokenProvider(CountingSecrets(None), ttl_seconds=300)

    with caplog.at_level(logging.WARNING, logger="qradar_failover"):
        token = provider.token_for(site)

    assert token.reveal() == "legacy-token-value"
    assert "MAIN_SITE_TOKEN_SECRET_ARN" in caplog.text
    assert "legacy-token-value" not in caplog.text


def test_token_never_shows_in_repr_str_or_format() -> None:
    token = Token("abc-secret-xyz")

    assert "abc-secret-xyz" not in f"{token} {token!r} {[token]} { ({'t': token}) }"


def report(outcome: Outcome, **changes: Any) -> FailoverReport:
    base = FailoverReport(
        outcome,
        "the Destination Site is PRIMARY/ACTIVE and verified",
        "run-42",
        alarm=decode_event(load_event("sns-cloudwatch-alarm-event.json")),
        evidence=HealthEvidence("ca-central-1a", 0, cloudwatch_healthy=0, cloudwatch_unhealthy=3),
        steps=[StepRecord("destination", "stage DR config", StepStatus.OK, "", 200, 0.12)],
        sites={
            "destination": SiteProgress(True, True, True, True, "PRIMARY/ACTIVE, ariel copy on"),
            "main": SiteProgress(problem="main console, read DR config: timeout: no answer within 15.0s"),
        },
    )
    for name, value in changes.items():
        setattr(base, name, value)
    return base


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_subject_fits_sns_limit_and_is_ascii(outcome: Outcome) -> None:
    long_failure = Failure("destination", "disable ariel copy profile " + "9" * 80, "boom", 500)
    subject = subject_for(report(outcome, failure=long_failure, manual_actions=["x"]))

    assert len(subject) <= SUBJECT_LIMIT
    assert subject.isascii()
    assert "\n" not in subject


def test_body_reads_as_email_and_carries_the_same_facts_as_json() -> None:
    body = body_for(report(Outcome.FAILED_OVER, manual_actions=["Demote the Main Site by hand."]))

    assert "Failed over to the Destination Site" in body
    assert "Zone:          ca-central-1a" in body
    assert "HTTP 200" in body
    assert "1. Demote the Main Site by hand." in body
    facts = json.loads(body.split("Machine-readable\n", 1)[1])
    assert facts["outcome"] == "failed_over"
    assert facts["alarm"]["availability_zone"] == "ca-central-1a"
    assert facts["manual_actions"] == ["Demote the Main Site by hand."]
    assert "  Destination: reached, staged, deploy started, confirmed: PRIMARY/ACTIVE, ariel copy on" in body
    assert "  Main:        not reached, not staged, deploy not started, not confirmed" in body
    assert facts["sites"]["main"]["reached"] is False
    assert facts["sites"]["main"]["problem"].startswith("main console, read DR config: timeout")


def test_failure_body_names_step_status_and_qradar_message() -> None:
    failure = Failure("destination", "stage DR config", "is_dr is invalid", 422, 1005)
    body = body_for(report(Outcome.FAILED, failure=failure))

    assert "destination console, step 'stage DR config': HTTP 422, QRadar code 1005" in body
    assert "is_dr is invalid" in body


def test_body_scrubs_a_secret_in_its_json_part_too() -> None:
    from qradar_failover.observability import redact_value

    secret = 'tok"en\\with-quote-4471'
    redact_value(secret)
    body = body_for(report(Outcome.FAILED, failure=Failure("destination", "read DR config", f"echoed {secret}")))

    assert "with-quote-4471" not in body
    assert json.loads(body.split("Machine-readable\n", 1)[1])["failure"]["detail"] == "echoed ***"


class FailingSns:
    def publish(self, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": "AuthorizationError", "Message": "denied"}}, "Publish")


def test_sns_failure_is_logged_and_reported_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    notifier = SnsNotifier(FailingSns(), "arn:aws:sns:ca-central-1:111122223333:n")

    with caplog.at_level(logging.ERROR, logger="qradar_failover"):
        assert notifier.publish(report(Outcome.FAILED_OVER)) is False
    assert "AuthorizationError" in caplog.text
    (record,) = caplog.records
    assert (record.aws_error_code, record.aws_problem) == ("AuthorizationError", "access_denied")  # type: ignore[attr-defined]


def test_unreachable_sns_is_logged_and_reported_not_raised(
    aws_credentials: None, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SnsNotifier(unreachable_client("sns"), "arn:aws:sns:ca-central-1:111122223333:n")

    with caplog.at_level(logging.ERROR, logger="qradar_failover"):
        assert notifier.publish(report(Outcome.FAILED_OVER)) is False
    (record,) = caplog.records
    assert (record.aws_error_code, record.aws_problem) == ("EndpointConnectionError", "endpoint")  # type: ignore[attr-defined]


def test_a_coding_bug_in_the_notifier_raises_so_the_invocation_fails_visibly() -> None:
    notifier = SnsNotifier(DefectiveClient(), "arn:aws:sns:ca-central-1:111122223333:n")

    with pytest.raises(TypeError):
        notifier.publish(report(Outcome.FAILED_OVER))


def test_refresh_after_a_401_returns_the_rotated_token_only_when_it_changed(secrets: Any) -> None:
    provider = TokenProvider(secrets, ttl_seconds=300)
    cached = provider.token_for(SITE)

    assert provider.refreshed(SITE, cached) is None, "same secret value: retrying cannot help"
    secrets.put_secret_value(SecretId="qradar/main", SecretString="rotated-value-77")
    fresh = provider.refreshed(SITE, cached)

    assert fresh is not None
    assert fresh.reveal() == "rotated-value-77"
