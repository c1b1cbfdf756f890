"""Bot API errors with Telegram's codes, descriptions and response parameters."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error response: `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram would send for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str, parameters: dict[str, Any] | None = None) -> ApiError:
    """Return a 400 `Bad Request: <detail>` error."""
    return ApiError(400, f"Bad Request: {detail}", parameters)


def forbidden(detail: str) -> ApiError:
    """Return a 403 `Forbidden: <detail>` error."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """Return a 429 flood-wait error with `parameters.retry_after`."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def not_found() -> ApiError:
    """Return the 404 Telegram answers for unknown methods and malformed tokens."""
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    """Return the 401 Telegram answers for a well-formed but wrong token."""
    return ApiError(401, "Unauthorized")
