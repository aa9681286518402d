"""The failback runbook: back to the Main Site once its AZ is healthy again, as a checked procedure.

read -> preflight -> plan (a dry run stops here) -> take the failback in the lock -> each step not yet
done: the operator approves (API) or says it is done (manual) -> act -> verify -> record -> the last
step re-arms -> notify.

:func:`fail_back` is that sentence. The steps are :mod:`qradar_failover.failback_plan`; the judgements
(preflight, what a manual step's verification read, the rearm requirements) are
:mod:`qradar_failover.failback_checks`. An API step stages, deploys and reads back through the
failover's own :class:`~qradar_failover.deploys.SiteDeployer` and console transport (same bounds, token
rotation, deploy verification), and it reads the console first and changes only what is not yet as it
should be. Progress is kept in the lock record, so a failback that stopped anywhere resumes at the first
step the record does not show as done, and a step that changed a console is never repeated. The person
at the keyboard is an :class:`Operator` (the CLI), who approves each API step and says when a manual
one is done; nothing here prompts or prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from .config import Config, SiteConfig
from .deadline import SYSTEM_CLOCKS, Clocks, Deadline
from .deploys import SiteDeployer
from .events import AlarmRecord
from .failback_checks import (
    Blocking,
    Readings,
    Seen,
    SiteReading,
    Verification,
    ZoneHealth,
    collectors_answer,
    copied_back,
    destination_active_in_app,
    failed_over_at,
    preflight,
    rearm_requirements,
    resume_at,
)
from .failback_plan import (
    ACTIVATE_MAIN,
    COPY_BACK,
    DEMOTE_DESTINATION,
    DESTINATION_ACTIVE_IN_APP,
    ENABLE_MAIN_COPY,
    INGRESS,
    REARM,
    STEPS,
    Step,
    StepKind,
    number_of,
)
from .failback_report import FailbackOutcome, FailbackReport, StepResult, StepState, notice
from .failover import ACTIVATION_MARGIN_SECONDS, HealthSource
from .health import HealthUnavailable, UnknownTargetGroup
from .ledger import StepLedger
from .lock import FailbackNotClaimed, FailbackProgress, FailbackTakenOver, LockRecord, LockUnavailable
from .qradar import CallObserver, DeployStart, DeployStatus, DRConfig, QRadarError
from .report import Failure, FailureKind
from .tokens import TokenUnavailable

_UNREACHABLE = frozenset({FailureKind.TIMEOUT, FailureKind.CONNECTION, FailureKind.DEADLINE})


# --- the collaborators' interfaces -------------------------------------------------------------
class FailbackConsole(Protocol):
    def read_dr_config(self, deadline: Deadline, step: str = ...) -> DRConfig: ...
    def stage_dr_config(self, config: Mapping[str, Any], deadline: Deadline) -> None: ...
    def list_copy_profiles(self, deadline: Deadline) -> list[dict[str, Any]]: ...
    def disable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None: ...
    def enable_copy_profile(self, profile: Mapping[str, Any], deadline: Deadline) -> None: ...
    def start_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStart: ...
    def await_deploy(self, deadline: Deadline, poll_interval: float) -> DeployStatus | None: ...
    def deploy_status(self, deadline: Deadline) -> DeployStatus | None: ...


class FailbackConsoles(Protocol):
    def open(self, site: SiteConfig, observer: CallObserver) -> FailbackConsole:
        """Raises TokenUnavailable when the site's token cannot be read."""
        ...


class FailbackLock(Protocol):
    def current(self) -> LockRecord | None: ...
    def begin_failback(self, run_id: str, operator: str) -> FailbackProgress: ...
    def record_failback_step(
        self, progress: FailbackProgress, step_id: str, detail: str, *, changed: bool
    ) -> FailbackProgress: ...
    def release_failback(self, progress: FailbackProgress) -> bool: ...
    def finish_failback(self, progress: FailbackProgress) -> LockRecord | None: ...


class HealthAlarm(Protocol):
    """A Main-AZ health alarm as CloudWatch holds it."""

    @property
    def name(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def arn(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def load_balancer(self) -> str: ...
    @property
    def target_group(self) -> str: ...
    @property
    def availability_zone(self) -> str: ...


class HealthAlarms(Protocol):
    def read(self) -> tuple[Sequence[HealthAlarm], str | None]:
        """The Main-AZ health alarms, or why they could not be read."""
        ...


class FailbackNotifier(Protocol):
    def publish_text(self, subject: str, body: str, outcome: str, **attributes: str) -> bool: ...


class Operator(Protocol):
    """The person at the keyboard: sees the preflight and the plan before anything changes, approves API
    steps, says when a manual step is done, and hears each step's result."""

    def plan(self, report: FailbackReport) -> None: ...
    def approve(self, number: int, step: Step) -> bool: ...
    def done(self, number: int, step: Step) -> bool: ...
    def finished(self, result: StepResult) -> None: ...


@dataclass(frozen=True)
class FailbackCollaborators:
    consoles: FailbackConsoles
    lock: FailbackLock
    health: HealthSource
    alarms: HealthAlarms
    notifier: FailbackNotifier


@dataclass(frozen=True)
class FailbackSettings:
    healthy_for_seconds: float = 900.0  # how long the Main AZ must have been healthy
    force: bool = False  # accept the risks of the forcible requirements (each said in one sentence)
    dry_run: bool = False  # preflight and plan only


# --- the runbook -------------------------------------------------------------------------------
def fail_back(
    config: Config,
    collaborators: FailbackCollaborators,
    operator: Operator,
    settings: FailbackSettings,
    run_id: str,
    operator_name: str,
    clocks: Clocks = SYSTEM_CLOCKS,
) -> FailbackReport:
    """Read, check, plan and (unless a dry run) fail back, step by step. Never raises for anything the
    consoles or AWS can do; the report says what happened. An interruption (Ctrl-C) releases the
    failback's hold on the lock, so the next run resumes at once."""
    run = _Failback(config, collaborators, operator, settings, run_id, operator_name, clocks)
    try:
        readings = run.read()
        run.check(readings)
        if settings.dry_run:
            run.finish(FailbackOutcome.PLANNED, "dry run: the preflight passes; nothing was written")
        run.take_the_lock()
        for step in STEPS:
            run.perform(step)
        run.finish(FailbackOutcome.FAILED_BACK, "the Main Site is active and copying again; the automation is re-armed")
    except _Finished:
        pass
    finally:
        run.let_go()
    return run.notify()


class _Finished(Exception):
    """Ends the runbook early; the report already says why."""


class _Contradicted(Exception):
    """A step's verification saw that it is not done (the detail says what it saw)."""


class _Failback:
    def __init__(
        self,
        config: Config,
        collaborators: FailbackCollaborators,
        operator: Operator,
        settings: FailbackSettings,
        run_id: str,
        operator_name: str,
        clocks: Clocks,
    ) -> None:
        self.config = config
        self.collaborators = collaborators
        self.operator = operator
        self.settings = settings
        self.clocks = clocks
        self.report = FailbackReport(run_id, operator_name, dry_run=settings.dry_run)
        self.ledger = StepLedger(self.report, clocks.monotonic, clocks.wall)
        self.record: LockRecord | None = None
        self.alarms: list[HealthAlarm] = []
        self.progress: FailbackProgress | None = None  # while this run holds the failback in the lock
        self.consoles: dict[str, FailbackConsole] = {}
        self.tell_people = False

    # read -----------------------------------------------------------------------------------------
    def read(self) -> Readings:
        """Everything the preflight judges, read-only."""
        lock_problem = None
        try:
            self.record = self.collaborators.lock.current()
        except LockUnavailable as error:
            lock_problem = str(error)
        alarms, alarms_problem = self.collaborators.alarms.read()
        self.alarms = list(alarms)
        done = frozenset(self.record.failback.steps) if self.record and self.record.failback else frozenset()
        return Readings(
            self.record,
            lock_problem,
            self.read_site(self.config.main_site, with_profiles=False),
            self.read_site(self.config.destination_site, with_profiles=False),
            self.alarms,
            alarms_problem,
            self.read_health(),
            self.clocks.wall(),
            done,
        )

    def read_site(self, site: SiteConfig, *, with_profiles: bool) -> SiteReading:
        budget = Deadline.after(
            self.config.http_connect_timeout_seconds + self.config.http_read_timeout_seconds, self.clocks.monotonic
        )
        try:
            console = self.console(site)
            dr = console.read_dr_config(budget)
            self.ledger.site(site.name).state = dr.describe()
            deploy = console.deploy_status(budget)
            profiles = console.list_copy_profiles(budget) if with_profiles else None
        except QRadarError as error:
            return SiteReading(site.name, problem=str(error), unreachable=error.kind in _UNREACHABLE)
        except TokenUnavailable as error:
            return SiteReading(site.name, problem=str(error))
        return SiteReading(site.name, dr, profiles=profiles, deploy=deploy)

    def read_health(self) -> list[ZoneHealth]:
        """Live target health of every target group the Main-AZ alarms watch, in each Main AZ."""
        seen: dict[tuple[str, str, str, str], HealthAlarm] = {}
        for alarm in self.alarms:
            if alarm.availability_zone in self.config.main_site_availability_zones:
                key = (alarm.namespace, alarm.load_balancer, alarm.target_group, alarm.availability_zone)
                seen.setdefault(key, alarm)
        health = []
        for (namespace, load_balancer, target_group, zone), alarm in sorted(seen.items()):
            probe = AlarmRecord.probe(
                f"failback: Main collectors in {zone}", alarm.arn, namespace, load_balancer, target_group, zone
            )
            try:
                health.append(ZoneHealth(target_group, zone, self.collaborators.health.confirm(probe)))
            except (UnknownTargetGroup, HealthUnavailable) as error:
                health.append(ZoneHealth(target_group, zone, problem=str(error)))
        return health

    # preflight ------------------------------------------------------------------------------------
    def check(self, readings: Readings) -> None:
        self.report.preflight = preflight(
            readings, self.report.operator, self.config.min_healthy_collectors, self.settings.healthy_for_seconds
        )
        progress = self.record.failback if self.record else None
        self.report.resumes_at = resume_at(progress, [step.id for step in STEPS])
        self.report.results = [
            StepResult(number, step, StepState.DONE_BEFORE if number < self.report.resumes_at else StepState.NOT_DONE)
            for number, step in enumerate(STEPS, start=1)
        ]
        unmet = [requirement for requirement in self.report.preflight if requirement.stops]
        forced = [r for r in unmet if r.blocking is Blocking.FORCIBLE and self.settings.force]
        self.report.forced = [requirement.risk for requirement in forced]
        refusals = [requirement for requirement in unmet if requirement not in forced]
        self.operator.plan(self.report)
        if refusals:
            self.report.unreachable = any(requirement.unreachable for requirement in refusals)
            self.finish(FailbackOutcome.REFUSED, "; ".join(f"{r.required}: found {r.found}" for r in refusals))

    # take the lock --------------------------------------------------------------------------------
    def take_the_lock(self) -> None:
        try:
            self.progress = self.collaborators.lock.begin_failback(self.report.run_id, self.report.operator)
        except FailbackNotClaimed as error:
            self.finish(FailbackOutcome.REFUSED, str(error))
        except LockUnavailable as error:
            self.stop_on(Failure("aws", "take the failback in the lock", str(error), kind=FailureKind.AWS_UNAVAILABLE))

    # each step ------------------------------------------------------------------------------------
    def perform(self, step: Step) -> None:
        number = number_of(step)
        assert self.progress is not None
        if self.progress.done(step.id):
            return
        asked = self.operator.done if step.kind is StepKind.MANUAL else self.operator.approve
        if not asked(number, step):
            why = "not confirmed as done" if step.kind is StepKind.MANUAL else "not approved"
            self.finish(
                FailbackOutcome.PAUSED,
                f"paused before step {number} ({step.title}): {why}; run 'qradar-failover failback' again to "
                f"resume at step {number}",
            )
        try:
            status, detail, seen = self.act(step)
        except _Contradicted as contradiction:
            self.result(number, step, StepState.NOT_DONE, str(contradiction), Seen.CONTRADICTED)
            self.finish(
                FailbackOutcome.STOPPED,
                f"step {number} ({step.title}) is not done: {contradiction}; fix it, then run 'qradar-failover "
                f"failback' again to resume at step {number}",
                notify=True,
            )
        except (QRadarError, TokenUnavailable) as error:
            self.result(number, step, StepState.NOT_DONE, str(error))
            self.stop_on(_failure_of(error, step.title), number, step)
        except FailbackTakenOver as error:
            self.result(number, step, StepState.NOT_DONE, str(error))
            self.progress = None  # not ours any more: nothing to release
            self.finish(FailbackOutcome.STOPPED, f"stopped at step {number}: {error}")
        if step is not REARM:
            self.remember(step, detail, changed=status is StepState.DONE)
        self.result(number, step, status, detail, seen)

    def act(self, step: Step) -> tuple[StepState, str, Seen | None]:
        if step.kind is StepKind.MANUAL:
            verification = self.verify_manual(step)
            if verification.seen is Seen.CONTRADICTED:
                raise _Contradicted(verification.detail)
            return StepState.DONE, verification.detail, verification.seen
        actions: dict[str, Callable[[], tuple[StepState, str]]] = {
            ACTIVATE_MAIN.id: self.activate_main,
            DEMOTE_DESTINATION.id: self.demote_destination,
            ENABLE_MAIN_COPY.id: self.enable_main_copy,
            REARM.id: self.rearm,
        }
        status, detail = actions[step.id]()
        return status, detail, None

    def verify_manual(self, step: Step) -> Verification:
        budget = self.budget()
        if step is DESTINATION_ACTIVE_IN_APP:
            destination = self.console(self.config.destination_site).read_dr_config(budget, "verify DR config")
            main = self.console(self.config.main_site).read_dr_config(budget, "verify DR config")
            return destination_active_in_app(destination, main)
        if step is COPY_BACK:
            profiles = self.console(self.config.destination_site).list_copy_profiles(budget)
            return copied_back(profiles, failed_over_at(self.record))
        assert step is INGRESS
        return collectors_answer(self.read_health(), self.config.min_healthy_collectors)

    # the API steps ----------------------------------------------------------------------------------
    def activate_main(self) -> tuple[StepState, str]:
        def active(config: DRConfig) -> bool:
            return config.is_active_primary and config.ariel_copy_enabled

        return self.change_state(
            self.config.main_site, active, {"is_dr": "PRIMARY", "site_state": "ACTIVE", "ariel_copy_enabled": True}
        )

    def demote_destination(self) -> tuple[StepState, str]:
        """Stage DR/STANDBY with ariel copy off, disable the copy profiles back to Main, deploy, read back: the
        failover's demotion of Main, on the Destination."""

        def standby(config: DRConfig) -> bool:
            return config.is_standby_dr and not config.ariel_copy_enabled

        site = self.config.destination_site
        console, budget = self.console(site), self.budget()
        progress = self.ledger.site(site.name)
        deployer = SiteDeployer(self.ledger, budget, self.config.deploy_poll_interval_seconds, self.clocks.sleep)
        current = deployer.read_state(console, site.name, budget)
        done = []
        if not standby(current):
            console.stage_dr_config(
                current.with_changes(is_dr="DR", site_state="STANDBY", ariel_copy_enabled=False), budget
            )
            progress.staged = True
            done.append("staged DR/STANDBY, ariel copy off")
        for profile in console.list_copy_profiles(budget):
            if profile.get("enabled") is not False:
                console.disable_copy_profile(profile, budget)
                progress.copy_profiles_disabled.append(str(profile["id"]))
        if progress.copy_profiles_disabled:
            done.append(f"copy profile(s) {', '.join(progress.copy_profiles_disabled)} disabled")
        if progress.staged:
            deployer.deploy(console, site.name, budget)
            done.append(
                f"deployed, read back {deployer.await_deployed(console, site.name, budget, standby).describe()}"
            )
        still = [str(p["id"]) for p in console.list_copy_profiles(budget) if p.get("enabled") is not False]
        if still:
            raise _Contradicted(f"the Destination's copy profile(s) {', '.join(still)} still enabled")
        progress.confirmed = True
        if not done:
            return StepState.ALREADY, f"already {current.describe()}, no copy profile enabled"
        return StepState.DONE, "; ".join(done)

    def enable_main_copy(self) -> tuple[StepState, str]:
        """Enable the copy profiles the failover disabled (its record names them), else every disabled one."""
        console, budget = self.console(self.config.main_site), self.budget()
        profiles = console.list_copy_profiles(budget)
        if not profiles:
            raise _Contradicted("the Main Site has no ariel copy profile: create them in the DataSync app")
        recorded = _disabled_by_the_failover(self.record)
        wanted = [p for p in profiles if recorded is None or str(p["id"]) in recorded]
        if not wanted:
            wanted = profiles  # the recorded ones are gone: enable what there is
        to_enable = [p for p in wanted if p.get("enabled") is not True]
        for profile in to_enable:
            console.enable_copy_profile(profile, budget)
        enabled = {str(p["id"]) for p in console.list_copy_profiles(budget) if p.get("enabled") is True}
        missing = [str(p["id"]) for p in wanted if str(p["id"]) not in enabled]
        if missing:
            raise _Contradicted(f"copy profile(s) {', '.join(missing)} still disabled after enabling them")
        source = "the ones the failover disabled" if recorded is not None else "no record of which: every one"
        ids = ", ".join(str(p["id"]) for p in wanted)
        if not to_enable:
            return StepState.ALREADY, f"copy profile(s) {ids} already enabled"
        return StepState.DONE, f"copy profile(s) {ids} enabled ({source}), read back enabled"

    def rearm(self) -> tuple[StepState, str]:
        """The rearm requirements, read afresh; then the lock record is deleted (only by this failback)."""
        assert self.progress is not None
        main = self.read_site(self.config.main_site, with_profiles=True)
        destination = self.read_site(self.config.destination_site, with_profiles=False)
        alarms, alarms_problem = self.collaborators.alarms.read()
        record = self.collaborators.lock.current()
        unmet = [
            requirement
            for requirement in rearm_requirements(
                main, destination, alarms, alarms_problem, record, self.clocks.wall(), self.report.run_id
            )
            if not requirement.ok
        ]
        if unmet:
            raise _Contradicted("; ".join(f"{r.required}, found {r.found}" for r in unmet))
        removed = self.collaborators.lock.finish_failback(self.progress)
        self.progress = None  # the record is gone: nothing to release
        holder = removed.holder if removed else "none"
        return StepState.DONE, f"every rearm requirement met; removed the lock record (failover {holder})"

    def change_state(
        self, site: SiteConfig, reached: Callable[[DRConfig], bool], changes: Mapping[str, Any]
    ) -> tuple[StepState, str]:
        """Stage ``changes``, deploy and read back, as the failover does; nothing when already so."""
        console, budget = self.console(site), self.budget()
        deployer = SiteDeployer(self.ledger, budget, self.config.deploy_poll_interval_seconds, self.clocks.sleep)
        current = deployer.read_state(console, site.name, budget)
        if reached(current):
            self.ledger.skipped(site.name, "stage DR config", f"already {current.describe()}")
            return StepState.ALREADY, f"already {current.describe()}"
        console.stage_dr_config(current.with_changes(**changes), budget)
        self.ledger.site(site.name).staged = True
        deployer.deploy(console, site.name, budget)
        deployed = deployer.await_deployed(console, site.name, budget, reached)
        self.ledger.site(site.name).confirmed = True
        return StepState.DONE, f"staged, deployed, read back {deployed.describe()}"

    # bookkeeping ------------------------------------------------------------------------------------
    def remember(self, step: Step, detail: str, *, changed: bool) -> None:
        assert self.progress is not None
        try:
            self.progress = self.collaborators.lock.record_failback_step(
                self.progress, step.id, detail, changed=changed
            )
        except FailbackTakenOver as error:
            self.progress = None
            self.finish(FailbackOutcome.STOPPED, f"stopped after step {number_of(step)}: {error}")
        except LockUnavailable as error:
            self.stop_on(
                Failure("aws", "record the step", str(error), kind=FailureKind.AWS_UNAVAILABLE), number_of(step), step
            )

    def result(self, number: int, step: Step, status: StepState, detail: str, seen: Seen | None = None) -> None:
        result = StepResult(number, step, status, detail, seen)
        self.report.results[number - 1] = result
        self.ledger.log(f"failback step {number}: {status.value}", step=step.id, detail=detail)
        self.operator.finished(result)

    def console(self, site: SiteConfig) -> FailbackConsole:
        if site.name not in self.consoles:
            self.consoles[site.name] = self.collaborators.consoles.open(site, self.ledger.observe)
        return self.consoles[site.name]

    def budget(self) -> Deadline:
        """One step's time: a deploy's bound plus time to read, stage and start it (as the failover's)."""
        return Deadline.after(self.config.deploy_timeout_seconds + ACTIVATION_MARGIN_SECONDS, self.clocks.monotonic)

    # the ways a run ends ----------------------------------------------------------------------------
    def finish(self, outcome: FailbackOutcome, reason: str, *, notify: bool = False) -> NoReturn:
        self.report.outcome = outcome
        self.report.reason = reason
        self.ledger.milestone("done")
        self.ledger.log(reason, step="finish", outcome=outcome.value)
        self.tell_people = outcome is FailbackOutcome.FAILED_BACK or notify
        raise _Finished

    def stop_on(self, failure: Failure, number: int | None = None, step: Step | None = None) -> NoReturn:
        self.report.failure = failure
        self.report.unreachable = failure.kind in _UNREACHABLE
        where = f"at step {number} ({step.title})" if number and step else "before the first step"
        self.report.manual_actions += _what_to_do(self.report, failure, number)
        self.finish(
            FailbackOutcome.STOPPED,
            f"stopped {where}: {failure.site} console, {failure.step}: {failure.detail}",
            notify=True,
        )

    def let_go(self) -> None:
        """Release this run's hold on the lock (a stop, a pause, Ctrl-C) so the next run resumes at once."""
        if self.progress is None:
            return
        try:
            self.collaborators.lock.release_failback(self.progress)
        except LockUnavailable as error:
            self.ledger.log("could not release the failback's hold on the lock", step="finish", error=str(error))

    def notify(self) -> FailbackReport:
        self.report.duration_seconds = self.ledger.elapsed()
        if self.tell_people:
            subject, body = notice(self.report)
            self.report.notified = self.collaborators.notifier.publish_text(
                subject, body, self.report.outcome.value, run_id=self.report.run_id
            )
        return self.report


def _failure_of(error: QRadarError | TokenUnavailable, step: str) -> Failure:
    if isinstance(error, QRadarError):
        return Failure(error.site, error.step, error.detail, error.http_status, error.qradar_code, error.kind)
    return Failure(
        "aws",
        f"read token ({step})",
        str(error),
        kind=FailureKind.TOKEN_UNAVAILABLE,
        aws_error_code=error.aws_error_code,
        aws_problem=error.aws_problem,
    )


def _disabled_by_the_failover(record: LockRecord | None) -> set[str] | None:
    """The ids of the Main copy profiles the failover's record says it disabled (None: it does not say)."""
    sites = record.summary.get("sites") if record else None
    main = sites.get("main") if isinstance(sites, dict) else None
    disabled = main.get("copy_profiles_disabled") if isinstance(main, dict) else None
    return {str(profile) for profile in disabled} if isinstance(disabled, list) and disabled else None


def _what_to_do(report: FailbackReport, failure: Failure, number: int | None) -> list[str]:
    done = {result.step.id for result in report.results if result.status is not StepState.NOT_DONE}
    actions = []
    if ACTIVATE_MAIN.id in done and DEMOTE_DESTINATION.id not in done:
        actions.append(
            "Both sites are ACTIVE now (the Main Site was activated, the Destination not yet demoted): both collect "
            "until the Destination is STANDBY. If it refuses, set it DR/STANDBY with ariel copy off in the DataSync "
            "app on the Destination console and deploy."
        )
    if failure.kind is FailureKind.DEPLOY:
        actions.append(
            f"The {failure.site} console's deploy failed ({failure.detail}): fix it there (Admin > Deploy Changes "
            "shows each host's error); what was staged stays staged."
        )
    if failure.http_status == 401 or failure.kind is FailureKind.TOKEN_UNAVAILABLE:
        actions.append(
            f"The {failure.site} console refused its token (an authorized service that expired during the outage?): "
            "create a new authorized service token with admin rights and put it into that site's secret."
        )
    if number is not None:
        actions.append(f"Then run 'qradar-failover failback' again: it resumes at step {number}.")
    return actions
