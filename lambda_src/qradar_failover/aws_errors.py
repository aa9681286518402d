"""botocore's error classes are generated per service; what callers need is the error code."""

from __future__ import annotations


def aws_error_code(error: BaseException) -> str:
    """``ConditionalCheckFailedException``, ``AccessDeniedException``... or the class name."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code:
            return str(code)
    return type(error).__name__
