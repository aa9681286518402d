"""Human-readable output: tables, the run timeline, site states, lock records, notifications, JSON.

Everything fits the terminal's width (80 columns when it cannot be told, wider when it is): tables
shorten one named column in the middle or move the last one under its row, and long prose lines
wrap under their own indentation.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from qradar_failover.report import SiteProgress, describe_failure

_STANDARD_WIDTH = 80
_MIN_SHRUNK = 12


def terminal_width(environ: Mapping[str, str] | None = None) -> int:
    """The terminal's width (``COLUMNS`` first); 80 when it cannot be told (not a terminal)."""
    columns = (environ or {}).get("COLUMNS", "")
    if columns.isdigit():
        return max(40, int(columns))
    return max(40, shutil.get_terminal_size((_STANDARD_WIDTH, 24)).columns)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    indent: str = "  ",
    *,
    width: int | None = None,
    shrink: int | None = None,
    wrap_last: bool = False,
) -> list[str]:
    """Left-aligned columns sized to their content; None shows as '-'.

    With ``width``: ``wrap_last`` moves the last column onto indented lines under its row, and
    ``shrink`` (a column index) is shortened in the middle with '...', until the table fits.
    """
    cells = [[_cell(value) for value in row] for row in rows]
    headers = list(headers)
    under: list[str] = []
    if width is not None and wrap_last and _table_width(headers, cells, indent) > width:
        under = [row[-1] for row in cells]
        headers, cells = headers[:-1], [row[:-1] for row in cells]
    widths = _widths(headers, cells)
    if width is not None and shrink is not None:
        excess = len(indent) + sum(widths) + 2 * (len(widths) - 1) - width
        if excess > 0:
            widths[shrink] = max(_MIN_SHRUNK, len(headers[shrink]), widths[shrink] - excess)
            cells = [[_middle(value, widths[shrink]) if i == shrink else value for i, value in enumerate(row)]
                     for row in cells]  # fmt: skip
    lines = [indent + "  ".join(header.ljust(w) for header, w in zip(headers, widths, strict=True))]
    lines.append(indent + "  ".join("-" * w for w in widths))
    for number, row in enumerate(cells):
        lines.append(indent + "  ".join(value.ljust(w) for value, w in zip(row, widths, strict=True)))
        if under and under[number] not in ("", "-"):
            lines += fit(indent + "    " + under[number], width or _STANDARD_WIDTH)
    return [line.rstrip() for line in lines]


def timeline(report: Mapping[str, Any], width: int | None = None) -> list[str]:
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
                     " ".join(str(step.get("detail") or "").split()), 1])  # fmt: skip
    if not rows:
        return ["  (no steps: the event was decided before any call)"]
    return table(
        ("#", "site", "step", "result", "HTTP", "took", "detail"),
        [
            (number, site, f"{name} (x{count})" if count > 1 else name, result, http, f"{took:.2f}s", detail)
            for number, site, name, result, http, took, detail, count in rows
        ],
        width=width,
        wrap_last=True,
    )


def outcome_block(report: Mapping[str, Any], *, notification: str | None = None) -> list[str]:
    """Outcome, milestones, failure and the manual steps left, from a report dict. ``notification``
    replaces the report's own words (the CLI's dry run notifies nobody unless asked)."""
    lines = [f"Outcome: {report.get('outcome')} - {report.get('reason')}"]
    milestones = report.get("milestones") or {}
    if milestones:
        lines.append("Milestones: " + ", ".join(f"{name} +{value:.1f}s" for name, value in milestones.items()))
    failure = report.get("failure")
    if failure:
        lines.append(f"Failure: {describe_failure(failure)}")
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
        + (
            notification
            or {True: "published", False: "FAILED to publish", None: "none (not needed for this outcome)"}[notified]
        )
    )
    return lines


def dr_state(config: Mapping[str, Any] | None) -> str:
    """``PRIMARY/ACTIVE, ariel copy on`` from a raw DR configuration."""
    if not config:
        return "not read"
    copy = "on" if config.get("ariel_copy_enabled") else "off"
    return f"{config.get('is_dr')}/{config.get('site_state')}, ariel copy {copy}"


def lock_lines(record: Mapping[str, Any]) -> list[str]:
    """The lock record (``LockRecord.as_dict()``, times already ISO 8601) for people, after its one-line
    summary (state, holder, alarm): when it was claimed, then what the run recorded, one field a line;
    each site as the engine describes it (reached, staged, deploy started, confirmed: state)."""
    already_shown = {record.get("holder"), record.get("alarm_name")}
    fields: list[tuple[str, Any]] = [
        (key.replace("_", " "), record[key]) for key in ("claimed_at", "expires_at") if record.get(key) is not None
    ]
    summary = dict(record.get("summary") or {})
    sites = summary.pop("sites", None)
    if isinstance(sites, Mapping):
        fields += [(f"{name}", _site_words(site)) for name, site in sites.items()]
    fields += [
        ("recorded at" if key == "at" else key.replace("_", " "), value)
        for key, value in sorted(summary.items())
        if value is not None and not (isinstance(value, str) and value in already_shown)
    ]
    failback = record.get("failback")
    if isinstance(failback, Mapping):
        steps = ", ".join(failback.get("steps") or {}) or "none yet"
        fields.append(
            (
                "failback",
                f"by {failback.get('operator')} (run {failback.get('run_id')}), started {failback.get('started_at')}; "
                f"steps done: {steps}; holds the lock until {failback.get('expires_at')}",
            )
        )
    if not fields:
        return []
    width = max(len(label) for label, _ in fields) + 1
    lines = []
    for label, value in fields:
        if isinstance(value, Mapping):
            lines.append(f"  {label}:")
            lines += [f"    {name}: {item}" for name, item in value.items() if item is not None]
        else:
            lines.append(f"  {label + ':':{width}} {value}")
    return lines


def _site_words(site: Any) -> Any:
    """A site's progress as the engine words it; anything of another shape as it is."""
    if not isinstance(site, Mapping):
        return site
    try:
        progress = SiteProgress(**site)
    except TypeError:
        return dict(site)
    problem = f"; {progress.problem}" if progress.problem else ""
    return progress.describe() + problem


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


def fit(line: str, width: int) -> list[str]:
    """``line`` as lines of at most ``width`` columns, continuing under its own indentation."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    marker = indent + "  "
    return textwrap.wrap(
        line.strip(),
        width,
        initial_indent=indent,
        subsequent_indent=marker if len(marker) < width // 2 else "",
        break_on_hyphens=False,
    )


def emit_json(document: Any, out: TextIO) -> None:
    out.write(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")


def _cell(value: Any) -> str:
    return "-" if value is None else " ".join(str(value).split())


def _widths(headers: Sequence[str], cells: Sequence[Sequence[str]]) -> list[int]:
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(value)) for width, value in zip(widths, row, strict=True)]
    return widths


def _table_width(headers: Sequence[str], cells: Sequence[Sequence[str]], indent: str) -> int:
    widths = _widths(headers, cells)
    return len(indent) + sum(widths) + 2 * (len(widths) - 1)


def _middle(text: str, width: int) -> str:
    """``text`` shortened to ``width`` in the middle; names differ most at their ends, so more of the end stays."""
    if len(text) <= width:
        return text
    keep = width - 3
    head = keep // 3
    return text[:head] + "..." + text[len(text) - (keep - head) :]
