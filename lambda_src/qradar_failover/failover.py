"""The failover runbook.

decode -> relevant? -> not already failed over? -> confirm -> claim lock -> activate Destination
-> verify -> demote Main (bounded) -> record -> notify.

:func:`fail_over` is that sentence; each step is a method of :class:`_Run` below with the same
name. Every collaborator (QRadar consoles, live target health, the lock, the notifier, the retries
Lambda will make) comes in through a small interface, so tests hand in fakes and the handler hands
in AWS and HTTP.

An alarm acts once, on its state change. So a run that cannot conclude yet (the evidence disagrees or
is not current) looks again within the invocation, and then, like a run that failed for a reason
that may pass, ends with ``next_attempt``: whether and when Lambda runs the alarm again. The
handler raises exactly when one follows, and the notice promises only that one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

from .config import Config, SiteConfig
from .deadline import SYSTEM_CLOCKS, Clocks, Deadline
from .deploys import SiteDeployer
from .events import AlarmRecord, AlarmState, EventRejected, decode_event
from .evidence import HealthEvidence, Verdict
from .health import HealthUnavailable, UnknownTargetGroup
from .ledger import RunLedger
from .lock import ClaimResult, LockRecord, LockState, LockUnavailable
from .qradar import CallObserver, DeployStart, DeployStatus, DRConfig, QRadarError
from .report import (
    DEPLOY_WAIT_STEP,
    Confirmation,
    ConfirmedBy,
    FailoverReport,
    Failure,
    FailureKind,
    Outcome,
    Recovery,
    SiteProgress,
)
from .retry import NoAutomaticRetry, Retries
from .tokens import TokenUnavailable

logger = logging.getLogger(__name__)

MAIN_SITE_BY_HAND = (
    "in the DataSync app on the Main console set the site to STANDBY with ariel copy disabled, disable every "
    "ariel copy profile and deploy changes"
)
INGRESS_STEP = (
    "Check that the host agent restarted ecs-ec-ingress on the Destination hosts (qradar-dr-agent status), "
    "and that events arrive at the Destination console."
)
REARM_STEP = (
    "Once the Main AZ is healthy again, fail back: qradar-failover failback (it re-arms the automation; "
    "until then later alarms are ignored)."
)
ACTIVATE_DESTINATION_BY_HAND = (
    "Activate the Destination by hand in the DataSync app (PRIMARY/ACTIVE, ariel copy on) and deploy, or fix the "
    "cause above and run: qradar-failover failover"
)
FAIL_OVER_BY_HAND = (
    "Check the Main Site collectors and the evidence above; if the Main Site has lost collection, fail over by "
    "hand: qradar-failover failover"
)
# The Destination's activation is given DEPLOY_TIMEOUT_SECONDS for its deploy plus this much for reading,
# staging and starting it.
ACTIVATION_MARGIN_SECONDS = 30
# While the evidence cannot decide, it is read again this often, for at most this long within one
# invocation, and never into the time the Destination's activation needs.
RECHECK_INTERVAL_SECONDS = 15
RECHECK_WINDOW_SECONDS = 120
# A run's deadline is Lambda's time left less this: time to record, notify and flush metrics before the timeout.
SAFETY_MARGIN_SECONDS = 10.0


# --- the collaborators' interfaces -------------------------------------------------------------
class Console(Protocol):
    def read_dr_config(self, deadline: Deadline, step: str = ...) -> DRConfig: ...
    def stage_dr_config(self, config: Mapping[str, Any], deadline: Deadline) -> None: ...
    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]: ...
    def disable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None: ...
    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart: ...
    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None: ...


class Consoles(Protocol):
    def open(self, site: SiteConfig, observer: CallObserver) -> Console:
        """Raises TokenUnavailable when the site's token cannot be read."""
        ...


class HealthSource(Protocol):
    def confirm(self, alarm: AlarmRecord) -> HealthEvidence: ...


class Lock(Protocol):
    def blocking_record(self) -> LockRecord | None: ...
    def claim(self, holder: str, alarm_name: str) -> tuple[ClaimResult, LockRecord | None]: ...
    def record_failed_over(self, holder: str, summary: Mapping[str, Any]) -> bool: ...
    def record_failed(self, holder: str, summary: Mapping[str, Any]) -> bool: ...
    def mark_duplicate_notice_sent(self) -> bool: ...


class Notifier(Protocol):
    def publish(self, report: FailoverReport) -> bool: ...


@dataclass(frozen=True)
class Collaborators:
    consoles: Consoles
    health: HealthSource
    lock: Lock
    notifier: Notifier
    retries: Retries = field(default_factory=NoAutomaticRetry)  # the handler's: Lambda's async retries


# --- the runbook -------------------------------------------------------------------------------
def fail_over(
    event: object,
    config: Config,
    collaborators: Collaborators,
    deadline: Deadline,
    run_id: str,
    clocks: Clocks = SYSTEM_CLOCKS,
    *,
    operator: str | None = None,
) -> FailoverReport:
    """Run the failover for one delivered event and return what was decided and done. Never raises
    for anything the event, QRadar or AWS can do; the report says what happened.

    ``operator``: a manual failover decided by this person. Live target health is still read and
    reported, but the operator's decision stands in for its confirmation (the report says so)."""
    run = _Run(config, collaborators, deadline, run_id, clocks, operator)
    try:
        alarm = run.decode(event)
        run.check_relevant(alarm)
        run.check_not_already_failed_over()
        run.confirm(alarm)
        if config.dry_run:
            run.plan_dry_run()
        run.claim_lock(alarm)
        run.activate_destination()
        run.verify_destination()
        run.demote_main()
        run.record_success()
    except _Finished:
        pass
    except Exception as error:  # a defect must still reach people and release the claim, not vanish in a retry
        run.fail_unexpectedly(error)
    return run.notify()


def _is_demoted(deployed: DRConfig) -> bool:
    return deployed.site_state == "STANDBY" and not deployed.ariel_copy_enabled


def _deploy_left_running(destination: SiteProgress, failure: Failure) -> str | None:
    """When the Destination accepted its deploy and the run stopped waiting for it (out of time, or the
    console stopped answering the status polls), the deploy goes on there: what to tell people, else None."""
    if not destination.deploy_started or failure.step not in (DEPLOY_WAIT_STEP, "read deploy status"):
        return None
    started = "the Destination's deploy was started"
    if failure.kind is FailureKind.DEADLINE:
        return f"{started} and was still running when this run stopped ({failure.detail});"
    if failure.kind in (FailureKind.TIMEOUT, FailureKind.CONNECTION):
        return f"{started}, then the console stopped answering while it ran ({failure.detail});"
    return None


def _destination_deploy_by_hand(running: str) -> str:
    return (
        f"{running[0].upper()}{running[1:]} do not start another deploy. It goes PRIMARY/ACTIVE by itself when it "
        "completes, while the Main Site, which this run did not demote, may still be PRIMARY/ACTIVE: watch both "
        "with 'qradar-failover status'. Once the Destination reads PRIMARY/ACTIVE, run 'qradar-failover failover' "
        f"(it leaves the Destination as it is and demotes the Main Site), or {MAIN_SITE_BY_HAND}. If the deploy "
        "fails instead, activate the Destination by hand in the DataSync app."
    )


def _main_site_by_hand(main: SiteProgress, error: QRadarError | TokenUnavailable) -> str:
    """What is left to do on the Main Site, from what the run knows about it (never "could not reach"
    for a console that answered)."""
    check = "check with 'qradar-failover status' that the Main Site reads STANDBY, ariel copy off"
    if main.deploy_started:
        return (
            f"On the Main Site console the deploy of STANDBY with ariel copy disabled was started but not "
            f"confirmed ({error}): confirm it later with 'qradar-failover status' (the Main Site should read "
            f"STANDBY, ariel copy off); if it does not, {MAIN_SITE_BY_HAND}."
        )
    if main.staged:
        return (
            f"The Main Site console was staged STANDBY with ariel copy disabled, but its deploy was not started "
            f"({error}): deploy the staged changes on the Main console (Deploy Changes in the Admin tab), then "
            f"{check}."
        )
    if isinstance(error, TokenUnavailable):
        why = f"the automation could not read the Main console's token, so it did not call it: {error}"
    elif main.reached and error.http_status in (401, 403):
        why = f"the Main console refused the automation's token ({error}); check the token in its secret"
    elif main.reached:
        why = f"the Main console answered, but the automation could not demote it: {error}"
    else:
        return (
            f"When the Main Site console is back, and before it takes traffic again: {MAIN_SITE_BY_HAND} "
            f"(the automation could not reach it: {error})."
        )
    return f"Before the Main Site takes traffic again, {MAIN_SITE_BY_HAND} ({why}); then {check}."


class _Finished(Exception):
    """Ends the runbook early; the report already says why."""


class _Run:
    def __init__(
        self,
        config: Config,
        collaborators: Collaborators,
        deadline: Deadline,
        run_id: str,
        clocks: Clocks,
        operator: str | None,
    ) -> None:
        self.config = config
        self.operator = operator
        self.clocks = clocks
        self.sleep = clocks.sleep
        self.collaborators = collaborators
        self.deadline = deadline
        self.ledger = RunLedger(
            FailoverReport(Outcome.FAILED, "not finished", run_id, dry_run=config.dry_run),
            clocks.monotonic,
            clocks.wall,
        )
        self.report = self.ledger.report
        self.deployer = SiteDeployer(self.ledger, deadline, config.deploy_poll_interval_seconds, clocks.sleep)
        self.destination: Console | None = None
        self.claimed = False
        self.replaced: LockRecord | None = None  # what the claim replaced: an earlier attempt that failed

    # decode -----------------------------------------------------------------------------------
    def decode(self, event: object) -> AlarmRecord:
        try:
            alarm = decode_event(event)
        except EventRejected as rejection:
            self.finish(Outcome.REJECTED, f"event rejected: {rejection}", notify=False)
        self.report.alarm = alarm
        self.ledger.log("decoded alarm", step="decode", source=alarm.source.value, state=alarm.state.value)
        return alarm

    # relevant? ----------------------------------------------------------------------------------
    def check_relevant(self, alarm: AlarmRecord) -> None:
        if alarm.state is not AlarmState.ALARM:
            self.finish(Outcome.IGNORED, f"alarm state is {alarm.state.value}: nothing to fail over", notify=False)
        zones = self.config.main_site_availability_zones
        if alarm.availability_zone not in zones:
            self.finish(
                Outcome.IGNORED,
                f"{alarm.availability_zone} is not a Main-Site availability zone ({', '.join(sorted(zones))})",
                notify=False,
            )

    # not already failed over? -------------------------------------------------------------------
    def check_not_already_failed_over(self) -> None:
        try:
            record = self.collaborators.lock.blocking_record()
        except LockUnavailable as error:
            self.fail_without_lock(error)
        if record is not None:
            self.finish_as_duplicate(record)

    # confirm ------------------------------------------------------------------------------------
    def confirm(self, alarm: AlarmRecord) -> None:
        """Judge live target health. While it cannot decide, look again within this invocation (never
        into the time the Destination's activation needs); an operator's run decides at once."""
        evidence, unavailable = self.read_evidence(alarm)
        looking_since = self.clocks.monotonic()
        while self.operator is None and self.undecided(evidence) and self.time_to_look_again(looking_since):
            self.sleep(RECHECK_INTERVAL_SECONDS)
            evidence, unavailable = self.read_evidence(alarm)
        self.report.confirmation = self.decide(alarm, evidence, unavailable)

    def read_evidence(self, alarm: AlarmRecord) -> tuple[HealthEvidence | None, HealthUnavailable | None]:
        with self.ledger.step("aws", "confirm with live target health") as step_detail:
            try:
                evidence = self.collaborators.health.confirm(alarm)
            except UnknownTargetGroup as error:  # also an AZ that never reported (AvailabilityZoneNeverReported)
                step_detail.append(str(error))
                self.finish(Outcome.REFUSED, f"{error}: {error.explanation}")
            except HealthUnavailable as error:
                step_detail.append(f"unavailable: {error}")
                self.report.evidence = None
                return None, error
            step_detail.append(evidence.summary())
        self.report.evidence = evidence
        return evidence, None

    def undecided(self, evidence: HealthEvidence | None) -> bool:
        """Evidence that another look within minutes may settle. Unreadable health is not looked at again
        here (each AWS call was already retried): it is left to Lambda's next attempt."""
        return (
            evidence is not None and evidence.judge(self.config.min_healthy_collectors).verdict is Verdict.INCONCLUSIVE
        )

    def time_to_look_again(self, looking_since: float) -> bool:
        reserve = self.config.deploy_timeout_seconds + ACTIVATION_MARGIN_SECONDS
        within_window = self.clocks.monotonic() - looking_since + RECHECK_INTERVAL_SECONDS <= RECHECK_WINDOW_SECONDS
        return within_window and self.deadline.remaining() - RECHECK_INTERVAL_SECONDS > reserve

    def decide(
        self, alarm: AlarmRecord, evidence: HealthEvidence | None, unavailable: HealthUnavailable | None
    ) -> Confirmation:
        """How the failover is decided, from the evidence; refuses when live health speaks against it and
        no operator decided, and leaves it to the next attempt when the evidence cannot decide."""
        minimum = self.config.min_healthy_collectors
        judgement = evidence.judge(minimum) if evidence is not None else None
        if self.operator is not None:
            who = f"manual failover by {self.operator}"
            if judgement is None:
                detail = f"{who}; live target health could not be read: {unavailable}"
            elif judgement.verdict is Verdict.CONFIRMED:
                detail = f"{who}; live target health agrees: {judgement.reason}"
            else:
                would = "not fail over yet" if judgement.verdict is Verdict.INCONCLUSIVE else "refuse this alarm"
                detail = f"{who} against the evidence: {judgement.reason}, so the function would {would}"
            return Confirmation(ConfirmedBy.OPERATOR, detail, self.operator)
        if judgement is None:
            if self.config.failover_when_unconfirmed:
                return Confirmation(
                    ConfirmedBy.ALARM_ALONE,
                    f"the alarm alone, as FAILOVER_WHEN_UNCONFIRMED=true allows: live target health could not be "
                    f"read: {unavailable}",
                )
            self.defer(
                alarm,
                f"could not confirm the alarm with live data ({unavailable}); set FAILOVER_WHEN_UNCONFIRMED=true to "
                "fail over on the alarm alone, or run 'qradar-failover failover' by hand",
            )
        if judgement.verdict is Verdict.INCONCLUSIVE:
            self.defer(alarm, judgement.reason)
        if judgement.verdict is not Verdict.CONFIRMED:
            still = "; the Main Site is still collecting" if judgement.verdict is Verdict.REFUTED else ""
            self.finish(Outcome.REFUSED, judgement.reason + still)
        return Confirmation(ConfirmedBy.LIVE_HEALTH, f"live target health confirms the outage: {judgement.reason}")

    def defer(self, alarm: AlarmRecord, why: str) -> NoReturn:
        """The evidence cannot decide now: leave the alarm to Lambda's next attempt, if one follows."""
        if self.config.dry_run:
            self.finish(Outcome.DRY_RUN, f"dry run: would not fail over yet: {why}; nothing was written")
        attempt = self.collaborators.retries.plan(alarm)
        self.report.next_attempt = attempt
        if attempt.follows:
            self.finish(Outcome.DEFERRED, f"not confirmed yet: {why}; {attempt.describe()}")
        self.finish(Outcome.REFUSED, f"not confirmed: {why}; {attempt.describe()}", manual_actions=[FAIL_OVER_BY_HAND])

    # dry run ------------------------------------------------------------------------------------
    def plan_dry_run(self) -> None:
        destination = self.read_only_state(self.config.destination_site)
        main = self.read_only_state(self.config.main_site)
        plan = self.ledger.planned
        if destination is not None and destination.is_active_primary:
            plan("destination", "nothing to activate: already PRIMARY/ACTIVE")
        else:
            plan("destination", "stage PRIMARY/ACTIVE with ariel copy enabled, deploy, verify ACTIVE")
        if main is None:
            plan("main", "unreachable now: would retry within the Main-Site budget, else leave manual steps")
        elif main.is_active_primary:
            plan("main", "stage STANDBY with ariel copy disabled, disable every ariel copy profile, deploy")
        else:
            plan("main", f"already {main.describe()}: disable any enabled ariel copy profile")
        plan("aws", "record the failover in the lock table and notify")
        assert self.report.confirmation is not None
        self.finish(
            Outcome.DRY_RUN, f"dry run: would fail over ({self.report.confirmation.detail}); nothing was written"
        )

    # claim lock ---------------------------------------------------------------------------------
    def claim_lock(self, alarm: AlarmRecord) -> None:
        with self.ledger.step("aws", "claim the failover lock") as step_detail:
            try:
                result, record = self.collaborators.lock.claim(self.report.run_id, alarm.alarm_name)
            except LockUnavailable as error:
                self.fail_without_lock(error)
            step_detail.append(result.value)
        self.claimed = result is ClaimResult.CLAIMED
        if not self.claimed:
            self.finish_as_duplicate(record)
        self.replaced = record

    # activate Destination -----------------------------------------------------------------------
    def activate_destination(self) -> None:
        destination = self.ledger.site("destination")
        budget = self.deadline.within(self.config.deploy_timeout_seconds + ACTIVATION_MARGIN_SECONDS)
        try:
            console = self.collaborators.consoles.open(self.config.destination_site, self.ledger.observe)
            self.destination = console
            current = self.read_state(console, "destination", budget)
            if current.is_active_primary:
                destination.confirmed = True
                self.ledger.skipped("destination", "activate", "already PRIMARY/ACTIVE")
                return
            if not current.is_standby_dr:
                raise QRadarError(
                    site="destination",
                    step="read DR config",
                    kind=FailureKind.UNEXPECTED_STATE,
                    detail=f"Destination is {current.describe()}; expected DR/STANDBY (is DataSync configured?)",
                )
            console.stage_dr_config(
                current.with_changes(is_dr="PRIMARY", site_state="ACTIVE", ariel_copy_enabled=True), budget
            )
            destination.staged = True
            self.deploy(console, "destination", budget)
        except (QRadarError, TokenUnavailable) as error:
            self.fail_destination(error)

    # verify -------------------------------------------------------------------------------------
    def verify_destination(self) -> None:
        assert self.destination is not None
        budget = self.deadline.within(self.config.deploy_timeout_seconds)
        try:
            self.await_deployed(self.destination, "destination", budget, lambda config: config.is_active_primary)
        except QRadarError as error:
            self.fail_destination(error)
        self.ledger.site("destination").confirmed = True
        self.ledger.milestone("destination_active")
        self.report.recovery = self.recovery()

    def recovery(self) -> Recovery:
        """How long collection was down: from the alarm's state change and from the first breaching minute."""
        active_at = self.clocks.wall()
        alarm, evidence = self.report.alarm, self.report.evidence
        changed = alarm.state_changed_epoch if alarm else None
        breached = evidence.breach_started_at if evidence else None
        return Recovery(
            active_at,
            active_at - changed if changed is not None else None,
            active_at - breached if breached is not None else None,
        )

    # demote Main (bounded) ----------------------------------------------------------------------
    def demote_main(self) -> None:
        """Reaching Main and starting its deploy is bounded by MAIN_SITE_BUDGET_SECONDS (a hung or lost
        Main console costs little); a deploy that Main started is waited for like the Destination's."""
        main = self.ledger.site("main")
        budget = self.deadline.within(self.config.main_site_budget_seconds)
        try:
            console = self.collaborators.consoles.open(self.config.main_site, self.ledger.observe)
            current = self.read_state(console, "main", budget)
            if current.is_active_primary:
                console.stage_dr_config(current.with_changes(site_state="STANDBY", ariel_copy_enabled=False), budget)
                main.staged = True
            disabled_any = False
            for profile in console.list_copy_profiles(budget):
                if profile.get("enabled") is not False:
                    console.disable_copy_profile(profile, budget)
                    main.copy_profiles_disabled.append(str(profile["id"]))  # the failback enables these again
                    disabled_any = True
            if main.staged:
                budget = self.deploy(console, "main", budget, wait_seconds=self.config.deploy_timeout_seconds)
            self.verify_main(console, budget, recheck_profiles=disabled_any)
        except (QRadarError, TokenUnavailable) as error:
            main.problem = str(error)
            self.report.manual_actions.append(_main_site_by_hand(main, error))
            self.ledger.log(
                "main site not confirmed; manual steps left", step="demote main", site="main", error=main.problem
            )

    def verify_main(self, console: Console, budget: Deadline, *, recheck_profiles: bool) -> None:
        """Main counts as demoted only when it reads so: a 200 that changed nothing, or a deploy that
        reports COMPLETE before the config moved, leaves the manual steps instead of a false claim."""
        self.await_deployed(console, "main", budget, _is_demoted)
        if recheck_profiles:
            enabled = [str(p["id"]) for p in console.list_copy_profiles(budget) if p.get("enabled") is not False]
            if enabled:
                raise QRadarError(
                    site="main",
                    step="verify ariel copy profiles",
                    kind=FailureKind.UNEXPECTED_STATE,
                    detail=f"ariel copy profile(s) {', '.join(enabled)} still enabled after disabling them",
                )
        self.ledger.site("main").confirmed = True

    # record -------------------------------------------------------------------------------------
    def record_success(self) -> None:
        destination, main = self.ledger.site("destination"), self.ledger.site("main")
        if destination.staged or (main.staged and main.confirmed):
            outcome, reason = Outcome.FAILED_OVER, "the Destination Site is PRIMARY/ACTIVE and verified"
        elif self.completes_an_earlier_attempt():
            outcome = Outcome.FAILED_OVER
            reason = (
                "the Destination Site is PRIMARY/ACTIVE and verified: the change an earlier attempt staged has "
                "been deployed"
            )
        else:
            outcome, reason = Outcome.ALREADY_FAILED_OVER, "the Destination was already PRIMARY/ACTIVE"
        self.report.next_steps += [INGRESS_STEP, REARM_STEP]
        try:
            recorded = self.collaborators.lock.record_failed_over(self.report.run_id, self.ledger.summary())
        except LockUnavailable as error:
            recorded = False
            self.ledger.log("failover done but not recorded in the lock table", step="record", error=str(error))
        if not recorded:
            self.report.manual_actions.append(
                "The lock table does not show this failover (claim expired or table unavailable): check it with "
                "'qradar-failover status' before re-arming."
            )
        self.finish(outcome, reason)

    def completes_an_earlier_attempt(self) -> bool:
        """The Destination went ACTIVE through a change an earlier attempt at this failover staged (its
        deploy outlasted that attempt), not by someone else's hand."""
        earlier = self.replaced.summary.get("sites", {}) if self.replaced is not None else {}
        return bool(earlier.get("destination", {}).get("staged")) if isinstance(earlier, dict) else False

    # notify -------------------------------------------------------------------------------------
    def notify(self) -> FailoverReport:
        report = self.ledger.close()
        if report.notify:
            report.notified = self.collaborators.notifier.publish(report)
        return report

    # --- the ways a run ends ------------------------------------------------------------------------
    def finish(
        self,
        outcome: Outcome,
        reason: str,
        *,
        notify: bool = True,
        manual_actions: list[str] | None = None,
        next_steps: list[str] | None = None,
    ) -> NoReturn:
        self.ledger.conclude(outcome, reason, notify=notify, manual_actions=manual_actions, next_steps=next_steps)
        raise _Finished

    def finish_as_duplicate(self, record: LockRecord | None) -> NoReturn:
        if record is not None and record.state is LockState.FAILED_OVER:
            first_notice = self.config.dry_run or self.first_duplicate_notice()
            self.finish(
                Outcome.ALREADY_FAILED_OVER,
                "a failover is already recorded; this alarm is ignored until an operator re-arms",
                notify=first_notice,
                next_steps=[REARM_STEP],
            )
        self.finish(
            Outcome.IN_PROGRESS_ELSEWHERE,
            "another run is failing over now; this delivery is a duplicate",
            notify=False,
        )

    def first_duplicate_notice(self) -> bool:
        try:
            return self.collaborators.lock.mark_duplicate_notice_sent()
        except LockUnavailable as error:
            self.ledger.log("could not mark the duplicate notice; not notifying", step="record", error=str(error))
            return False

    def fail_without_lock(self, error: LockUnavailable) -> NoReturn:
        self.report.failure = Failure(
            "aws",
            "lock",
            str(error),
            kind=FailureKind.AWS_UNAVAILABLE,
            aws_error_code=error.aws_error_code,
            aws_problem=error.aws_problem,
        )
        self.finish(
            Outcome.FAILED,
            "the lock table cannot be used, so exactly-once cannot be guaranteed: nothing was changed",
            manual_actions=[
                "Check the function's access to the DynamoDB lock table (VPC endpoint, IAM, table name).",
                "If the Main Site is down, fail over by hand: qradar-failover failover",
            ],
        )

    def fail_destination(self, error: QRadarError | TokenUnavailable) -> NoReturn:
        if isinstance(error, QRadarError):
            self.report.failure = Failure(
                error.site, error.step, error.detail, error.http_status, error.qradar_code, error.kind
            )
        else:
            self.report.failure = Failure(
                "destination",
                "read token",
                str(error),
                kind=FailureKind.TOKEN_UNAVAILABLE,
                aws_error_code=error.aws_error_code,
                aws_problem=error.aws_problem,
            )
        self.record_failure()
        running = _deploy_left_running(self.ledger.site("destination"), self.report.failure)
        by_hand = _destination_deploy_by_hand(running) if running else ACTIVATE_DESTINATION_BY_HAND
        assert self.report.alarm is not None
        if not self.report.failure.may_pass():
            self.finish(
                Outcome.FAILED,
                "the Destination Site could not be activated and verified; another attempt would meet the same "
                "cause, so none is made",
                manual_actions=[by_hand],
            )
        attempt = self.collaborators.retries.plan(self.report.alarm)
        self.report.next_attempt = attempt
        if attempt.follows:
            first = (
                f"Nothing yet: {running} It goes PRIMARY/ACTIVE by itself when it completes; the next attempt "
                "waits for it, then demotes the Main Site."
                if running
                else "Nothing yet: the next attempt resumes from what this one did (it reads every console first)."
            )
            self.finish(
                Outcome.FAILED,
                f"the Destination Site could not be activated and verified yet; {attempt.describe()}",
                manual_actions=[first, f"If that attempt fails too: {by_hand}"],
            )
        self.finish(
            Outcome.FAILED,
            f"the Destination Site could not be activated and verified; {attempt.describe()}",
            manual_actions=[by_hand],
        )

    def fail_unexpectedly(self, error: Exception) -> None:
        logger.exception("unexpected error in the failover runbook", extra={"run_id": self.report.run_id})
        self.report.failure = Failure(
            "engine", "unexpected error", f"{type(error).__name__}: {error}", kind=FailureKind.DEFECT
        )
        if self.claimed:
            try:
                self.record_failure()
            except Exception:  # a second defect (in the lock adapter) must not stop the notice of the first
                logger.exception("could not record the failed attempt", extra={"run_id": self.report.run_id})
        with suppress(_Finished):
            self.finish(
                Outcome.FAILED,
                "the engine hit an unexpected error; see the function's logs for the traceback",
                manual_actions=["Check both consoles' DR state with 'qradar-failover status' and finish by hand."],
            )

    def record_failure(self) -> None:
        """Record a failed attempt (which leaves the automation armed); never claims success."""
        try:
            self.collaborators.lock.record_failed(self.report.run_id, self.ledger.summary())
        except LockUnavailable as error:
            self.ledger.log("could not record the failed attempt", step="record", error=str(error))

    # --- moves the steps share ------------------------------------------------------------------------
    def read_only_state(self, site: SiteConfig) -> DRConfig | None:
        budget = self.deadline.within(self.config.main_site_budget_seconds)
        try:
            return self.read_state(self.collaborators.consoles.open(site, self.ledger.observe), site.name, budget)
        except (QRadarError, TokenUnavailable) as error:
            self.ledger.site(site.name).problem = str(error)
            self.ledger.log("could not read DR config for the dry run", site=site.name, error=str(error))
            return None

    def read_state(self, console: Console, site: str, budget: Deadline, step: str = "read DR config") -> DRConfig:
        return self.deployer.read_state(console, site, budget, step)

    def deploy(self, console: Console, site: str, budget: Deadline, *, wait_seconds: float | None = None) -> Deadline:
        return self.deployer.deploy(console, site, budget, wait_seconds=wait_seconds)

    def await_deployed(
        self, console: Console, site: str, budget: Deadline, reached: Callable[[DRConfig], bool]
    ) -> DRConfig:
        return self.deployer.await_deployed(console, site, budget, reached)
