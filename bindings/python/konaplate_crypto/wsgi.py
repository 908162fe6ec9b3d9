"""``KonaMiddleware`` for any WSGI app (Flask, Django): each request
verified and opened before the app runs, each answer protected per route.

    from konaplate_crypto.wsgi import KonaMiddleware

    app.wsgi_app = KonaMiddleware(app.wsgi_app, server, max_body=1 << 20)

The app reads the clear body from ``wsgi.input`` and finds
``environ["kona"]``: the verified ``X-KM-*`` headers (``"headers"``, a
dict), the key id, the route (``(method, template)``), its parameters and
the correlation id. Refusals answer ``{"code","message"}`` with the
category's status and the app never runs; an answer the route cannot
protect is a bare 500, never sent clear. Needs no extra.
"""

from __future__ import annotations

import io
from http import HTTPStatus
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from . import _hooks
from . import AcceptedRequest, Error

__all__ = ["KonaMiddleware"]

Environ = Dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


class KonaMiddleware(_hooks.Middleware[App]):
    """WSGI middleware over a :class:`konaplate_crypto.Server`: checks the
    head (route, headers, token time, key) before reading the body, reads
    the body to ``max_body`` bytes (413 ``too_large`` past it, before
    reading when ``Content-Length`` says so), accepts it, and protects the
    answer."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        headers = [
            (key[5:].replace("_", "-"), value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        ]
        for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
            if environ.get(key):
                headers.append((name, environ[key]))
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not target:
            target = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
            if environ.get("QUERY_STRING"):
                target += "?" + environ["QUERY_STRING"]
        try:
            # Everything that needs no body first: a bad head is refused
            # before a byte of the body is read.
            head = self.server.check_head(environ["REQUEST_METHOD"], target, headers)
        except Error as e:
            return _answer(start_response, *_hooks.refusal(e))
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared.strip().isdigit() and int(declared) > self.max_body:
            return _answer(start_response, *_hooks.refusal(self.too_large()))
        body = self._read(environ["wsgi.input"], int(declared) if declared.strip().isdigit() else None)
        if body is None:
            return _answer(start_response, *_hooks.refusal(self.too_large()))
        try:
            accepted = self.server.accept_body(head, body)
        except Error as e:
            return _answer(start_response, *_hooks.refusal(e))
        return self._run(environ, accepted, start_response)

    def _read(self, stream: Any, declared: Optional[int]) -> Optional[bytes]:
        """The whole body, or None past the limit (reading stops there)."""
        if declared is not None:
            body = stream.read(declared)
            return body if len(body) <= self.max_body else None
        chunks: List[bytes] = []
        size = 0
        while True:
            chunk = stream.read(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)

    def _run(self, environ: Environ, accepted: AcceptedRequest, start_response: StartResponse) -> Iterable[bytes]:
        clear = accepted.body
        environ["wsgi.input"] = io.BytesIO(clear)
        environ["CONTENT_LENGTH"] = str(len(clear))
        environ["kona"] = _hooks.verified(accepted)
        started: List[Tuple[str, List[Tuple[str, str]]]] = []
        written: List[bytes] = []

        def held(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            started[:] = [(status, list(headers))]
            return written.append  # the legacy write(): held too, sealed with the rest

        try:
            result = self.app(environ, held)
            try:
                answer = b"".join(written) + b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            response = self.server.respond(accepted, answer)
        except Exception:
            return _answer(start_response, *_hooks.refusal(None))
        status, app_headers = started[0] if started else ("200 OK", [])
        kept = [
            (k, v)
            for k, v in app_headers
            if k.lower() not in _hooks.STALE and not k.lower().startswith("x-km-")
        ]
        sent = response.body
        start_response(status, kept + list(response.headers) + [("Content-Length", str(len(sent)))])
        return [sent]


def _answer(start_response: StartResponse, status: int, body: bytes) -> Iterable[bytes]:
    start_response(
        _status(status),
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
