"""``qradar-failover failback``: the engine's failback runbook (:mod:`qradar_failover.failback`) with a
person at the keyboard: the preflight and the plan first, then each step asked for (``--yes``: API steps
go ahead and manual steps are taken as done, for automation), every QRadar call and deploy shown as it
happens, and the outcome. Prompts and rendering only; the engine decides and acts."""

from __future__ import annotations

import argparse
import getpass
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from qradar_failover.failback import FailbackCollaborators, FailbackSettings, HealthAlarms, fail_back
from qradar_failover.failback_checks import Blocking, Seen
from qradar_failover.failback_plan import STEPS, Step, StepKind
from qradar_failover.failback_report import (
    FailbackOutcome,
    FailbackReport,
    StepResult,
    StepState,
    describe_resume,
)
from qradar_failover.report import FailureKind
from qradar_failover.runtime import Runtime

from .alarms import AlarmView
from .deployment import Deployment, deployment_for
from .exit_codes import ExitCode
from .progress import DeployProgress, ProgressConsoles
from .readiness import failover_function, readiness_command
from .render import emit_json
from .streams import Io
from .views import read_alarms

_SEEN_WORDS = {
    Seen.VERIFIED: "verified",
    Seen.NOT_VISIBLE: "not visible to the API",
    Seen.CONTRADICTED: "NOT DONE",
}


def run(args: argparse.Namespace, environ: Mapping[str, str], io: Io) -> int:
    deployment = deployment_for(args, environ)
    operator = getpass.getuser()
    runtime = deployment.runtime
    collaborators = failback_collaborators(runtime, io, _Alarms(deployment))
    settings = FailbackSettings(healthy_for_seconds=args.healthy_for * 60, force=args.force, dry_run=args.dry_run)
    io.say(f"Failback to the Main Site (settings from {deployment.source}; operator {operator})")
    report = fail_back(
        deployment.config,
        collaborators,
        PromptingOperator(io, yes=args.yes),
        settings,
        f"failback-{operator}-{uuid.uuid4().hex[:8]}",
        operator,
        runtime.clocks,
    )
    code = failback_exit_code(report)
    if io.json:
        emit_json(report.as_dict() | {"exit_code": int(code)}, io.out)
        return code
    function = failover_function(deployment.env, args)
    for line in outcome_lines(report, readiness_command(function, deployment.region) if function else None):
        io.say(line)
    return code


def failback_collaborators(runtime: Runtime, io: Io, alarms: HealthAlarms) -> FailbackCollaborators:
    """The runtime's own consoles (each call and each deploy poll shown as it happens), lock, live health
    and notifier."""
    shown = replace(runtime.consoles, deploy_observer=DeployProgress(io.say))
    consoles = ProgressConsoles(shown, io.say, io.wait_for)
    return FailbackCollaborators(consoles, runtime.lock, runtime.collaborators.health, alarms, runtime.notifier)


@dataclass
class _Alarms:
    """The Main-AZ health alarms, as status and rearm read them."""

    deployment: Deployment

    def read(self) -> tuple[Sequence[AlarmView], str | None]:
        alarms, problem = read_alarms(self.deployment)
        return alarms, problem.detail if problem else None


@dataclass
class PromptingOperator:
    """The engine's Operator, at a terminal: shows the plan, asks for each step (unless ``yes``), shows results."""

    io: Io
    yes: bool

    def plan(self, report: FailbackReport) -> None:
        for line in plan_lines(report):
            self.io.say(line)

    def approve(self, number: int, step: Step) -> bool:
        self._heading(number, step)
        if self.yes:
            self.io.say("  going ahead (--yes)")
            return True
        return self.io.confirm(
            "  Go ahead? [y/N] ", without_answer="pass --yes to run the API steps without the question"
        )

    def done(self, number: int, step: Step) -> bool:
        self._heading(number, step)
        for instruction in step.instructions:
            self.io.say(f"  - {instruction}")
        self.io.say(f"  verified by: {step.verified_by}")
        if self.yes:
            self.io.say("  taken as done (--yes); verified where the API can see it")
            return True
        return self.io.confirm(
            "  Done? [y/N] ", without_answer="run failback again when it is done: it resumes at this step"
        )

    def finished(self, result: StepResult) -> None:
        seen = f"{_SEEN_WORDS[result.seen]}: " if result.seen else ""
        self.io.say(f"  -> {result.status.value}: {seen}{result.detail}")

    def _heading(self, number: int, step: Step) -> None:
        self.io.say()
        who = "API" if step.kind is StepKind.API else "you"
        self.io.say(f"Step {number} of {len(STEPS)} [{who}]: {step.title}")


def plan_lines(report: FailbackReport) -> list[str]:
    """The preflight, each requirement with what was found (and the way out when unmet), then the plan."""
    lines = ["", "Preflight (read-only)"]
    for requirement in report.preflight:
        lines.append(f"  {requirement.line()}")
        if not requirement.ok and requirement.fix:
            lines.append(f"      -> {requirement.fix}")
        if not requirement.ok and requirement.blocking is Blocking.FORCIBLE:
            lines.append(f"      risk of --force: {requirement.risk}")
    lines += ["", f"Plan: {len(STEPS)} steps, {describe_resume(report)}"]
    for result in report.results:
        step = result.step
        who = "API" if step.kind is StepKind.API else "you"
        mark = " (done before)" if result.status is StepState.DONE_BEFORE else ""
        lines += [
            f"  {result.number}. [{who}] {step.title}{mark}",
            f"       where:       {step.where}",
            f"       verified by: {step.verified_by}",
            f"       follows:     {step.follows}",
        ]
    return lines


def outcome_lines(report: FailbackReport, readiness: str | None = None) -> list[str]:
    """Each step as it stands (its calls were shown as they happened), the outcome and what is left to do.
    ``readiness``: the command that checks the deployment again (None: its function is not known here)."""
    lines = [""]
    if report.outcome not in (FailbackOutcome.REFUSED, FailbackOutcome.PLANNED):
        lines.append("Steps")
        for result in report.results:
            seen = f" ({_SEEN_WORDS[result.seen]})" if result.seen else ""
            lines.append(f"  {result.number}. {result.status.value}{seen}: {result.step.title}")
    for risk in report.forced:
        lines.append(f"Risk accepted with --force: {risk}")
    lines.append(f"Outcome: {report.outcome.value} - {report.reason}")
    if report.failure:
        failure = report.failure
        status = f"HTTP {failure.http_status}" if failure.http_status is not None else failure.kind.value
        lines.append(f"Failure: {failure.site} console, step '{failure.step}': {status}")
    if report.manual_actions:
        lines.append("Left to do by hand:")
        lines += [f"  {number}. {action}" for number, action in enumerate(report.manual_actions, start=1)]
    if report.outcome is FailbackOutcome.FAILED_BACK:
        command = readiness or "qradar-failover readiness --function <name>-readiness"
        lines.append(f"Next: {command} checks every link again")
    if report.notified is not None:
        lines.append(f"Notification: {'published' if report.notified else 'FAILED to publish'}")
    return lines


def failback_exit_code(report: FailbackReport) -> ExitCode:
    if report.outcome in (FailbackOutcome.FAILED_BACK, FailbackOutcome.PLANNED):
        return ExitCode.OK
    if report.unreachable:
        return ExitCode.UNREACHABLE
    if report.failure is not None and report.failure.kind is FailureKind.TLS:
        return ExitCode.USAGE
    return ExitCode.FAILED
