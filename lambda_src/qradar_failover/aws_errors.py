"""What the AWS adapters catch, and the AWS error they carry as data.

An adapter (lock, tokens, live health, notifier) catches only botocore's errors, :data:`AWS_ERRORS`,
and turns them into its own :class:`AwsError` subclass with the error code and the kind of problem
as attributes. Anything else raised inside an adapter is a defect and surfaces as one.
"""

from __future__ import annotations

from enum import StrEnum

from botocore import exceptions

AWS_ERRORS: tuple[type[Exception], ...] = (exceptions.ClientError, exceptions.BotoCoreError)

_CREDENTIAL_ERRORS = (
    exceptions.NoCredentialsError,
    exceptions.PartialCredentialsError,
    exceptions.CredentialRetrievalError,
    exceptions.ProfileNotFound,
    exceptions.SSOError,
    exceptions.TokenRetrievalError,
)
_REGION_ERRORS = (exceptions.NoRegionError, exceptions.InvalidRegionError, exceptions.UnknownRegionError)
# refused, unresolvable, connect/read timeout, closed, proxy, TLS (what botocore itself retries as transient)
_ENDPOINT_ERRORS = (exceptions.ConnectionError, exceptions.HTTPClientError)
_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "MissingAuthenticationTokenException",
    }
)
_ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",  # SNS
        "UnauthorizedOperation",
        "KMSAccessDeniedException",
    }
)


class AwsProblem(StrEnum):
    """What an operator has to fix, as far as the error tells."""

    CREDENTIALS = "credentials"  # none found, expired, or not accepted
    REGION = "region"  # none configured, or not a region
    ENDPOINT = "endpoint"  # no connection, or no answer in time (network, VPC endpoint, wrong region)
    ACCESS_DENIED = "access_denied"  # IAM or a key/resource policy
    SERVICE = "service"  # any other answer of the service: not found, throttled, invalid request...


def aws_error_code(error: BaseException) -> str:
    """``ConditionalCheckFailedException``, ``AccessDeniedException``... or the botocore class name."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__


def aws_problem(error: BaseException) -> AwsProblem:
    if isinstance(error, _CREDENTIAL_ERRORS):
        return AwsProblem.CREDENTIALS
    if isinstance(error, _REGION_ERRORS):
        return AwsProblem.REGION
    if isinstance(error, _ENDPOINT_ERRORS):
        return AwsProblem.ENDPOINT
    code = aws_error_code(error)
    if code in _CREDENTIAL_CODES:
        return AwsProblem.CREDENTIALS
    if code in _ACCESS_DENIED_CODES:
        return AwsProblem.ACCESS_DENIED
    return AwsProblem.SERVICE


class AwsError(RuntimeError):
    """An adapter could not get what it needed from AWS. When botocore raised, ``aws_error_code``
    and ``aws_problem`` say what AWS (or the SDK) answered; the message is for people and holds the
    code too, never a payload."""

    def __init__(self, message: str, cause: BaseException | None = None) -> None:
        self.aws_error_code = aws_error_code(cause) if cause is not None else None
        self.aws_problem = aws_problem(cause) if cause is not None else None
        super().__init__(f"{message}: {self.aws_error_code}" if self.aws_error_code else message)
