"""A failback's progress in the lock record, on moto: kept beside the recorded failover, written with
conditional writes, resumable, and never a way around the failover's exactly-once claim."""

from __future__ import annotations

from typing import Any

import pytest

from qradar_failover.lock import (
    ClaimResult,
    FailbackNotClaimed,
    FailbackTakenOver,
    FailoverLock,
    LockState,
)
from support.lock import make_lock


def failed_over(lock: FailoverLock) -> None:
    assert lock.claim("run-1", "alarm")[0] is ClaimResult.CLAIMED
    assert lock.record_failed_over("run-1", {"sites": {"main": {"copy_profiles_disabled": ["1", "2"]}}})


def test_a_failback_starts_only_from_a_recorded_failover(dynamodb: Any) -> None:
    lock = make_lock(dynamodb, [1000.0])

    with pytest.raises(FailbackNotClaimed, match="no failover is recorded"):
        lock.begin_failback("fb-1", "alice")
    assert lock.current() is None, "nothing was written"

    lock.claim("run-1", "alarm")
    with pytest.raises(FailbackNotClaimed, match="CLAIMED"):
        lock.begin_failback("fb-1", "alice")


def test_progress_is_kept_in_the_record_and_read_back(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)

    progress = lock.begin_failback("fb-1", "alice")
    progress = lock.record_failback_step(progress, "activate-main", "Main PRIMARY/ACTIVE", changed=True)

    record = lock.current()
    assert record is not None and record.state is LockState.FAILED_OVER
    assert record.summary["sites"]["main"]["copy_profiles_disabled"] == ["1", "2"], "the failover's record stays"
    assert record.failback is not None
    assert record.failback.run_id == "fb-1" and record.failback.operator == "alice"
    assert record.failback.done("activate-main") and not record.failback.done("demote-destination")
    assert record.failback.steps["activate-main"]["changed"] is True
    assert record.as_dict()["failback"]["steps"]["activate-main"]["detail"] == "Main PRIMARY/ACTIVE"
    assert progress.version == record.failback.version


def test_a_failover_claim_is_refused_while_a_failback_is_in_progress(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)
    lock.begin_failback("fb-1", "alice")

    now[0] += 10**6
    result, record = lock.claim("run-2", "alarm")

    assert result is ClaimResult.ALREADY_FAILED_OVER
    assert record is not None and record.failback is not None
    assert lock.blocking_record() is not None


def test_another_operator_waits_for_a_live_failback_and_resumes_an_abandoned_one(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)
    first = lock.begin_failback("fb-1", "alice")
    lock.record_failback_step(first, "activate-main", "done", changed=True)

    with pytest.raises(FailbackNotClaimed, match="alice"):
        lock.begin_failback("fb-2", "bob")

    now[0] += 901  # alice's run died; its lease ran out
    resumed = lock.begin_failback("fb-2", "bob")

    assert resumed.run_id == "fb-2" and resumed.operator == "bob"
    assert resumed.done("activate-main"), "a resumed failback keeps the steps done before"
    assert resumed.started_at == first.started_at


def test_the_same_operator_may_resume_at_once_after_an_interruption(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)
    first = lock.begin_failback("fb-1", "alice")
    lock.record_failback_step(first, "activate-main", "done", changed=True)

    resumed = lock.begin_failback("fb-2", "alice")  # her terminal died; the lease is still live

    assert resumed.done("activate-main")


def test_a_run_that_was_taken_over_can_write_nothing_more(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)
    first = lock.begin_failback("fb-1", "alice")
    now[0] += 901
    second = lock.begin_failback("fb-2", "bob")

    with pytest.raises(FailbackTakenOver, match="fb-2"):
        lock.record_failback_step(first, "activate-main", "done", changed=True)
    with pytest.raises(FailbackTakenOver):
        lock.finish_failback(first)

    assert lock.finish_failback(second) is not None
    assert lock.current() is None, "the finished failback re-armed the lock"


def test_released_failback_may_be_resumed_by_anyone_at_once(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)
    first = lock.begin_failback("fb-1", "alice")

    lock.release_failback(first)

    assert lock.begin_failback("fb-2", "bob").run_id == "fb-2"


def test_recording_a_step_refreshes_the_lease(dynamodb: Any) -> None:
    now = [1000.0]
    lock = make_lock(dynamodb, now)
    failed_over(lock)
    progress = lock.begin_failback("fb-1", "alice")

    now[0] += 800
    progress = lock.record_failback_step(progress, "activate-main", "done", changed=True)
    now[0] += 800

    with pytest.raises(FailbackNotClaimed, match="alice"):
        lock.begin_failback("fb-2", "bob")
    assert progress.live(now[0])
