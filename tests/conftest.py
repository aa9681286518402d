"""Fixtures every suite shares (helpers live in the support package)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from qradar_failover.handler import reset_runtime
from qradar_simulator import CertificateAuthority
from support.events import REGION


@pytest.fixture(autouse=True)
def _fresh_runtime() -> Iterator[None]:
    reset_runtime()
    yield
    reset_runtime()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def aws(aws_credentials: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("qradar-ca"))
