"""How long an AZ's collectors have been healthy, read from its per-AZ datapoints: what a failback
waits for (a recovery is a run of healthy minutes, not one datapoint)."""

from __future__ import annotations

from qradar_failover.evidence import CloudWatchView, Datapoint, judge_cloudwatch

NOW = 1_800_000_000.0 // 60 * 60  # a whole minute
OTHER = {"ca-central-1b": [Datapoint(NOW - 60, 2, 0)]}


def minutes(values: dict[int, float | None]) -> list[Datapoint]:
    """Datapoints ``minutes_ago -> healthy`` (0 unhealthy)."""
    return [Datapoint(NOW - 60 * ago, healthy, 0) for ago, healthy in values.items()]


def test_healthy_since_is_the_first_minute_of_the_current_healthy_run() -> None:
    points = minutes({12: 0, 11: 0, 10: 2, 9: 2, 8: 2, 3: 2, 2: 2, 1: 2} | {7: 2, 6: 2, 5: 2, 4: 2})

    reading = judge_cloudwatch(points, OTHER, NOW, min_healthy=1)

    assert reading.view is CloudWatchView.REPORTING
    assert reading.healthy_since == NOW - 600


def test_a_missing_minute_breaks_the_healthy_run() -> None:
    points = minutes({10: 2, 9: 2, 8: 2, 6: 2, 5: 2, 4: 2, 3: 2, 2: 2, 1: 2})  # minute 7 never reported

    reading = judge_cloudwatch(points, OTHER, NOW, min_healthy=1)

    assert reading.healthy_since == NOW - 360


def test_a_minute_without_healthy_host_count_breaks_the_healthy_run() -> None:
    points = minutes({5: 2, 4: None, 3: 2, 2: 2, 1: 2})

    assert judge_cloudwatch(points, OTHER, NOW, min_healthy=1).healthy_since == NOW - 180


def test_an_az_below_the_minimum_now_has_no_healthy_since() -> None:
    points = minutes({5: 2, 4: 2, 3: 2, 2: 2, 1: 0})

    reading = judge_cloudwatch(points, OTHER, NOW, min_healthy=1)

    assert reading.healthy_since is None
    assert reading.breach_started_at == NOW - 60
