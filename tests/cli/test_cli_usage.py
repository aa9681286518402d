"""Bad input of every kind: one line on stderr, exit 2, valid JSON on stdout with --json, nothing done.
And what the commands say about themselves: --version, --help at 80 columns, decode's wording."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from qradar_failover_cli.main import main
from support.events import EVENTS_DIR

SAMPLE = str(EVENTS_DIR / "sns-cloudwatch-alarm-event.json")


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run(*argv: str, environ: dict[str, str] | None = None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out):  # argparse prints --help and --version to sys.stdout
        code = main(list(argv), environ=environ if environ is not None else {"COLUMNS": "200"}, stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def assert_one_line_usage_error(result: Run, *, json_expected: bool) -> dict[str, object] | None:
    assert result.code == 2, result.out + result.err
    assert "Traceback" not in result.out + result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    if not json_expected:
        return None
    document: dict[str, object] = json.loads(result.out)
    assert document["exit_code"] == 2
    assert document["error"]
    return document


@pytest.fixture
def random_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "random.bin"
    path.write_bytes(bytes([0xFF, 0xD6, 0x00, 0xFE, 0x80, 0x41]) * 50)
    return path


@pytest.fixture
def nested_brackets(tmp_path: Path) -> Path:
    path = tmp_path / "nested.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


@pytest.mark.parametrize("as_json", [False, True])
def test_decode_of_random_bytes_is_one_line_not_a_traceback(random_bytes: Path, as_json: bool) -> None:
    result = run("decode", str(random_bytes), *(["--json"] if as_json else []))

    assert_one_line_usage_error(result, json_expected=as_json)
    assert "is not UTF-8 text (byte 0xff at offset 0)" in result.err


@pytest.mark.parametrize("as_json", [False, True])
def test_decode_of_100k_nested_brackets_is_one_line_not_a_traceback(nested_brackets: Path, as_json: bool) -> None:
    result = run("decode", str(nested_brackets), *(["--json"] if as_json else []))

    assert_one_line_usage_error(result, json_expected=as_json)
    assert "nests JSON too deeply" in result.err


def test_decode_of_an_sns_message_nested_too_deeply_is_rejected_not_a_traceback(tmp_path: Path) -> None:
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": "[" * 100_000 + "]" * 100_000}}]}
    path = tmp_path / "deep-message.json"
    path.write_text(json.dumps(event))

    result = run("decode", str(path), "--main-site-availability-zones", "ca-central-1a", "--json")

    assert result.code == 1, result.err
    decision = json.loads(result.out)["decision"]
    assert decision == "rejected: SNS Message is JSON nested too deeply to be a CloudWatch alarm"


def test_decode_of_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run("decode", str(tmp_path), "--json")

    assert_one_line_usage_error(result, json_expected=True)
    assert f"cannot read {tmp_path}: Is a directory" in result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["drill", "--deploy-seconds", "-1"], "argument --deploy-seconds: must be between 0 and 600 seconds, got -1"),
        (["drill", "--deploy-seconds", "soon"], "argument --deploy-seconds: must be a number of seconds, got 'soon'"),
        (["drill", "--duplicates", "0"], "argument --duplicates: must be between 1 and 50, got 0"),
        (["failover", "--time-budget", "0"], "argument --time-budget: must be at least 30 seconds, got 0"),
        (["failover", "--time-budget", "nan"], "argument --time-budget: must be at least 30 seconds, got nan"),
        (["status", "--no-such-flag"], "unrecognized arguments: --no-such-flag"),
        (["statsu"], "argument COMMAND: invalid choice: 'statsu'"),
        (["decode"], "the following arguments are required: FILE"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_bad_flags_are_one_line_exit_2_and_json(argv: list[str], message: str, as_json: bool) -> None:
    result = run(*argv, *(["--json"] if as_json else []))

    document = assert_one_line_usage_error(result, json_expected=as_json)
    assert message in result.err
    if document is not None:
        assert message in str(document["error"])


def test_time_budget_0_is_refused_before_anything_is_read_or_claimed() -> None:
    """Parsing refuses it: no settings are read, no AWS client is made, no lock can be claimed."""
    result = run("failover", "--yes", "--time-budget", "0", environ={})

    assert result.code == 2
    assert result.err.startswith("qradar-failover failover: argument --time-budget: must be at least 30 seconds")


def test_version_prints_the_installed_version() -> None:
    from importlib.metadata import version

    result = run("--version")

    assert result.code == 0
    assert result.out.strip() == f"qradar-failover {version('qradar-failover')}"


def test_top_level_help_fits_80_columns_and_widens_with_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    narrow = run("--help")
    monkeypatch.setenv("COLUMNS", "140")
    wide = run("--help")

    assert narrow.code == 0
    assert [line for line in narrow.out.splitlines() if len(line) > 80] == []
    assert max(len(line) for line in wide.out.splitlines()) > 100, "prose fills a wider terminal"
    for text in ("status", "failover", "rearm", "decode", "drill", "exit codes:", "--function"):
        assert text in narrow.out


@pytest.mark.parametrize("command", ["status", "failover", "rearm", "decode"])
def test_setting_flags_are_the_environment_names(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    text = run(command, "--help").out

    flags = set(re.findall(r"--[a-z][a-z0-9-]*", text))
    for old in ("--sns-topic", "--lock-table", "--main-token-secret", "--main-azs", "--ca-bundle"):
        assert old not in flags, f"{old} is a hidden alias, not listed"
    if command == "decode":
        assert flags & {"--notification-topic-arn", "--lock-table-name", "--main-site-address"} == set(), (
            "decode lists no flag it ignores"
        )
        assert "--main-site-availability-zones" in flags
    else:
        for flag in ("--notification-topic-arn", "--lock-table-name", "--main-site-token-secret-arn"):
            assert flag in flags


def test_decode_names_the_delivery_with_the_right_article_and_json_keys_have_no_spaces() -> None:
    text = run("decode", SAMPLE)
    document = json.loads(run("decode", SAMPLE, "--json").out)
    eventbridge = run("decode", str(EVENTS_DIR / "eventbridge-alarm-state-change-event.json"))

    assert text.out.startswith("Interpreted as an SNS delivery of a CloudWatch alarm\n")
    assert eventbridge.out.startswith("Interpreted as an EventBridge delivery")

    def keys(value: object) -> list[str]:
        if isinstance(value, dict):
            return [*value, *(key for item in value.values() for key in keys(item))]
        return [key for item in value for key in keys(item)] if isinstance(value, list) else []

    assert [key for key in keys(document) if " " in key] == []
    assert document["alarm"]["availability_zone"] == "ca-central-1a"


@pytest.mark.parametrize("as_json", [False, True])
def test_decode_without_the_main_site_azs_cannot_decide_and_exits_2(as_json: bool) -> None:
    result = run("decode", SAMPLE, "--offline", *(["--json"] if as_json else []))

    assert result.code == 2
    decision = json.loads(result.out)["decision"] if as_json else result.out
    assert "cannot tell: is ca-central-1a a Main-Site AZ?" in decision
    assert "acted on" not in decision


# --- what the issue measured (issue 20, item 8) --------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{}", "it is neither an SNS notification, an EventBridge alarm event nor an alarm message"),
        ("null", "it is null, not a JSON object"),
        ("[1, 2]", "it is an array, not a JSON object"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_decode_of_json_that_is_no_event_is_a_usage_error_in_json_words(
    tmp_path: Path, content: str, reason: str, as_json: bool
) -> None:
    path = tmp_path / "not-an-event.json"
    path.write_text(content)

    result = run("decode", str(path), *(["--json"] if as_json else []), environ={"COLUMNS": "400"})

    assert_one_line_usage_error(result, json_expected=as_json)
    assert f"{path} is not an alarm event: {reason}" in result.err
    assert "NoneType" not in result.err and " list" not in result.err and " dict" not in result.err


def test_a_rejected_alarm_names_json_types_not_python_ones(tmp_path: Path) -> None:
    event = {"AlarmName": "x", "NewStateValue": "ALARM", "Trigger": []}
    path = tmp_path / "alarm.json"
    path.write_text(json.dumps(event))

    result = run("decode", str(path), "--main-site-availability-zones", "ca-central-1a", "--json")

    assert result.code == 1, "an alarm message the function rejects: rejected, exit 1"
    assert json.loads(result.out)["decision"] == "rejected: Trigger is missing or not an object"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["failover", "--time-budget", "inf"], "argument --time-budget: must be a finite number of seconds, got inf"),
        (["status", "--function", ""], "argument --function: must be a Lambda function name or ARN, got ''"),
        (["status", "--function", "no such function"], "must be a Lambda function name or ARN, got 'no such"),
        (["drill", "--readiness", "ready", "--main-hung"], "--readiness runs the readiness function"),
        (["drill", "--readiness", "ready", "--deploy-seconds", "9"], "--readiness runs the readiness function"),
        (["drill", "--false-alarm", "--main-hung"], "--false-alarm is refused before any console is called"),
        (["drill", "--false-alarm", "--deploy-seconds", "9"], "--false-alarm is refused before any console is called"),
        (["drill", "--dry-run", "--deploy-seconds", "9"], "a dry run deploys nothing"),
    ],
)
def test_values_and_combinations_that_mean_nothing_are_refused(argv: list[str], message: str) -> None:
    result = run(*argv, environ={"COLUMNS": "400"})

    assert_one_line_usage_error(result, json_expected=False)
    assert message in result.err


def test_a_long_error_fits_the_terminal_as_one_message(tmp_path: Path) -> None:
    path = tmp_path / "not-an-event.json"
    path.write_text("{}")

    result = run("decode", str(path), environ={"COLUMNS": "80"})

    lines = result.err.splitlines()
    assert result.code == 2 and len(lines) > 1
    assert max(len(line) for line in lines) <= 80
    assert lines[0].startswith("qradar-failover decode:") and all(line.startswith("  ") for line in lines[1:])


def test_readiness_help_names_the_readiness_function_for_function(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")

    readiness = " ".join(run("readiness", "--help").out.split())
    status = " ".join(run("status", "--help").out.split())

    assert "from this deployed readiness function (the module's readiness_function_name output" in readiness
    assert "deployed failover function" not in readiness
    assert "from this deployed failover function (the module's function_name output" in status


def test_no_alarm_found_names_the_flag_that_exists() -> None:
    from qradar_failover_cli.alarms import manual_failover_event
    from qradar_failover_cli.exit_codes import CliError

    with pytest.raises(CliError) as refused:
        manual_failover_event([], None)

    assert "--alarm-name-prefix" in str(refused.value) and "--alarm-prefix " not in str(refused.value)
    assert "the module's name" in str(refused.value) and "name_prefix" not in str(refused.value)
