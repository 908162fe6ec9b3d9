"""``KonaAuth`` for requests: requests signed and protected per route,
answers checked and opened (an auth plus a response hook).

    import requests
    from konaplate_crypto.requests import KonaAuth

    answer = requests.post(url, data=body, auth=KonaAuth(client))
    answer.content                              # the clear body

Needs the extra: ``pip install konaplate-crypto[requests]``.
"""

from __future__ import annotations

from typing import Any

import requests

from . import _hooks
from . import Client, PreparedRequest, StreamingBody

__all__ = ["KonaAuth"]


class KonaAuth(requests.auth.AuthBase):
    """A ``requests`` auth over a :class:`konaplate_crypto.Client`.

    Each request is prepared for its route (signed, its body sealed where
    the route says so); a response hook checks the answer's
    ``X-KM-Correlation-Id`` (:class:`konaplate_crypto.CorrelationIdMismatch`
    otherwise) and opens its body, so ``.content`` is the clear body. A
    streaming body (a generator, a file) is refused before anything is sent
    (:class:`konaplate_crypto.StreamingBody`). An answer that is not a
    success and carries no ``X-KM-Correlation-Id`` is handed back as
    received.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode("utf-8")
        elif not isinstance(body, bytes):
            raise StreamingBody(
                "a streaming request body cannot be signed: the token covers the whole "
                "body; pass data=bytes or a str"
            )
        prepared = self._client.prepare(request.method or "GET", _hooks.target(request.url or "/"), body)
        for name, value in prepared.headers:
            request.headers[name] = value
        request.body = prepared.body
        request.headers["Content-Length"] = str(len(prepared.body))
        request.register_hook("response", _Finish(self._client, prepared))
        return request


class _Finish:
    """The response hook of one request: checks and opens its answer."""

    def __init__(self, client: Client, prepared: PreparedRequest) -> None:
        self._client = client
        self._prepared = prepared

    def __call__(self, response: requests.Response, **_: Any) -> requests.Response:
        if _hooks.from_platform(response.status_code, response.headers.keys()):
            pairs = list(response.headers.items())
            clear = self._client.finish(self._prepared, pairs, response.content)
            for name in _hooks.STALE:
                response.headers.pop(name, None)
            response._content = clear  # what .content, .text and .json() read
        return response
