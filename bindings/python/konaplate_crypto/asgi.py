"""``KonaMiddleware`` for any ASGI app (FastAPI, Starlette): each request
verified and opened before the app runs, each answer protected per route.

    from konaplate_crypto.asgi import KonaMiddleware

    app = KonaMiddleware(app, server, max_body=1 << 20)

The app gets the clear body, and ``scope["kona"]``: the verified
``X-KM-*`` headers (``"headers"``, a dict), the key id (``"key_id"``), the
route (``"route"``: ``(method, template)``), its parameters (``"params"``)
and the correlation id. Refusals answer ``{"code","message"}`` with the
category's status and the app never runs; an answer the route cannot
protect is a bare 500, never sent clear. Needs no extra.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional, Tuple

from . import _hooks
from . import AcceptedRequest, Error

__all__ = ["KonaMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _off_loop(size: int, work: Callable[[], Any]) -> Any:
    """``work()``, in a thread when ``size`` bytes make it long, so the event
    loop keeps serving other requests meanwhile."""
    if size >= _hooks.LARGE_BODY:
        return await asyncio.to_thread(work)
    return work()


class KonaMiddleware(_hooks.Middleware[App]):
    """ASGI middleware over a :class:`konaplate_crypto.Server`: checks the
    head (route, headers, token time, key) before reading the body, reads
    the body to ``max_body`` bytes (413 ``too_large`` past it, before
    reading when ``Content-Length`` says so), accepts it, and protects the
    answer."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        path = scope.get("raw_path") or scope["path"].encode("utf-8")
        target = path.decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        try:
            # Everything that needs no body first: a bad head is refused
            # before a byte of the body is read.
            head = self.server.check_head(scope["method"], target, headers)
        except Error as e:
            await _answer(send, *_hooks.refusal(e))
            return
        declared = next((v for k, v in headers if k.lower() == "content-length"), None)
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_body:
            await _answer(send, *_hooks.refusal(self.too_large()))
            return
        body = await self._read(receive)
        if body is None:
            await _answer(send, *_hooks.refusal(self.too_large()))
            return
        try:
            accepted: AcceptedRequest = await _off_loop(
                len(body), lambda: self.server.accept_body(head, body)
            )
        except Error as e:
            await _answer(send, *_hooks.refusal(e))
            return
        scope["kona"] = _hooks.verified(accepted)
        await self._run(scope, accepted, receive, send)

    async def _read(self, receive: Receive) -> Optional[bytes]:
        """The whole body, or None past the limit (reading stops there)."""
        chunks: List[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _run(self, scope: Scope, accepted: AcceptedRequest, upstream: Receive, send: Send) -> None:
        clear = accepted.body
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if delivered:
                # The body is spent; what comes next is the client's own
                # (its disconnect), which an app may wait for.
                return await upstream()
            delivered = True
            return {"type": "http.request", "body": clear, "more_body": False}

        start: Dict[str, Any] = {}
        parts: List[bytes] = []

        async def held(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        try:
            await self.app(scope, receive, held)
        except Exception:
            await _answer(send, *_hooks.refusal(None))
            return
        answer = b"".join(parts)
        try:
            response = await _off_loop(len(answer), lambda: self.server.respond(accepted, answer))
        except Error:
            await _answer(send, *_hooks.refusal(None))
            return
        sent = response.body
        kept = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.decode("latin-1").lower() not in _hooks.STALE
            and not k.decode("latin-1").lower().startswith("x-km-")
        ]
        out: List[Tuple[bytes, bytes]] = kept + [
            (k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers
        ]
        out.append((b"content-length", str(len(sent)).encode()))
        await send({"type": "http.response.start", "status": start.get("status", 200), "headers": out})
        await send({"type": "http.response.body", "body": sent, "more_body": False})


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
