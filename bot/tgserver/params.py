"""Decode Bot API request parameters from JSON, form-encoded or multipart bodies."""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.tgserver.errors import bad_request
from bot.tgserver.http import Request

# Form values arrive as strings; PTB JSON-encodes every non-string value, so everything else is
# decoded as JSON. These names are always strings even when they look like numbers.
_STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "next_offset",
        "url",
        "secret_token",
        "caption",
        "action",
        "language_code",
        "ip_address",
        "switch_pm_text",
        "switch_pm_parameter",
        "custom_title",
        "emoji",
        "description",
        "short_description",
        "name",
        "title",
    }
)


def _coerce(name: str, value: str) -> Any:
    """Turn one form value into the JSON value PTB encoded."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _multipart(body: bytes, content_type: str) -> dict[str, Any]:
    """Parse a multipart/form-data body; text parts become values, file parts bytes."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    result: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            result[name] = raw
        else:
            result[name] = _coerce(name, raw.decode("utf-8", errors="replace"))
    return result


def decode_params(request: Request) -> dict[str, Any]:
    """Return the request's parameters from the query string and the body."""
    params: dict[str, Any] = {
        k: _coerce(k, v) for k, v in parse_qsl(urlsplit(request.target).query, True)
    }
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    if not request.body:
        return params
    if kind == "application/json":
        try:
            decoded = json.loads(request.body)
        except ValueError as exc:
            raise bad_request("invalid JSON in request body") from exc
        if not isinstance(decoded, dict):
            raise bad_request("request body must be a JSON object")
        params.update(decoded)
    elif kind == "multipart/form-data":
        params.update(_multipart(request.body, content_type))
    else:
        text = request.body.decode("utf-8", errors="replace")
        params.update({k: _coerce(k, v) for k, v in parse_qsl(text, True)})
    return params
