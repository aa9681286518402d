"""The QRadar adapter against `responses`: headers, whole-object staging, deploy paths, errors, retries."""

from __future__ import annotations

import json

import pytest
import requests
import responses

from qradar_failover.config import SiteConfig
from qradar_failover.deadline import Deadline
from qradar_failover.qradar import (
    COPY_PROFILE_FIELDS,
    DEPLOY_STATUS_PATH,
    DR_CONFIG_PATH,
    LEGACY_DEPLOY_PATH,
    STAGED_DR_CONFIG_PATH,
    CallRecord,
    ConsoleTransport,
    DeployPoll,
    HttpPolicy,
    QRadarConsole,
    QRadarError,
)
from qradar_failover.report import FailureKind
from qradar_failover.sec_token import Token

BASE = "https://dest.qradar.example"
TOKEN = "console-token-1c9e-never-shown"
COMPLETE = {"status": "COMPLETE", "percent_complete": 100, "has_errors": False, "error_message": None}


@pytest.fixture
def calls() -> list[CallRecord]:
    return []


@pytest.fixture
def console(calls: list[CallRecord]) -> QRadarConsole:
    transport = ConsoleTransport(
        site=SiteConfig("destination", "dest.qradar.example", "qradar/dest", None),
        token=Token(TOKEN),
        policy=HttpPolicy(connect_timeout_seconds=1, read_timeout_seconds=2, max_retries=2, backoff_seconds=0.01),
        api_version="16.0",
        observer=calls.append,
        sleep=lambda _: None,
    )
    return QRadarConsole(transport, sleep=lambda _: None)


def budget() -> Deadline:
    return Deadline.after(30)


def qradar_error_body(status: int, code: int, message: str) -> dict[str, object]:
    return {
        "http_response": {"code": status, "message": "error"},
        "code": code,
        "message": message,
        "description": "",
        "details": {},
    }


@responses.activate
def test_every_call_sends_sec_allow_hidden_and_version(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, json={"is_dr": "DR", "site_state": "STANDBY"})

    config = console.read_dr_config(budget())

    headers = responses.calls[0].request.headers
    assert headers["SEC"] == TOKEN
    assert headers["Allow-Hidden"] == "true"
    assert headers["Version"] == "16.0"
    assert config.is_standby_dr


@responses.activate
def test_staging_posts_the_whole_object_back(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, json={"id": 1, "is_dr": "DR", "site_state": "STANDBY", "extra": [1, 2]})
    responses.post(BASE + STAGED_DR_CONFIG_PATH, json={})

    current = console.read_dr_config(budget())
    console.stage_dr_config(current.with_changes(is_dr="PRIMARY", site_state="ACTIVE"), budget())

    assert json.loads(responses.calls[1].request.body or b"") == {
        "id": 1,
        "is_dr": "PRIMARY",
        "site_state": "ACTIVE",
        "extra": [1, 2],
    }


@responses.activate
def test_disabling_a_copy_profile_sends_exactly_the_writable_fields(console: QRadarConsole) -> None:
    profile = {name: f"value-{name}" for name in COPY_PROFILE_FIELDS} | {"id": 7, "enabled": True, "last_modified": 1}
    responses.post(BASE + "/api/disaster_recovery/ariel_copy_profiles/7", json={})

    console.disable_copy_profile(profile, budget())

    body = json.loads(responses.calls[0].request.body or b"")
    assert set(body) == set(COPY_PROFILE_FIELDS)
    assert body["enabled"] is False


@responses.activate
def test_enabling_a_copy_profile_sends_exactly_the_writable_fields(console: QRadarConsole) -> None:
    profile = {name: f"value-{name}" for name in COPY_PROFILE_FIELDS} | {"id": 7, "enabled": False, "last_modified": 1}
    responses.post(BASE + "/api/disaster_recovery/ariel_copy_profiles/7", json={})

    console.enable_copy_profile(profile, budget())

    body = json.loads(responses.calls[0].request.body or b"")
    assert set(body) == set(COPY_PROFILE_FIELDS)
    assert body["enabled"] is True
    assert body["frequency"] == "value-frequency", "every other field is sent back as it was"


@responses.activate
def test_deploy_uses_the_documented_endpoint_and_waits_for_complete(console: QRadarConsole) -> None:
    responses.post(BASE + DEPLOY_STATUS_PATH, json={"status": "INITIALIZING"})
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "IN_PROGRESS", "percent_complete": 40})
    responses.get(BASE + DEPLOY_STATUS_PATH, json=COMPLETE)

    start = console.start_deploy(budget(), poll_interval=0.01)
    final_status = console.await_deploy(budget(), poll_interval=0.01)

    assert start.endpoint == "staged_config/deploy_status"
    assert final_status is not None
    assert final_status.complete
    assert json.loads(responses.calls[0].request.body or b"") == {"type": "INCREMENTAL"}


@responses.activate
def test_deploy_falls_back_to_deploy_action_when_the_documented_endpoint_is_missing(console: QRadarConsole) -> None:
    responses.post(BASE + DEPLOY_STATUS_PATH, status=404, json=qradar_error_body(404, 9003, "no such endpoint"))
    responses.post(BASE + LEGACY_DEPLOY_PATH, json={})
    responses.get(BASE + DEPLOY_STATUS_PATH, status=404, json=qradar_error_body(404, 9003, "no such endpoint"))

    start = console.start_deploy(budget(), poll_interval=0.01)

    assert start.endpoint == "config/deploy_action"
    assert console.await_deploy(budget(), poll_interval=0.01) is None, "no status: the runbook verifies the config"
    assert responses.calls[1].request.params == {"type": "INCREMENTAL"}


@responses.activate
def test_deploy_already_running_is_waited_out_before_ours(console: QRadarConsole) -> None:
    responses.post(BASE + DEPLOY_STATUS_PATH, status=409, json=qradar_error_body(409, 1002, "deploy in progress"))
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "IN_PROGRESS", "percent_complete": 80})
    responses.get(BASE + DEPLOY_STATUS_PATH, json=COMPLETE)
    responses.post(BASE + DEPLOY_STATUS_PATH, json={"status": "INITIALIZING"})
    responses.get(BASE + DEPLOY_STATUS_PATH, json=COMPLETE)

    start = console.start_deploy(budget(), poll_interval=0.01)

    posts = [call for call in responses.calls if call.request.method == "POST"]
    assert len(posts) == 2
    assert not start.nothing_to_deploy


@responses.activate
def test_nothing_to_deploy_is_not_an_error(console: QRadarConsole) -> None:
    responses.post(BASE + DEPLOY_STATUS_PATH, status=409, json=qradar_error_body(409, 1004, "nothing to deploy"))

    assert console.start_deploy(budget(), poll_interval=0.01).nothing_to_deploy


@responses.activate
def test_deploy_completed_with_errors_raises_with_qradar_message(console: QRadarConsole) -> None:
    responses.get(BASE + DEPLOY_STATUS_PATH, json=COMPLETE | {"has_errors": True, "error_message": "host 2 failed"})

    with pytest.raises(QRadarError, match="host 2 failed") as raised:
        console.await_deploy(budget(), poll_interval=0.01)
    assert raised.value.kind is FailureKind.DEPLOY


@responses.activate
def test_deploy_that_outlasts_the_budget_stops_polling(console: QRadarConsole) -> None:
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "IN_PROGRESS", "percent_complete": 10})

    with pytest.raises(QRadarError, match="still IN_PROGRESS") as raised:
        console.await_deploy(Deadline.after(0.6), poll_interval=1)
    assert raised.value.kind is FailureKind.DEADLINE


@responses.activate
def test_http_error_carries_status_code_and_qradar_message_but_no_token(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, status=422, json=qradar_error_body(422, 1005, "is_dr is invalid"))

    with pytest.raises(QRadarError) as raised:
        console.read_dr_config(budget())

    error = raised.value
    assert (error.http_status, error.qradar_code, error.site) == (422, 1005, "destination")
    assert "is_dr is invalid" in str(error)
    assert TOKEN not in str(error) + repr(error)


@responses.activate
def test_503_is_retried_with_backoff_then_succeeds(console: QRadarConsole, calls: list[CallRecord]) -> None:
    responses.get(BASE + DR_CONFIG_PATH, status=503)
    responses.get(BASE + DR_CONFIG_PATH, json={"is_dr": "DR", "site_state": "STANDBY"})

    console.read_dr_config(budget())

    assert len(responses.calls) == 2
    assert calls[-1].attempts == 2
    assert calls[-1].http_status == 200


@responses.activate
@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
def test_errors_a_retry_cannot_fix_are_not_retried(console: QRadarConsole, status: int) -> None:
    responses.get(BASE + DR_CONFIG_PATH, status=status, json=qradar_error_body(status, 1, "no"))

    with pytest.raises(QRadarError):
        console.read_dr_config(budget())
    assert len(responses.calls) == 1


@responses.activate
def test_retries_are_bounded(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, body=requests.exceptions.ConnectionError("refused"))

    with pytest.raises(QRadarError) as raised:
        console.read_dr_config(budget())

    assert raised.value.kind is FailureKind.CONNECTION
    assert len(responses.calls) == 3, "one attempt plus HTTP_MAX_RETRIES=2"


@responses.activate
def test_read_timeout_is_not_retried(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, body=requests.exceptions.ReadTimeout("silent"))

    with pytest.raises(QRadarError) as raised:
        console.read_dr_config(budget())

    assert raised.value.kind is FailureKind.TIMEOUT
    assert len(responses.calls) == 1


@responses.activate
def test_connect_timeout_is_reported_as_timeout(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, body=requests.exceptions.ConnectTimeout("no SYN-ACK"))

    with pytest.raises(QRadarError) as raised:
        console.read_dr_config(budget())

    assert raised.value.kind is FailureKind.TIMEOUT


@responses.activate
def test_malformed_json_is_a_clear_error(console: QRadarConsole) -> None:
    responses.get(BASE + DR_CONFIG_PATH, body='{"is_dr": "DR", ', content_type="application/json")

    with pytest.raises(QRadarError, match="not JSON") as raised:
        console.read_dr_config(budget())
    assert raised.value.kind is FailureKind.MALFORMED


def test_exhausted_deadline_makes_no_call(console: QRadarConsole) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(QRadarError) as raised:
            console.read_dr_config(Deadline.after(0))
        assert len(mock.calls) == 0
    assert raised.value.kind is FailureKind.DEADLINE


def test_timeouts_never_exceed_the_time_left(console: QRadarConsole) -> None:
    seen: list[object] = []

    def capture(method: str, url: str, **kwargs: object) -> requests.Response:
        seen.append(kwargs["timeout"])
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"is_dr": "DR", "site_state": "STANDBY"}'
        return response

    console.http.session.request = capture  # type: ignore[method-assign,assignment]
    console.read_dr_config(Deadline.after(1.5))

    connect, read = seen[0]  # type: ignore[misc]
    assert connect <= 1.5
    assert read <= 1.5


def test_repr_of_console_and_token_hide_the_token(console: QRadarConsole) -> None:
    assert TOKEN not in repr(console)
    assert TOKEN not in repr(console.http.token) + str(console.http.token)


@responses.activate
def test_401_after_a_rotation_is_retried_once_with_the_new_token(console: QRadarConsole) -> None:
    rotated = Token("rotated-token-55aa")
    console.http.refresh_token = lambda rejected: rotated if rejected.reveal() == TOKEN else None
    responses.get(BASE + DR_CONFIG_PATH, status=401, json=qradar_error_body(401, 9002, "bad token"))
    responses.get(BASE + DR_CONFIG_PATH, json={"is_dr": "DR", "site_state": "STANDBY"})

    console.read_dr_config(budget())

    assert [call.request.headers["SEC"] for call in responses.calls] == [TOKEN, "rotated-token-55aa"]


@responses.activate
def test_401_with_an_unchanged_secret_is_not_retried(console: QRadarConsole) -> None:
    asked: list[Token] = []

    def unchanged(rejected: Token) -> Token | None:
        asked.append(rejected)
        return None

    console.http.refresh_token = unchanged
    responses.get(BASE + DR_CONFIG_PATH, status=401, json=qradar_error_body(401, 9002, "bad token"))

    with pytest.raises(QRadarError) as raised:
        console.read_dr_config(budget())

    assert raised.value.http_status == 401
    assert len(responses.calls) == 1
    assert len(asked) == 1


class SimulatedTime:
    """A monotonic clock that only the console's waits between polls move."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@responses.activate
def test_a_deploy_still_running_when_too_little_time_is_left_for_a_poll_is_reported_as_running(
    console: QRadarConsole, calls: list[CallRecord]
) -> None:
    """After a wait, less time may be left than one more call needs: the console answered every poll, so
    the failure is a deploy that outlasted the budget, not a call that got no answer."""
    time = SimulatedTime()
    console.sleep = time.sleep
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "IN_PROGRESS", "percent_complete": 10})

    with pytest.raises(QRadarError) as raised:
        console.await_deploy(Deadline(0.9, time), poll_interval=0.5)

    assert (raised.value.step, raised.value.kind) == ("deploy", FailureKind.DEADLINE)
    assert raised.value.detail == "deploy still IN_PROGRESS at 10% when the time budget ran out"
    assert [call.http_status for call in calls] == [200], "every poll was answered"


@responses.activate
def test_each_deploy_poll_reaches_the_deploy_observer_with_the_wait_and_its_bound(console: QRadarConsole) -> None:
    time = SimulatedTime()
    console.sleep = time.sleep
    polls: list[DeployPoll] = []
    console.deploy_observer = polls.append
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "INITIALIZING", "percent_complete": 0})
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "IN_PROGRESS", "percent_complete": 40})
    responses.get(BASE + DEPLOY_STATUS_PATH, json=COMPLETE)

    console.await_deploy(Deadline(200, time), poll_interval=5)

    assert [(p.site, p.status.status, p.status.percent_complete) for p in polls] == [
        ("destination", "INITIALIZING", 0),
        ("destination", "IN_PROGRESS", 40),
        ("destination", "COMPLETE", 100),
    ]
    assert [p.waited_seconds for p in polls] == [0, 5, 10]
    assert {p.bound_seconds for p in polls} == {200}, "the time the wait may take in all"


@responses.activate
def test_an_observer_that_fails_cannot_change_the_deploy_wait(
    console: QRadarConsole, caplog: pytest.LogCaptureFixture
) -> None:
    """Whoever shows progress is a bystander: its failure is logged and the wait ends as the console says."""
    time = SimulatedTime()
    console.sleep = time.sleep

    def broken_observer(poll: DeployPoll) -> None:
        raise ValueError("the progress line could not be drawn")

    console.deploy_observer = broken_observer
    responses.get(BASE + DEPLOY_STATUS_PATH, json={"status": "IN_PROGRESS", "percent_complete": 40})
    responses.get(BASE + DEPLOY_STATUS_PATH, json=COMPLETE)

    final = console.await_deploy(Deadline(200, time), poll_interval=5)

    assert final is not None and final.complete
    assert "the deploy observer failed" in caplog.text
