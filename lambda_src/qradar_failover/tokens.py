"""QRadar SEC tokens: fetched from Secrets Manager, cached across warm invocations, never shown."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .aws_errors import AWS_ERRORS, AwsError
from .config import SiteConfig
from .sec_token import Token

logger = logging.getLogger(__name__)


class TokenUnavailable(AwsError):
    """The token for a site could not be read; the message names the site and secret, never a value
    (``aws_error_code``/``aws_problem`` are set when Secrets Manager or the SDK said no)."""


class SecretReader(Protocol):
    def get_secret_value(self, *, SecretId: str) -> Mapping[str, object]: ...  # noqa: N803 (boto3's name)


@dataclass
class _CachedToken:
    token: Token
    fetched_at: float


class TokenProvider:
    """Resolves a site's token. Secrets Manager first; the upstream plain token (read by config.py) only as a
    migration aid."""

    def __init__(self, secrets: SecretReader, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._secrets = secrets
        self._ttl_seconds = ttl_seconds
        self._clock = clock
        self._cache: dict[str, _CachedToken] = {}

    def token_for(self, site: SiteConfig) -> Token:
        if site.token_secret_arn is None:
            return self._legacy_token(site)
        cached = self._cache.get(site.token_secret_arn)
        if cached is not None and self._clock() - cached.fetched_at < self._ttl_seconds:
            return cached.token
        token = self._fetch(site)
        self._cache[site.token_secret_arn] = _CachedToken(token, self._clock())
        return token

    def refreshed(self, site: SiteConfig, rejected: Token) -> Token | None:
        """After a 401: the secret's current token if it differs from the rejected one (the secret was
        rotated since it was cached), else None (retrying the same token cannot help)."""
        if site.token_secret_arn is None:
            return None
        self._cache.pop(site.token_secret_arn, None)
        current = self.token_for(site)
        return current if current != rejected else None

    def _fetch(self, site: SiteConfig) -> Token:
        secret_id = site.token_secret_arn
        assert secret_id is not None
        try:
            response = self._secrets.get_secret_value(SecretId=secret_id)
        except AWS_ERRORS as error:
            raise TokenUnavailable(
                f"cannot read the {site.name} site token from Secrets Manager secret {secret_id!r}", error
            ) from None
        value = response.get("SecretString")
        if not isinstance(value, str) or not value.strip():
            raise TokenUnavailable(f"Secrets Manager secret {secret_id!r} has no SecretString for the {site.name} site")
        return Token(value.strip())

    def _legacy_token(self, site: SiteConfig) -> Token:
        variable = site.legacy_token_variable
        if site.legacy_token is None:
            raise TokenUnavailable(f"no token configured for the {site.name} site")
        logger.warning(
            "token for the %s site read from the plain environment variable %s; move it to Secrets Manager "
            "and set %s_TOKEN_SECRET_ARN",
            site.name,
            variable,
            variable.removesuffix("_TOKEN") if variable else "",
        )
        return site.legacy_token
