"""Human-readable output: tables, the run timeline, site states, notifications, JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

_DETAIL_WIDTH = 70


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], indent: str = "  ") -> list[str]:
    """Left-aligned columns sized to their content; None shows as '-'."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(value)) for width, value in zip(widths, row, strict=True)]
    lines = [indent + "  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True))]
    lines.append(indent + "  ".join("-" * width for width in widths))
    lines += [indent + "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)) for row in cells]
    return [line.rstrip() for line in lines]


def timeline(report: Mapping[str, Any]) -> list[str]:
    """The steps of one run (the handler's / engine's report) as a table; repeated polls share a row."""
    rows: list[list[Any]] = []
    previous: tuple[Any, ...] | None = None
    for step in report.get("steps", []):
        key = (step.get("site"), step.get("step"), step.get("status"), step.get("http_status"), step.get("detail"))
        duration = float(step.get("duration_seconds") or 0)
        if key == previous:
            rows[-1][5] += duration
            rows[-1][7] += 1
            continue
        previous = key
        status = step.get("http_status")
        rows.append([len(rows) + 1, key[0], key[1], key[2], status if status is not None else "-", duration,
                     _short(step.get("detail") or ""), 1])  # fmt: skip
    if not rows:
        return ["  (no steps: the event was decided before any call)"]
    return table(
        ("#", "site", "step", "result", "HTTP", "took", "detail"),
        [
            (number, site, f"{name} (x{count})" if count > 1 else name, result, http, f"{took:.2f}s", detail)
            for number, site, name, result, http, took, detail, count in rows
        ],
    )


def outcome_block(report: Mapping[str, Any]) -> list[str]:
    """Outcome, milestones, failure and the manual steps left, from a report dict."""
    lines = [f"Outcome: {report.get('outcome')} - {report.get('reason')}"]
    milestones = report.get("milestones") or {}
    if milestones:
        lines.append("Milestones: " + ", ".join(f"{name} +{value:.1f}s" for name, value in milestones.items()))
    failure = report.get("failure")
    if failure:
        status = f"HTTP {failure['http_status']}" if failure.get("http_status") is not None else "no HTTP answer"
        code = f", QRadar code {failure['qradar_code']}" if failure.get("qradar_code") is not None else ""
        lines.append(f"Failure: {failure['site']} console, step '{failure['step']}': {status}{code}")
        lines.append(f"  {failure['detail']}")
    actions = report.get("manual_actions") or []
    if actions:
        lines.append("Left to do by hand:")
        lines += [f"  {number}. {action}" for number, action in enumerate(actions, start=1)]
    next_steps = report.get("next_steps") or []
    if next_steps:
        lines.append("Next steps:")
        lines += [f"  {number}. {step}" for number, step in enumerate(next_steps, start=1)]
    notified = report.get("notified")
    lines.append(
        "Notification: "
        + {True: "published", False: "FAILED to publish", None: "none (not needed for this outcome)"}[notified]
    )
    return lines


def dr_state(config: Mapping[str, Any] | None) -> str:
    """``PRIMARY/ACTIVE, ariel copy on`` from a raw DR configuration."""
    if not config:
        return "not read"
    copy = "on" if config.get("ariel_copy_enabled") else "off"
    return f"{config.get('is_dr')}/{config.get('site_state')}, ariel copy {copy}"


def notification(message: Mapping[str, Any]) -> list[str]:
    """One received SNS notification: its subject and the human part of the body, without the
    step list (already shown as the timeline) and the machine-readable JSON."""
    lines = [f"Subject: {message.get('Subject')}"]
    body = str(message.get("Message", "")).split("\nMachine-readable", 1)[0].rstrip()
    skipping = False
    for line in body.splitlines():
        if line == "Steps":
            skipping = True
            lines.append("  Steps: (see the timeline above)")
            continue
        if skipping and line.strip():
            continue
        skipping = False
        lines.append(f"  {line}" if line else "")
    return lines


def emit_json(document: Any, out: TextIO) -> None:
    out.write(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _DETAIL_WIDTH else text[: _DETAIL_WIDTH - 3] + "..."
