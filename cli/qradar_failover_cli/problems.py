"""What went wrong, in a few words an operator can act on, and the exit code it means.

The engine's exceptions carry the site, step, HTTP status and (for AWS) the error code; this
module turns them into the short phrases the verdicts use ("token refused (401)", "certificate not
trusted by the CA bundle", "token secret missing") and into advice for AWS access problems that
names the region and the fix (credentials, region, profile).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qradar_failover.aws_errors import AWS_ERRORS, AwsProblem, aws_error_code
from qradar_failover.aws_errors import aws_problem as classify
from qradar_failover.qradar import QRadarError
from qradar_failover.report import FailureKind
from qradar_failover.tokens import TokenUnavailable

from .exit_codes import ExitCode

_CREDENTIALS_MISSING = frozenset({"NoCredentialsError", "PartialCredentialsError", "CredentialRetrievalError"})
_SSO_EXPIRED = frozenset({"SSOTokenLoadError", "UnauthorizedSSOTokenError", "TokenRetrievalError", "SSOError"})
_CREDENTIALS_EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
_CREDENTIALS_REJECTED = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "AuthFailure",
    }
)
_NO_CONNECTION = frozenset({"EndpointConnectionError", "ConnectTimeoutError"})
_NO_ANSWER = frozenset({"ReadTimeoutError", "ConnectionClosedError"})  # connected, and no answer came
_UNREACHABLE = _NO_CONNECTION | _NO_ANSWER
_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation", "Forbidden"}
)
_KMS = frozenset(
    {"KMSAccessDeniedException", "KMSDisabledException", "KMSNotFoundException", "KMSInvalidStateException"}
)
_NOT_FOUND = frozenset({"ResourceNotFoundException", "NotFound", "NotFoundException", "NoSuchEntity"})


@dataclass(frozen=True)
class Problem:
    words: str  # a few words for a verdict or a table cell
    detail: str  # one line with everything known
    code: ExitCode


def aws_code_of(error: BaseException) -> str | None:
    """The AWS error code of a botocore error, or the one an engine exception carries as data
    (``aws_error_code``)."""
    if isinstance(error, AWS_ERRORS):
        return aws_error_code(error)
    code = getattr(error, "aws_error_code", None)
    return code if isinstance(code, str) and code else None


def aws_class_of(error: BaseException) -> AwsProblem | None:
    """What the engine says an operator has to fix for this error (credentials, region, endpoint, ...)."""
    if isinstance(error, AWS_ERRORS):
        return classify(error)
    problem = getattr(error, "aws_problem", None)
    return problem if isinstance(problem, AwsProblem) else None


# (codes, what it means and what to do ({code}, {where}), exit code), first match wins
_ADVICE: tuple[tuple[frozenset[str], str, ExitCode], ...] = (
    (
        _CREDENTIALS_MISSING,
        "no usable AWS credentials ({code}): pass --profile NAME (after 'aws sso login --profile NAME' for SSO) "
        "or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ExitCode.USAGE,
    ),
    (_SSO_EXPIRED, "the AWS SSO session is not valid ({code}): run 'aws sso login' for your profile", ExitCode.USAGE),
    (_CREDENTIALS_EXPIRED, "the AWS credentials have expired ({code}): refresh them and run again", ExitCode.USAGE),
    (
        _CREDENTIALS_REJECTED,
        "AWS rejected the credentials ({code}): check the profile or keys, and that {where} is enabled for the account",
        ExitCode.USAGE,
    ),
    (frozenset({"NoRegionError"}), "no AWS region: pass --region", ExitCode.USAGE),
    (
        _NO_CONNECTION,
        "cannot reach AWS in {where} ({code}): check --region, and the network path (proxy, VPN)",
        ExitCode.UNREACHABLE,
    ),
    (
        _NO_ANSWER,
        "AWS did not answer in {where} ({code}; every attempt timed out): check the network path (proxy, VPN) "
        "and --region",
        ExitCode.UNREACHABLE,
    ),
    (_KMS, "the KMS key cannot be used ({code}): your identity needs kms:Decrypt on it", ExitCode.FAILED),
    (
        _DENIED,
        "access denied ({code}): your AWS identity lacks the permission (docs/operations.md, 'Permissions')",
        ExitCode.FAILED,
    ),
    (_NOT_FOUND, "not found in {where} ({code}): a wrong --region or name?", ExitCode.FAILED),
)


# What to do when the code is not one of the above, by the engine's classification of the error.
_BY_CLASS: dict[AwsProblem, tuple[str, ExitCode]] = {
    AwsProblem.CREDENTIALS: (_ADVICE[0][1], ExitCode.USAGE),
    AwsProblem.REGION: ("no usable AWS region ({code}): pass --region, e.g. ca-central-1", ExitCode.USAGE),
    AwsProblem.ENDPOINT: (_ADVICE[5][1], ExitCode.UNREACHABLE),
    AwsProblem.ACCESS_DENIED: (_ADVICE[8][1], ExitCode.FAILED),
}


def aws_advice(code: str | None, region: str | None, aws_class: AwsProblem | None = None) -> tuple[str, ExitCode]:
    """What an AWS error means for the operator, naming the region, and its exit code: by its code
    when this module knows it, else by the engine's classification of it."""
    where = f"region {region}" if region else "the region"
    for codes, advice, exit_code in _ADVICE:
        if code in codes:
            return advice.format(code=code, where=where), exit_code
    if aws_class in _BY_CLASS:
        advice, exit_code = _BY_CLASS[aws_class]
        return advice.format(code=code, where=where), exit_code
    return f"AWS error {code or 'unknown'} in {where}", ExitCode.FAILED


def aws_access_problem(what: str, error: BaseException, region: str | None) -> Problem:
    """``what`` (e.g. "lock table qradar-dr-lock") could not be used because of ``error``."""
    code = aws_code_of(error)
    advice, exit_code = aws_advice(code, region, aws_class_of(error))
    return Problem(f"not read ({code or 'error'})", f"{what}: {advice}", exit_code)


_HTTP_WORDS = {
    401: "token refused (401)",
    403: "token lacks admin rights (403)",
    404: "DR API not found (404: DataSync app? Allow-Hidden?)",
}
_KIND_WORDS = {
    FailureKind.TIMEOUT: ("not answering (timed out)", ExitCode.UNREACHABLE),
    FailureKind.DEADLINE: ("not answering (time budget spent)", ExitCode.UNREACHABLE),
    FailureKind.MALFORMED: ("unexpected answer (not the DR API?)", ExitCode.FAILED),
}


def console_problem(error: QRadarError | TokenUnavailable, *, ca_bundle: bool, region: str | None) -> Problem:
    """A console that could not be read: the root cause in a few words."""
    if isinstance(error, TokenUnavailable):
        return _token_problem(error, region)
    cause = error.detail.rsplit(": ", 1)[-1]  # the adapter ends its detail with the root cause
    if error.kind is FailureKind.TLS:
        specific = _between(error.detail, "(", ")") or ""
        trusted = "by the CA bundle" if ca_bundle else "by the system CAs (no QRADAR_CA_BUNDLE)"
        words = specific if specific.startswith("certificate ") and "not trusted" not in specific else ""
        return Problem(words or f"certificate not trusted {trusted}", str(error), ExitCode.USAGE)
    if error.kind is FailureKind.CONNECTION:
        return Problem(f"unreachable ({cause})", str(error), ExitCode.UNREACHABLE)
    if error.kind in _KIND_WORDS:
        words, code = _KIND_WORDS[error.kind]
        return Problem(words, str(error), code)
    if error.http_status is not None:
        words = _HTTP_WORDS.get(error.http_status, f"console error (HTTP {error.http_status})")
        return Problem(words, str(error), ExitCode.FAILED)
    return Problem(error.kind.value.replace("_", " "), str(error), ExitCode.FAILED)


def _token_problem(error: TokenUnavailable, region: str | None) -> Problem:
    text = str(error)
    if "no SecretString" in text:
        return Problem("token secret empty", text, ExitCode.FAILED)
    if "no token configured" in text:
        return Problem("no token configured", text, ExitCode.USAGE)
    code = aws_code_of(error)
    advice, exit_code = aws_advice(code, region, aws_class_of(error))
    if code in _NOT_FOUND:
        return Problem("token secret missing", f"{text} (not found in region {region})", exit_code)
    if code in _DENIED or code in _KMS:
        return Problem("token secret not readable (access denied)", f"{text}: {advice}", exit_code)
    if code in _UNREACHABLE or aws_class_of(error) is AwsProblem.ENDPOINT:
        words = "Secrets Manager not answering" if code in _NO_ANSWER else "Secrets Manager unreachable"
        return Problem(words, f"{text}: {advice}", exit_code)
    return Problem(f"token not read ({code or 'error'})", f"{text}: {advice}", exit_code)


def _between(text: str, start: str, end: str) -> str | None:
    match = re.search(re.escape(start) + r"([^()]*)" + re.escape(end), text)
    return match.group(1) if match else None
