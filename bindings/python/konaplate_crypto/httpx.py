"""``KonaAuth`` for httpx: requests signed and protected per route, answers
checked and opened, with ``httpx.Client`` and ``httpx.AsyncClient`` alike.

    import httpx
    from konaplate_crypto.httpx import KonaAuth

    with httpx.Client(auth=KonaAuth(client)) as http:
        answer = http.post(url, content=body)   # answer.content is the clear body

Needs the extra: ``pip install konaplate-crypto[httpx]``.
"""

from __future__ import annotations

import asyncio
from typing import AsyncGenerator, Generator

import httpx

from . import _hooks
from . import Client, PreparedRequest, StreamingBody

__all__ = ["KonaAuth"]


class KonaAuth(httpx.Auth):
    """An ``httpx.Auth`` over a :class:`konaplate_crypto.Client`.

    Each request is prepared for its route (signed, its body sealed where
    the route says so) and sent; the answer's ``X-KM-Correlation-Id`` must
    be the request's (:class:`konaplate_crypto.CorrelationIdMismatch`
    otherwise), and its body is opened, so the response's ``.content`` is
    the clear body. A streaming request body (a generator, a file) is
    refused before anything is sent (:class:`konaplate_crypto.StreamingBody`):
    the token covers the whole body. An answer that is not a success and
    carries no ``X-KM-Correlation-Id`` is handed back as received.
    """

    requires_response_body = True

    def __init__(self, client: Client) -> None:
        self._client = client

    def _prepare(self, request: httpx.Request) -> PreparedRequest:
        if not isinstance(request.stream, httpx.ByteStream):
            raise StreamingBody(
                "a streaming request body cannot be signed: the token covers the whole "
                "body; pass content=bytes"
            )
        prepared = self._client.prepare(request.method, _hooks.target(str(request.url)), request.content)
        for name, value in prepared.headers:
            request.headers[name] = value
        request.stream = httpx.ByteStream(prepared.body)
        request._content = prepared.body  # what request.content reads
        request.headers["Content-Length"] = str(len(prepared.body))
        return prepared

    @staticmethod
    def _opened(response: httpx.Response, clear: bytes) -> None:
        for name in _hooks.STALE:
            response.headers.pop(name, None)
        response._content = clear  # what .content, .text and .json() read

    def _finish(self, prepared: PreparedRequest, response: httpx.Response) -> bytes:
        return self._client.finish(prepared, response.headers.multi_items(), response.content)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        prepared = self._prepare(request)
        response = yield request
        if _hooks.from_platform(response.status_code, response.headers.keys()):
            self._opened(response, self._finish(prepared, response))

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        prepared = self._prepare(request)
        response = yield request
        await response.aread()
        if _hooks.from_platform(response.status_code, response.headers.keys()):
            if len(response.content) >= _hooks.LARGE_BODY:
                clear = await asyncio.to_thread(self._finish, prepared, response)
            else:
                clear = self._finish(prepared, response)
            self._opened(response, clear)
