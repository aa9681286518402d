"""``QRadarSimulator``: one simulated QRadar console served over HTTPS on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from qradar_simulator.access import AuthorizedService
from qradar_simulator.api import ApiRequest, ApiResponse, ConsoleApi
from qradar_simulator.ca import CertificateAuthority
from qradar_simulator.errors import SERVER_ERROR, SIMULATED_FAULT, error_body
from qradar_simulator.faults import Fault, FaultBook, FaultKind
from qradar_simulator.recording import SECRET_HEADERS, RecordedRequest, RequestLog
from qradar_simulator.state import ConsoleState

log = logging.getLogger("qradar_simulator")

HOST = "127.0.0.1"
_HANDSHAKE_TIMEOUT = 5.0
_IDLE_TIMEOUT = 60.0
_POLL_INTERVAL = 0.05
MALFORMED_BODY = b'{"id": 1, "is_dr": "PRIMARY", "site_state": "ACT'


def _server_context(ca: CertificateAuthority, label: str) -> ssl.SSLContext:
    issued = ca.issue_server_certificate(label)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(issued.cert_path, issued.key_path)
    return context


def _abort(sock: socket.socket) -> None:
    """Shut a connection down from another thread without touching its TLS state."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _TLSServer(ThreadingHTTPServer):
    """Accepts on a socket it is given; the TLS handshake runs in the connection's thread."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, sock: socket.socket, simulator: QRadarSimulator) -> None:
        super().__init__(sock.getsockname(), _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = sock
        self.simulator = simulator

    def finish_request(self, request: Any, client_address: Any) -> None:
        sim = self.simulator
        raw = cast(socket.socket, request)
        sim._track(raw)
        try:
            raw.settimeout(_HANDSHAKE_TIMEOUT)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = sim._ssl_context().wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            log.debug("%s: TLS handshake failed: %s", sim.name, exc)
            return
        finally:
            sim._untrack(raw)
        sim._track(tls)
        try:
            tls.settimeout(_IDLE_TIMEOUT)
            _Handler(tls, client_address, self)
        finally:
            sim._untrack(tls)
            tls.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("%s: connection error", self.simulator.name, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "QRadarSimulator/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s: " + format, cast(_TLSServer, self.server).simulator.name, *args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def _serve(self) -> None:
        sim = cast(_TLSServer, self.server).simulator
        started = time.monotonic()
        ticket = sim._log.reserve()
        release = sim._release
        split = urlsplit(self.path)
        path = split.path
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        body = self.rfile.read(length) if length > 0 else b""
        headers = {key.title(): value for key, value in self.headers.items()}
        sec_present, authorized = sim._api.auth_status(headers)
        try:
            json_body: Any = json.loads(body) if body.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            json_body = None
        fault = sim._faults.take(self.command, path)

        def record(status: int | None) -> None:
            sim._log.fill(
                ticket,
                RecordedRequest(
                    method=self.command,
                    path=path,
                    query=query,
                    headers={k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS},
                    json_body=json_body,
                    status=status,
                    duration_seconds=time.monotonic() - started,
                    fault=fault.kind if fault else None,
                    sec_present=sec_present,
                    authorized=authorized,
                ),
            )

        if fault is not None:
            if fault.kind is FaultKind.HANG:
                record(None)
                release.wait()
                self.close_connection = True
                return
            if fault.kind is FaultKind.RESET:
                record(None)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            if fault.kind is FaultKind.SLOW and release.wait(fault.delay):
                record(None)  # stopping or going down while sleeping: drop the request
                self.close_connection = True
                return
            if fault.kind is FaultKind.STATUS:
                self._send(record, self._fault_response(fault))
                return
            if fault.kind is FaultKind.MALFORMED_JSON:
                record(200)
                self._write(200, MALFORMED_BODY, {})
                return
        request = ApiRequest(self.command, path, query, headers, body)
        try:
            response = sim._api.handle(request)
        except Exception:
            log.exception("%s: internal error", sim.name)
            response = ApiResponse(
                500, error_body(500, SERVER_ERROR, "Internal simulator error.", "See the simulator log.")
            )
        self._send(record, response)

    @staticmethod
    def _fault_response(fault: Fault) -> ApiResponse:
        status = fault.status or 500
        code = fault.code if fault.code is not None else (SERVER_ERROR if status == 500 else SIMULATED_FAULT)
        message = fault.message or f"Simulated fault: HTTP {status}."
        return ApiResponse(status, error_body(status, code, message, "Injected by the QRadar simulator."))

    def _send(self, record: Any, response: ApiResponse) -> None:
        record(response.status)
        self._write(response.status, json.dumps(response.payload).encode(), response.headers)

    def _write(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True


class QRadarSimulator:
    """One simulated QRadar console; see the package docstring for the behaviour."""

    def __init__(
        self,
        name: str = "console",
        token: str = "secret-token",
        ca: CertificateAuthority | None = None,
        *,
        is_dr: str = "PRIMARY",
        site_state: str = "ACTIVE",
        ariel_copy_enabled: bool = True,
        deploy_seconds: float = 0.5,
        copy_profiles: list[dict[str, Any]] | None = None,
        documented_deploy_available: bool = True,
        deploy_errors: str | None = None,
        primary_console_ip: str = "10.0.1.10",
        dr_console_ip: str = "10.0.2.10",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,  # deploy progress (a simulated outage's clock)
        token_expiration_date: int | None = None,
    ) -> None:
        if ca is None:
            raise ValueError("a CertificateAuthority is required (CertificateAuthority.create(dir))")
        self.name = name
        self._ca = ca
        self._requested_port = port
        self._state = ConsoleState(
            name=name,
            is_dr=is_dr,
            site_state=site_state,
            ariel_copy_enabled=ariel_copy_enabled,
            deploy_seconds=deploy_seconds,
            copy_profiles=copy_profiles,
            deploy_errors=deploy_errors,
            primary_console_ip=primary_console_ip,
            dr_console_ip=dr_console_ip,
            clock=clock,
        )
        self._api = ConsoleApi(
            self._state,
            token,
            documented_deploy_available,
            AuthorizedService(f"DataSync failover ({name})", expiration_date=token_expiration_date),
        )
        self._faults = FaultBook()
        self._log = RequestLog()
        self._lock = threading.Lock()
        self._context = _server_context(ca, name)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()  # also guards _context
        self._release = threading.Event()
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None
        self._reserved: socket.socket | None = None
        self._port: int | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> QRadarSimulator:
        with self._lock:
            if self._port is not None:
                raise RuntimeError(f"{self!r} already started")
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self._requested_port))
            self._port = sock.getsockname()[1]
            self._serve_locked(sock)
        log.info("%s: serving on https://%s", self.name, self.address)
        return self

    def stop(self) -> None:
        """Stop serving; releases hanging requests and closes every socket. Idempotent."""
        with self._lock:
            self._halt_locked()
            if self._reserved is not None:
                self._reserved.close()
                self._reserved = None

    def go_down(self) -> None:
        """Close the listener (new connections are refused) but keep the port reserved."""
        with self._lock:
            if self._server is None:
                return
            self._halt_locked()
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((HOST, self.port))  # bound, never listening: connections are refused
            self._reserved = sock

    def come_back(self) -> None:
        """Listen again on the same port after ``go_down``."""
        with self._lock:
            if self._server is not None or self._reserved is None:
                return
            sock, self._reserved = self._reserved, None
            self._serve_locked(sock)

    def _serve_locked(self, sock: socket.socket) -> None:
        self._release = threading.Event()
        server = _TLSServer(sock, self)
        server.server_activate()
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"qradar-sim-{self.name}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()

    def _halt_locked(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        self._release.set()
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=2)
        self._drop_connections()

    def _drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            _abort(connection)

    def __enter__(self) -> QRadarSimulator:
        if self._port is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{self!r} not started")
        return self._port

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"https://{self.address}"

    @property
    def is_up(self) -> bool:
        return self._server is not None

    # -- TLS --------------------------------------------------------------------------------

    def use_certificate_from(self, ca: CertificateAuthority) -> None:
        """Present a certificate issued by ``ca`` from now on (open connections are dropped)."""
        context = _server_context(ca, self.name)
        with self._connections_lock:
            self._context = context
        self._drop_connections()

    def _ssl_context(self) -> ssl.SSLContext:
        with self._connections_lock:
            return self._context

    # -- state ------------------------------------------------------------------------------

    def deployed_dr_config(self) -> dict[str, Any]:
        return self._state.deployed()

    def staged_dr_config(self) -> dict[str, Any]:
        return self._state.staged()

    def set_dr_state(
        self,
        is_dr: str | None = None,
        site_state: str | None = None,
        ariel_copy_enabled: bool | None = None,
    ) -> None:
        """Set both the deployed and the staged DR configuration."""
        self._state.set_dr_state(is_dr=is_dr, site_state=site_state, ariel_copy_enabled=ariel_copy_enabled)

    def copy_profiles(self) -> list[dict[str, Any]]:
        return self._state.profiles()

    def set_copy_profiles_enabled(self, enabled: bool, ids: list[int] | None = None) -> None:
        """Enable or disable copy profiles (all, or ``ids``) as an admin would in the DataSync app."""
        self._state.set_profiles_enabled(enabled, ids)

    def copies_to(self) -> list[str]:
        """Where this console copies ariel data now (the data-sync direction): see ``ConsoleState.copies_to``."""
        return self._state.copies_to()

    def run_ariel_copy(self) -> list[int]:
        """One round of ariel copy: the ids of the profiles that recorded a successful transfer."""
        return self._state.run_ariel_copy()

    def refuse_step_down(self, message: str | None) -> None:
        """While ``message`` is set, staging STANDBY on this ACTIVE console is refused (409) with it."""
        self._state.refuse_standby = message

    def expire_token(self) -> None:
        """The token's authorized service expired (during an outage, say): 401 until ``issue_token``."""
        self.expire_token_in(-1)

    def issue_token(self, token: str) -> None:
        """A new authorized service token replaces the old one."""
        self._api.issue_token(token)

    def deploy_status(self) -> dict[str, Any]:
        return self._state.deploy_status()

    @property
    def deploy_count(self) -> int:
        return self._state.deploy_count

    @property
    def deploy_errors(self) -> str | None:
        return self._state.deploy_errors

    @deploy_errors.setter
    def deploy_errors(self, value: str | None) -> None:
        self._state.deploy_errors = value

    @property
    def deploy_seconds(self) -> float:
        return self._state.deploy_seconds

    @deploy_seconds.setter
    def deploy_seconds(self, value: float) -> None:
        self._state.deploy_seconds = value

    @property
    def documented_deploy_available(self) -> bool:
        return self._api.documented_deploy_available

    @documented_deploy_available.setter
    def documented_deploy_available(self, value: bool) -> None:
        self._api.documented_deploy_available = value

    # -- the token's authorized service and replication ----------------------------------------

    @property
    def token_expiration_date(self) -> int | None:
        """When the console's token expires (epoch ms; None: never). Once past, every request is 401."""
        return self._api.service.expiration_date

    @token_expiration_date.setter
    def token_expiration_date(self, value: int | None) -> None:
        self._api.service.expiration_date = value

    def expire_token_in(self, seconds: float) -> None:
        """Let the token expire ``seconds`` from now (negative: it expired that long ago)."""
        self.token_expiration_date = int((time.time() + seconds) * 1000)

    def authorized_service(self) -> dict[str, Any]:
        return self._api.service.describe()

    def stall_replication(self, seconds_ago: float = 0.0) -> None:
        """Every ariel copy scheduled since ``seconds_ago`` fails (the copy profiles' transfer dates say so)."""
        self._state.stall_replication(seconds_ago)

    def resume_replication(self) -> None:
        self._state.resume_replication()

    # -- faults and recording ---------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        self._faults.inject(fault)

    def clear_faults(self) -> None:
        self._faults.clear()

    def active_faults(self) -> list[Fault]:
        return self._faults.active()

    @property
    def requests(self) -> list[RecordedRequest]:
        return self._log.snapshot()

    def writes(self) -> list[RecordedRequest]:
        return [record for record in self._log.snapshot() if record.method == "POST"]

    def clear_requests(self) -> None:
        self._log.clear()

    # -- connection tracking (used by the server) -------------------------------------------

    def _track(self, sock: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(sock)

    def _untrack(self, sock: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(sock)

    def __repr__(self) -> str:
        where = f"https://{HOST}:{self._port}" if self._port is not None else "not started"
        return f"QRadarSimulator(name={self.name!r}, {where}, up={self.is_up})"
