"""scripts/package.py builds the function's zip reproducibly (same sources -> same bytes -> same hash).

Runs pip against the package index (as `terraform plan` does) for the Lambda platform.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

from support.terraform import REPO

pytestmark = [pytest.mark.terraform, pytest.mark.slow]

SCRIPT = REPO / "scripts" / "package.py"


def _package_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("package_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


package = _package_module()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A copy of lambda_src as it is now (the engine may still be changing)."""
    target = tmp_path / "lambda_src"
    shutil.copytree(REPO / "lambda_src", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def _build(sources: Path, build_dir: Path, ca_bundle: str = "") -> dict[str, str]:
    result: dict[str, str] = package.build(
        sources, sources / "requirements.txt", "python3.12", "x86_64", build_dir, ca_bundle, use_cache=False
    )
    return result


def test_two_builds_of_the_same_sources_are_byte_identical(sources: Path, tmp_path: Path) -> None:
    first = _build(sources, tmp_path / "one")
    second = _build(sources, tmp_path / "two")
    assert Path(first["filename"]).read_bytes() == Path(second["filename"]).read_bytes()
    assert first["sha256_base64"] == second["sha256_base64"]
    assert Path(first["filename"]).name == Path(second["filename"]).name


def test_hash_is_filebase64sha256_of_the_zip(sources: Path, tmp_path: Path) -> None:
    result = _build(sources, tmp_path / "out")
    content = Path(result["filename"]).read_bytes()
    assert result["sha256_base64"] == base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert result["sha256_hex"][:24] in Path(result["filename"]).name


def test_touching_mtimes_does_not_change_the_hash(sources: Path, tmp_path: Path) -> None:
    before = _build(sources, tmp_path / "before")
    for path in sources.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    after = _build(sources, tmp_path / "after")
    assert before["sha256_base64"] == after["sha256_base64"]


def test_changing_a_source_file_changes_the_hash(sources: Path, tmp_path: Path) -> None:
    before = _build(sources, tmp_path / "before")
    target = sources / "qradar_failover" / "__init__.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = _build(sources, tmp_path / "after")
    assert before["sha256_base64"] != after["sha256_base64"]


def test_zip_holds_engine_and_requests_with_fixed_metadata(sources: Path, tmp_path: Path) -> None:
    result = _build(
        sources, tmp_path / "out", ca_bundle="-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    )
    with zipfile.ZipFile(result["filename"]) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert "qradar_failover/handler.py" in names
    assert any(name.startswith("requests/") for name in names)
    assert "qradar-ca-bundle.pem" in names
    assert names == sorted(names), "entries are not sorted"
    assert len(names) == len(set(names))
    for info in infos:
        assert not info.is_dir(), f"directory entry {info.filename}"
        assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
        assert (info.external_attr >> 16) & 0o777 in (0o644, 0o755), info.filename
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert "__pycache__" not in info.filename and not info.filename.endswith(".pyc")
        assert not info.filename.startswith("bin/"), "console scripts carry this machine's interpreter path"


def test_unchanged_inputs_reuse_the_zip_without_pip(
    sources: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_dir = tmp_path / "out"
    first = package.build(sources, sources / "requirements.txt", "python3.12", "x86_64", build_dir)

    def no_pip(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("pip ran although the inputs did not change")

    monkeypatch.setattr(package, "install_requirements", no_pip)
    second = package.build(sources, sources / "requirements.txt", "python3.12", "x86_64", build_dir)
    assert second == first


def test_terraform_external_protocol(sources: Path, tmp_path: Path) -> None:
    query = {
        "source_dir": str(sources),
        "requirements_file": str(sources / "requirements.txt"),
        "runtime": "python3.12",
        "architecture": "arm64",
        "build_dir": str(tmp_path / "out"),
        "ca_bundle_pem": "",
    }
    completed = subprocess.run(
        [sys.executable, str(SCRIPT)], input=json.dumps(query), capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert set(result) == {"filename", "sha256_base64", "sha256_hex", "cache_key"}
    assert all(isinstance(value, str) for value in result.values())
    assert Path(result["filename"]).is_file()


def test_bad_query_fails_with_a_message_on_stderr(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT)],
        input=json.dumps({"runtime": "python2.7"}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "query is missing" in completed.stderr
