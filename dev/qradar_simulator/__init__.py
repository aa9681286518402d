"""A stateful, fault-injecting simulator of one QRadar console's Disaster Recovery REST API.

What is simulated (HTTPS on 127.0.0.1, certificate issued by a ``CertificateAuthority``):

* Auth: every ``/api/`` request needs ``SEC: <token>``; missing or wrong -> 401 with a
  QRadar-shaped error body (``http_response {code, message}``, ``code``, ``message``,
  ``description``, ``details``). The token is never echoed nor recorded.
* Hidden endpoints answer only with ``Allow-Hidden: true`` (otherwise 404 "does not exist"):
  ``GET /api/config/disaster_recovery/disaster_recovery_config`` (deployed DR config),
  ``GET|POST /api/staged_config/disaster_recovery/disaster_recovery_config`` (staged; a POST
  must carry the whole object, exact fields and types, else 422 naming the field),
  ``GET /api/disaster_recovery/ariel_copy_profiles``, ``GET|POST .../ariel_copy_profiles/{id}``
  (a POST carries exactly the nine writable fields and applies immediately), and
  ``POST /api/config/deploy_action?type=INCREMENTAL|FULL`` (the upstream script's deploy).
* Documented deploy: ``POST /api/staged_config/deploy_status`` ``{"type": "INCREMENTAL"}`` ->
  200 scheduled, 409/1002 while a deploy runs, 409/1004 when staged == deployed, 422 bad type;
  ``GET`` reports ``status`` INITIALIZING -> IN_PROGRESS -> COMPLETE over ``deploy_seconds``.
  Deployed := staged (as of the deploy's start) only when the deploy completes, unless
  ``deploy_errors`` is set (then COMPLETE with ``has_errors`` and deployed unchanged).
  ``documented_deploy_available=False`` makes this endpoint 404, like an older release.
* ``GET /api/config/access/authorized_services`` (documented): the authorized services, each with
  ``id``, ``label``, ``created_by``, ``creation_date``, ``expiration_date`` (null: never) and
  ``last_used_date`` (epoch ms), never the token; ``?current_authorized_service=true`` answers only the
  calling token's own. A token past its ``expiration_date`` is refused with 401 on every request.
* Copy profiles carry ``frequency`` (ms) and the read-only ``last_successful_transfer_date``,
  ``last_error_date`` and ``last_error_max_threshold_surpassed_date`` (epoch ms or null), which follow the
  profile's schedule on the wall clock.
* Unknown paths 404, wrong methods 405, a malformed ``Version`` header 422.

Fault API: ``sim.inject(Fault(kind, method=None, path=None, times=None, status=None,
delay=0.0, code=None, message=None))`` where ``kind`` is a ``FaultKind``: HANG (never answer
until ``stop()``/``go_down()``), SLOW (sleep ``delay`` then answer), STATUS (answer ``status``
with a QRadar error body, ``code``/``message`` overridable), MALFORMED_JSON (200 with a
truncated JSON body), RESET (drop the connection with a TCP RST). ``method``/``path`` select
requests (``path`` is a prefix), ``times`` N spends the fault after N matches.
``sim.clear_faults()`` removes them. Whole-console failures: ``go_down()``/``come_back()``
(connections refused, same port) and ``use_certificate_from(other_ca)`` (TLS failures). Slow decay:
``expire_token_in(seconds)`` / ``token_expiration_date`` (an expiring or expired token) and
``stall_replication(seconds_ago)`` / ``resume_replication()`` (ariel copies failing since then).

The way back (a failback): ``copies_to()`` is the data-sync direction (the hosts of the enabled copy
profiles while the console is ACTIVE with ariel copy on) and ``run_ariel_copy()`` one round of it
(each copying profile records ``last_successful_transfer_date``); ``refuse_step_down(message)`` makes
an ACTIVE console answer a staged STANDBY with 409 (a Destination that will not step down);
``expire_token()`` makes the token answer 401 "expired" until ``issue_token(new)``; ``deploy_errors``
makes deploys complete with errors (a Main that answers but cannot deploy).
``sites.failed_over_site_pair`` starts both consoles as a failover leaves them.

Every request is recorded (``sim.requests``, ``sim.writes()``) as a ``RecordedRequest``.
``python -m qradar_simulator`` serves a Main and a Destination console for manual experiments.
"""

from qradar_simulator.ca import CertificateAuthority, ServerCertificate
from qradar_simulator.errors import ApiError
from qradar_simulator.faults import Fault, FaultKind
from qradar_simulator.recording import RecordedRequest
from qradar_simulator.server import QRadarSimulator
from qradar_simulator.sites import destination_site, main_site, start_site_pair

__all__ = [
    "ApiError",
    "CertificateAuthority",
    "Fault",
    "FaultKind",
    "QRadarSimulator",
    "RecordedRequest",
    "ServerCertificate",
    "destination_site",
    "main_site",
    "start_site_pair",
]
