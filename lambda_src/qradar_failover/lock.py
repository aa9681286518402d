"""The exactly-once guard: one DynamoDB item per deployment, claimed by a conditional write.

Item states (attribute ``state``):

* absent      - armed: the next confirmed alarm may fail over.
* ``CLAIMED`` - a run is failing over now. The claim carries ``expires_at``; a run that crashed
                leaves a claim that a later delivery may take over once it expires. Taking over is
                safe because every step reads the consoles first and only moves them forward.
* ``FAILED_OVER`` - done. Later alarms are no-ops until an operator re-arms (deletes the item).
* ``FAILED``  - the last attempt failed and was recorded; the next alarm may try again.

A failback (``qradar-failover failback``) keeps its progress on the ``FAILED_OVER`` item, beside the
failover's record (attributes ``failback*``, :class:`FailbackProgress`): the state stays
``FAILED_OVER`` until the failback's last step deletes the item, so the failover's claim, which never
takes a ``FAILED_OVER`` item, is refused all along. Each step is written with a condition on the
failback's holder and version; a holder's lease (``LOCK_CLAIM_TTL_SECONDS``, renewed at every step)
lets another run resume an abandoned failback where it stopped.

Beside it, one small item per alarm state change that a run could not conclude
(``<lock_id>#attempts#<hash>``) counts the attempts Lambda made at it (:meth:`FailoverLock.count_attempt`),
so a run knows whether Lambda will run the alarm again. It never blocks anything and expires by itself
(the table's TTL attribute ``purge_at``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from .aws_errors import AWS_ERRORS, AwsError, aws_error_code
from .observability import iso_utc

ATTEMPTS_KEPT_SECONDS = 86400  # Lambda gives up on an event after 6 hours at most


class LockState(StrEnum):
    CLAIMED = "CLAIMED"
    FAILED_OVER = "FAILED_OVER"
    FAILED = "FAILED"


class LockUnavailable(AwsError):
    """DynamoDB could not be read or written (``aws_error_code``/``aws_problem`` say why)."""


class FailbackNotClaimed(RuntimeError):
    """The lock record does not let this run fail back now; the message says why, ``record`` is what it holds."""

    def __init__(self, message: str, record: LockRecord | None) -> None:
        super().__init__(message)
        self.record = record


class FailbackTakenOver(RuntimeError):
    """Another run took this failback over (or the lock was re-armed): this run may write nothing more."""


@dataclass(frozen=True)
class FailbackProgress:
    """Where a failback stands: who runs it, until when its lease holds, and the steps done (step id ->
    ``{"at", "detail", "changed", "order"}``; ``changed``: the step wrote to a console; ``order``: 1 for the
    first step done)."""

    run_id: str
    operator: str
    started_at: float
    expires_at: float
    steps: dict[str, dict[str, Any]]
    version: int

    def done(self, step_id: str) -> bool:
        return step_id in self.steps

    def live(self, now: float) -> bool:
        return self.expires_at > now

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "operator": self.operator,
            "started_at": iso_utc(self.started_at),
            "expires_at": iso_utc(self.expires_at),
            "steps": dict(sorted(self.steps.items(), key=lambda item: int(item[1].get("order", 0)))),
        }


@dataclass(frozen=True)
class LockRecord:
    lock_id: str
    state: LockState
    holder: str | None
    claimed_at: float | None
    expires_at: float | None
    alarm_name: str | None
    summary: dict[str, Any]
    duplicate_notice_sent: bool
    failback: FailbackProgress | None = None

    def expired(self, now: float) -> bool:
        return self.state is LockState.CLAIMED and self.expires_at is not None and self.expires_at <= now

    def as_dict(self) -> dict[str, Any]:
        return {
            "lock_id": self.lock_id,
            "state": self.state.value,
            "holder": self.holder,
            "claimed_at": iso_utc(self.claimed_at) if self.claimed_at is not None else None,
            "expires_at": iso_utc(self.expires_at) if self.expires_at is not None else None,
            "alarm_name": self.alarm_name,
            "summary": self.summary,
            "duplicate_notice_sent": self.duplicate_notice_sent,
            "failback": self.failback.as_dict() if self.failback else None,
        }


class ClaimResult(StrEnum):
    CLAIMED = "claimed"
    ALREADY_FAILED_OVER = "already_failed_over"
    HELD_BY_ANOTHER_RUN = "held_by_another_run"


class DynamoDBTable(Protocol):
    """The subset of the low-level DynamoDB client the lock uses."""

    def get_item(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def put_item(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def update_item(self, **kwargs: Any) -> Mapping[str, Any]: ...
    def delete_item(self, **kwargs: Any) -> Mapping[str, Any]: ...


@dataclass
class FailoverLock:
    client: DynamoDBTable
    table: str
    lock_id: str
    claim_ttl_seconds: int
    clock: Callable[[], float] = time.time

    def current(self) -> LockRecord | None:
        try:
            response = self.client.get_item(TableName=self.table, Key=self._key(), ConsistentRead=True)
        except AWS_ERRORS as error:
            raise LockUnavailable(f"cannot read lock {self.lock_id!r} in table {self.table!r}", error) from None
        item = response.get("Item")
        return _record(item) if item else None

    def blocking_record(self) -> LockRecord | None:
        """The record that stops a new failover now (one recorded, or a live claim), if any."""
        record = self.current()
        if record is None or record.state is LockState.FAILED or record.expired(self.clock()):
            return None
        return record

    def claim(self, holder: str, alarm_name: str) -> tuple[ClaimResult, LockRecord | None]:
        """Claim the failover for ``holder``; on contention say who holds it and in what state. A claim
        that wins returns the record it replaced (an earlier attempt that failed, an expired claim), if any."""
        now = self.clock()
        claim_id = uuid.uuid4().hex  # tells this call's write from any other, even one with our holder
        try:
            response = self.client.put_item(
                TableName=self.table,
                Item={
                    **self._key(),
                    "state": {"S": LockState.CLAIMED.value},
                    "holder": {"S": holder},
                    "claim_id": {"S": claim_id},
                    "claimed_at": {"N": _number(now)},
                    "expires_at": {"N": _number(now + self.claim_ttl_seconds)},
                    "alarm_name": {"S": alarm_name},
                },
                ConditionExpression=(
                    "attribute_not_exists(lock_id) OR #state = :failed OR (#state = :claimed AND expires_at <= :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":failed": {"S": LockState.FAILED.value},
                    ":claimed": {"S": LockState.CLAIMED.value},
                    ":now": {"N": _number(now)},
                },
                ReturnValues="ALL_OLD",  # what the claim replaced
                ReturnValuesOnConditionCheckFailure="ALL_OLD",  # the blocking item, without a second read
            )
        except AWS_ERRORS as error:
            if aws_error_code(error) != "ConditionalCheckFailedException":
                raise LockUnavailable(f"cannot claim lock {self.lock_id!r}", error) from None
            item = getattr(error, "response", {}).get("Item") or {}
            if item.get("claim_id", {}).get("S") == claim_id:
                # The SDK retried our write after losing its answer (a read timeout, a 500): the first try won.
                return ClaimResult.CLAIMED, None
            record = _record(item) if item else None
            if record is not None and record.state is LockState.FAILED_OVER:
                return ClaimResult.ALREADY_FAILED_OVER, record
            return ClaimResult.HELD_BY_ANOTHER_RUN, record
        replaced = response.get("Attributes")
        return ClaimResult.CLAIMED, _record(replaced) if replaced else None

    def record_failed_over(self, holder: str, summary: Mapping[str, Any]) -> bool:
        """Mark the failover done. False if our claim was taken over meanwhile (logged by the caller)."""
        return self._finish(holder, LockState.FAILED_OVER, summary)

    def record_failed(self, holder: str, summary: Mapping[str, Any]) -> bool:
        """Record a failed attempt, which leaves the system armed for the next alarm."""
        return self._finish(holder, LockState.FAILED, summary)

    def mark_duplicate_notice_sent(self) -> bool:
        """True exactly once per recorded failover: the caller that gets True sends the notice."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(),
                UpdateExpression="SET duplicate_notice_sent = :true",
                ConditionExpression="#state = :failed_over AND (attribute_not_exists(duplicate_notice_sent) "
                "OR duplicate_notice_sent = :false)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":true": {"BOOL": True},
                    ":false": {"BOOL": False},
                    ":failed_over": {"S": LockState.FAILED_OVER.value},
                },
            )
        except AWS_ERRORS as error:
            if aws_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise LockUnavailable(f"cannot update lock {self.lock_id!r}", error) from None
        return True

    def count_attempt(self, state_change: str) -> int:
        """Count one more attempt at an alarm state change (``AlarmRecord.state_change_key``) and return
        how many there were, this one included: Lambda retries an event with the same alarm in it."""
        digest = hashlib.sha256(state_change.encode("utf-8")).hexdigest()[:24]
        try:
            response = self.client.update_item(
                TableName=self.table,
                Key={"lock_id": {"S": f"{self.lock_id}#attempts#{digest}"}},
                UpdateExpression="ADD attempts :one SET state_change = :key, purge_at = :purge",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":key": {"S": state_change},
                    ":purge": {"N": str(int(self.clock()) + ATTEMPTS_KEPT_SECONDS)},
                },
                ReturnValues="UPDATED_NEW",
            )
        except AWS_ERRORS as error:
            raise LockUnavailable(f"cannot count attempts in table {self.table!r}", error) from None
        return int(response.get("Attributes", {}).get("attempts", {}).get("N", "1"))

    def rearm(self) -> LockRecord | None:
        """Delete the lock item so the next confirmed alarm fails over again. Returns what it held."""
        try:
            response = self.client.delete_item(TableName=self.table, Key=self._key(), ReturnValues="ALL_OLD")
        except AWS_ERRORS as error:
            raise LockUnavailable(f"cannot delete lock {self.lock_id!r}", error) from None
        item = response.get("Attributes")
        return _record(item) if item else None

    # --- failback -------------------------------------------------------------------------------
    def begin_failback(self, run_id: str, operator: str) -> FailbackProgress:
        """Take the failback of the recorded failover for ``run_id``: a new one, or resume one whose run
        stopped (its lease ran out or was released, or it is the same operator's), keeping its steps.
        Raises :class:`FailbackNotClaimed` with the reason when the record does not allow it."""
        record = self.current()
        now = self.clock()
        if record is None:
            raise FailbackNotClaimed("no failover is recorded (the automation is armed): nothing to fail back", None)
        if record.state is not LockState.FAILED_OVER:
            state = record.state.value
            raise FailbackNotClaimed(f"the lock is {state}, not FAILED_OVER: no completed failover", record)
        previous = record.failback
        if previous is not None and previous.live(now) and previous.operator != operator:
            raise FailbackNotClaimed(
                f"a failback by {previous.operator} (run {previous.run_id}) holds the lock until "
                f"{iso_utc(previous.expires_at)}",
                record,
            )
        progress = FailbackProgress(
            run_id,
            operator,
            previous.started_at if previous else now,
            now + self.claim_ttl_seconds,
            dict(previous.steps) if previous else {},
            (previous.version if previous else 0) + 1,
        )
        condition = "#state = :failed_over AND " + (
            "failback_version = :seen" if previous else "attribute_not_exists(failback_version)"
        )
        seen = {":seen": {"N": str(previous.version)}} if previous else {}
        if not self._write_failback(progress, condition, seen):
            raise FailbackNotClaimed("another run changed the lock record meanwhile; run the failback again", record)
        return progress

    def record_failback_step(
        self, progress: FailbackProgress, step_id: str, detail: str, *, changed: bool
    ) -> FailbackProgress:
        """Record a step as done (and renew the lease). Raises :class:`FailbackTakenOver` when this run no
        longer holds the failback."""
        now = self.clock()
        step = {"at": iso_utc(now), "detail": detail, "changed": changed, "order": len(progress.steps) + 1}
        updated = FailbackProgress(
            progress.run_id,
            progress.operator,
            progress.started_at,
            now + self.claim_ttl_seconds,
            {**progress.steps, step_id: step},
            progress.version + 1,
        )
        if not self._write_failback(updated, *self._held_by(progress)):
            raise self._taken_over(progress)
        return updated

    def release_failback(self, progress: FailbackProgress) -> bool:
        """End this run's lease now, so a failback stopped on purpose may be resumed at once, by anyone."""
        condition, values = self._held_by(progress)
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(),
                UpdateExpression="SET failback_expires_at = :now",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={**values, ":now": {"N": _number(self.clock())}},
            )
        except AWS_ERRORS as error:
            if aws_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise LockUnavailable(f"cannot update lock {self.lock_id!r}", error) from None
        return True

    def finish_failback(self, progress: FailbackProgress) -> LockRecord | None:
        """Re-arm: delete the record, only while this run holds the failback. Returns what it held."""
        condition, values = self._held_by(progress)
        try:
            response = self.client.delete_item(
                TableName=self.table,
                Key=self._key(),
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
            )
        except AWS_ERRORS as error:
            if aws_error_code(error) == "ConditionalCheckFailedException":
                raise self._taken_over(progress) from None
            raise LockUnavailable(f"cannot delete lock {self.lock_id!r}", error) from None
        item = response.get("Attributes")
        return _record(item) if item else None

    def _held_by(self, progress: FailbackProgress) -> tuple[str, dict[str, Any]]:
        return (
            "#state = :failed_over AND failback_holder = :holder AND failback_version = :seen",
            {
                ":failed_over": {"S": LockState.FAILED_OVER.value},
                ":holder": {"S": progress.run_id},
                ":seen": {"N": str(progress.version)},
            },
        )

    def _write_failback(self, progress: FailbackProgress, condition: str, values: Mapping[str, Any]) -> bool:
        """Write ``progress`` under ``condition``; False when the condition fails."""
        document = {"run_id": progress.run_id, "operator": progress.operator, "started_at": progress.started_at}
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(),
                UpdateExpression="SET failback = :failback, failback_holder = :run, failback_expires_at = :expires, "
                "failback_version = :version",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":failed_over": {"S": LockState.FAILED_OVER.value},
                    ":failback": {"S": json.dumps(document | {"steps": progress.steps}, sort_keys=True)},
                    ":run": {"S": progress.run_id},
                    ":expires": {"N": _number(progress.expires_at)},
                    ":version": {"N": str(progress.version)},
                    **values,
                },
            )
        except AWS_ERRORS as error:
            if aws_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise LockUnavailable(f"cannot update lock {self.lock_id!r}", error) from None
        return True

    def _taken_over(self, progress: FailbackProgress) -> FailbackTakenOver:
        record = self.current()
        if record is None:
            return FailbackTakenOver(f"failback {progress.run_id}: the lock was re-armed meanwhile")
        now_held = f"run {record.failback.run_id} of {record.failback.operator}" if record.failback else "nobody"
        return FailbackTakenOver(f"failback {progress.run_id} was taken over: the lock now holds {now_held}")

    def _finish(self, holder: str, state: LockState, summary: Mapping[str, Any]) -> bool:
        try:
            self.client.update_item(
                TableName=self.table,
                Key=self._key(),
                UpdateExpression="SET #state = :state, summary = :summary, finished_at = :now REMOVE expires_at",
                ConditionExpression="holder = :holder AND #state = :claimed",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":state": {"S": state.value},
                    ":summary": {"S": json.dumps(summary, default=str, sort_keys=True)},
                    ":now": {"N": _number(self.clock())},
                    ":holder": {"S": holder},
                    ":claimed": {"S": LockState.CLAIMED.value},
                },
            )
        except AWS_ERRORS as error:
            if aws_error_code(error) == "ConditionalCheckFailedException":
                return False
            raise LockUnavailable(f"cannot update lock {self.lock_id!r}", error) from None
        return True

    def _key(self) -> dict[str, dict[str, str]]:
        return {"lock_id": {"S": self.lock_id}}


def _record(item: Mapping[str, Any]) -> LockRecord:
    def text(name: str) -> str | None:
        value = item.get(name, {}).get("S")
        return value if isinstance(value, str) else None

    def number(name: str) -> float | None:
        value = item.get(name, {}).get("N")
        return float(value) if isinstance(value, str) else None

    try:
        state = LockState(text("state") or "")
    except ValueError:
        state = LockState.CLAIMED  # an unknown state blocks, like a live claim, until an operator re-arms
    try:
        summary = json.loads(text("summary") or "{}")
    except ValueError:
        summary = {"unreadable_summary": True}
    return LockRecord(
        lock_id=text("lock_id") or "",
        state=state,
        holder=text("holder"),
        claimed_at=number("claimed_at"),
        expires_at=number("expires_at"),
        alarm_name=text("alarm_name"),
        summary=_current_summary(summary) if isinstance(summary, dict) else {},
        duplicate_notice_sent=bool(item.get("duplicate_notice_sent", {}).get("BOOL", False)),
        failback=_failback(text("failback"), number("failback_expires_at"), number("failback_version")),
    )


def _failback(document: str | None, expires_at: float | None, version: float | None) -> FailbackProgress | None:
    """The failback's progress, or None when there is none (or it cannot be read: then a new one starts
    from the first step, which reads before it writes)."""
    if document is None or expires_at is None or version is None:
        return None
    try:
        fields = json.loads(document)
        return FailbackProgress(
            str(fields["run_id"]),
            str(fields["operator"]),
            float(fields["started_at"]),
            expires_at,
            {str(step): dict(done) for step, done in dict(fields.get("steps") or {}).items()},
            int(version),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _current_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """A run summary in today's shape. The previous version stored ``at`` as epoch seconds and
    ``failure`` as the text of ``repr(Failure(...))``; a deployed table may still hold one."""
    at = summary.get("at")
    if isinstance(at, int | float) and not isinstance(at, bool):
        summary = {**summary, "at": iso_utc(at)}
    failure = summary.get("failure")
    if isinstance(failure, str):
        summary = {**summary, "failure": _failure_fields(failure)}
    return summary


def _failure_fields(text: str) -> dict[str, Any]:
    """The keyword arguments of ``Failure(site='main', ..., kind='http')``, read as literals only."""
    try:
        call = ast.parse(text, mode="eval").body
        if isinstance(call, ast.Call) and not call.args:
            return {keyword.arg: ast.literal_eval(keyword.value) for keyword in call.keywords if keyword.arg}
    except (SyntaxError, ValueError, TypeError, RecursionError):
        pass
    return {"detail": text}


def _number(value: float) -> str:
    return f"{value:.3f}"
