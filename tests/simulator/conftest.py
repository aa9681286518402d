"""Fixtures for the QRadar simulator's own tests: a CA, simulators and a tiny HTTPS client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from qradar_simulator import CertificateAuthority, QRadarSimulator

TOKEN = "sim-test-token-5f0c2a"
TIMEOUT = 5.0


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> CertificateAuthority:
    return CertificateAuthority.create(tmp_path_factory.mktemp("other-ca"))


@pytest.fixture
def make_sim(ca: CertificateAuthority) -> Iterator[Callable[..., QRadarSimulator]]:
    started: list[QRadarSimulator] = []

    def factory(**kwargs: Any) -> QRadarSimulator:
        kwargs.setdefault("name", "main")
        kwargs.setdefault("token", TOKEN)
        kwargs.setdefault("deploy_seconds", 0.3)
        sim = QRadarSimulator(ca=ca, **kwargs).start()
        started.append(sim)
        return sim

    yield factory
    for sim in started:
        sim.stop()


@pytest.fixture
def sim(make_sim: Callable[..., QRadarSimulator]) -> QRadarSimulator:
    return make_sim()


class Client:
    """What the failover engine sends: SEC, Allow-Hidden, JSON, CA verification."""

    def __init__(self, sim: QRadarSimulator, ca: CertificateAuthority) -> None:
        self.sim = sim
        self.verify = ca.bundle_path
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = TOKEN,
        hidden: bool = True,
        headers: dict[str, str] | None = None,
        timeout: float = TIMEOUT,
        **kwargs: Any,
    ) -> requests.Response:
        sent = {"Accept": "application/json"}
        if token is not None:
            sent["SEC"] = token
        if hidden:
            sent["Allow-Hidden"] = "true"
        sent.update(headers or {})
        return self.session.request(
            method, self.sim.base_url + path, headers=sent, verify=self.verify, timeout=timeout, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture
def client(sim: QRadarSimulator, ca: CertificateAuthority) -> Iterator[Client]:
    c = Client(sim, ca)
    yield c
    c.session.close()


@pytest.fixture
def make_client(ca: CertificateAuthority) -> Iterator[Callable[[QRadarSimulator], Client]]:
    made: list[Client] = []

    def factory(sim: QRadarSimulator) -> Client:
        made.append(Client(sim, ca))
        return made[-1]

    yield factory
    for c in made:
        c.session.close()


def _expect_error(response: requests.Response, status: int, code: int | None = None) -> dict[str, Any]:
    """Assert a QRadar-shaped error answer and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"http_response", "code", "message", "description", "details"}
    assert body["http_response"]["code"] == status
    assert isinstance(body["http_response"]["message"], str)
    assert isinstance(body["code"], int)
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["code"] == code
    return body


@pytest.fixture
def expect_error() -> Callable[..., dict[str, Any]]:
    return _expect_error
