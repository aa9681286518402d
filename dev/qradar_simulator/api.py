"""Request routing for the simulated console: auth, hidden endpoints, methods and handlers.

Transport-independent: ``ConsoleApi.handle`` takes the parsed request and returns an
``ApiResponse``; the HTTP server adds TLS, faults and recording around it.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from qradar_simulator.access import AuthorizedService, other_services
from qradar_simulator.errors import (
    ENDPOINT_NOT_FOUND,
    INVALID_JSON,
    INVALID_VERSION,
    METHOD_NOT_ALLOWED,
    SEC_EXPIRED,
    SEC_INVALID,
    SEC_MISSING,
    ApiError,
    invalid_field,
)
from qradar_simulator.state import ConsoleState

DR_CONFIG_PATH = "/api/config/disaster_recovery/disaster_recovery_config"
STAGED_DR_CONFIG_PATH = "/api/staged_config/disaster_recovery/disaster_recovery_config"
COPY_PROFILES_PATH = "/api/disaster_recovery/ariel_copy_profiles"
DEPLOY_ACTION_PATH = "/api/config/deploy_action"
DEPLOY_STATUS_PATH = "/api/staged_config/deploy_status"
AUTHORIZED_SERVICES_PATH = "/api/config/access/authorized_services"

_VERSION_RE = re.compile(r"^\d{1,3}(\.\d{1,3})?$")
_TRUE = "true"


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # case-insensitive lookups are the caller's job: keys title-cased
    body: bytes


@dataclass(frozen=True)
class ApiResponse:
    status: int
    payload: Any
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[ApiRequest, re.Match[str]], Any]


@dataclass(frozen=True)
class _Route:
    pattern: re.Pattern[str]
    hidden: bool
    methods: dict[str, Handler]
    documented_deploy: bool = False


def _json(request: ApiRequest) -> object:
    if not request.body.strip():
        return None
    try:
        return json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(422, INVALID_JSON, "The request body is not valid JSON.", "Send a JSON document.") from None


def endpoint_not_found(path: str) -> ApiError:
    return ApiError(
        404,
        ENDPOINT_NOT_FOUND,
        f"{path} does not exist",
        "The requested endpoint does not exist.",
    )


class ConsoleApi:
    """Maps QRadar REST requests onto a ``ConsoleState``."""

    def __init__(
        self,
        state: ConsoleState,
        token: str,
        documented_deploy_available: bool = True,
        service: AuthorizedService | None = None,
    ) -> None:
        if not token:
            raise ValueError("token must not be empty")
        self._state = state
        self._token = token.encode()
        self.service = service or AuthorizedService("DataSync failover")
        self.documented_deploy_available = documented_deploy_available
        self._routes = [
            _Route(re.compile(re.escape(DR_CONFIG_PATH)), True, {"GET": self._get_deployed}),
            _Route(
                re.compile(re.escape(STAGED_DR_CONFIG_PATH)),
                True,
                {"GET": self._get_staged, "POST": self._post_staged},
            ),
            _Route(re.compile(re.escape(COPY_PROFILES_PATH)), True, {"GET": self._get_profiles}),
            _Route(
                re.compile(re.escape(COPY_PROFILES_PATH) + r"/(?P<id>[^/]+)"),
                True,
                {"GET": self._get_profile, "POST": self._post_profile},
            ),
            _Route(re.compile(re.escape(DEPLOY_ACTION_PATH)), True, {"POST": self._post_deploy_action}),
            _Route(
                re.compile(re.escape(DEPLOY_STATUS_PATH)),
                False,
                {"GET": self._get_deploy_status, "POST": self._post_deploy_status},
                documented_deploy=True,
            ),
            _Route(re.compile(re.escape(AUTHORIZED_SERVICES_PATH)), False, {"GET": self._get_authorized_services}),
        ]

    def auth_status(self, headers: Mapping[str, str]) -> tuple[bool, bool]:
        """(SEC header present, SEC header valid) for title-cased ``headers``."""
        sec = headers.get("Sec")
        if sec is None:
            return False, False
        return True, hmac.compare_digest(sec.encode(), self._token)

    def issue_token(self, token: str) -> None:
        """A new authorized service: ``token`` is accepted from now on, the old one no longer."""
        if not token:
            raise ValueError("token must not be empty")
        self._token = token.encode()
        self.service.expiration_date = None  # the new service's token does not expire

    def handle(self, request: ApiRequest) -> ApiResponse:
        try:
            return ApiResponse(200, self._dispatch(request))
        except ApiError as exc:
            return ApiResponse(exc.status, exc.body(), exc.headers)

    def _dispatch(self, request: ApiRequest) -> Any:
        path = request.path.rstrip("/") or "/"
        if not path.startswith("/api/"):
            raise endpoint_not_found(path)
        present, valid = self.auth_status(request.headers)
        if not present:
            raise ApiError(
                401,
                SEC_MISSING,
                'No SEC header present in request. Please provide it via "SEC: token".',
                "Authentication is required.",
            )
        if not valid:
            raise ApiError(401, SEC_INVALID, "Invalid security token.", "The SEC token is not valid.")
        if self.service.expired():
            raise ApiError(
                401,
                SEC_EXPIRED,
                "The authorized service token has expired.",
                "Create a new authorized service; an expired token is refused like a revoked one.",
            )
        self.service.used()
        version = request.headers.get("Version")
        if version is not None and not _VERSION_RE.match(version.strip()):
            raise ApiError(
                422,
                INVALID_VERSION,
                "The Version header is not a valid API version.",
                'Use a version such as "16.0".',
            )
        allow_hidden = request.headers.get("Allow-Hidden", "").strip().lower() == _TRUE
        for route in self._routes:
            match = route.pattern.fullmatch(path)
            if match is None:
                continue
            if (route.hidden and not allow_hidden) or (
                route.documented_deploy and not self.documented_deploy_available
            ):
                raise endpoint_not_found(path)
            handler = route.methods.get(request.method)
            if handler is None:
                allowed = ", ".join(sorted(route.methods))
                raise ApiError(
                    405,
                    METHOD_NOT_ALLOWED,
                    f"Method {request.method} is not allowed on {path}.",
                    f"Allowed methods: {allowed}.",
                    headers={"Allow": allowed},
                )
            return handler(request, match)
        raise endpoint_not_found(path)

    # -- handlers ---------------------------------------------------------------------------

    def _get_deployed(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.deployed()

    def _get_staged(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.staged()

    def _post_staged(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.stage(_json(request))

    def _get_profiles(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.profiles()

    def _profile_id(self, match: re.Match[str]) -> int:
        raw = match.group("id")
        if not raw.isdigit():
            raise invalid_field("id", "expected an integer path parameter")
        return int(raw)

    def _get_profile(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.profile(self._profile_id(match))

    def _post_profile(self, request: ApiRequest, match: re.Match[str]) -> Any:
        profile_id = self._profile_id(match)
        self._state.profile(profile_id)  # 404 before validating the body
        return self._state.update_profile(profile_id, _json(request))

    def _post_deploy_action(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.start_deploy(request.query.get("type", ""))

    def _get_deploy_status(self, request: ApiRequest, match: re.Match[str]) -> Any:
        return self._state.deploy_status()

    def _get_authorized_services(self, request: ApiRequest, match: re.Match[str]) -> Any:
        """The authorized services (a list); ``current_authorized_service=true`` narrows it to the calling
        token's own. The token itself is never part of the answer."""
        current = self.service.describe()
        if request.query.get("current_authorized_service", "").strip().lower() == _TRUE:
            return [current]
        return [current, *other_services()]

    def _post_deploy_status(self, request: ApiRequest, match: re.Match[str]) -> Any:
        body = _json(request)
        if not isinstance(body, dict) or "type" not in body:
            raise invalid_field("type", "missing required field")
        kind = body["type"]
        return self._state.start_deploy(kind if isinstance(kind, str) else "")
