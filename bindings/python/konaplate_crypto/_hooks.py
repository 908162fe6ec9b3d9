"""What the HTTP integrations share: the target a route is found by, which
answers are the platform's, and the refusal shape servers answer with."""

from __future__ import annotations

import json
from typing import Any, Dict, Generic, Iterable, Optional, Tuple, TypeVar
from urllib.parse import urlsplit

from . import AcceptedRequest, Error, Server, TooLarge

AppT = TypeVar("AppT")

LARGE_BODY = 64 * 1024
"""Bodies from this size up are processed off the event loop (the GIL is
released for them already; an async server should not wait either)."""

STALE = frozenset({"content-length", "content-encoding", "transfer-encoding"})
"""Headers of a received answer that no longer hold once its body is the
clear one."""

INTERNAL = "the server cannot process this request"
"""What a server says of a fault of its own: no more than this."""


def target(url: str) -> str:
    """The path and query of ``url`` as sent (not decoded): what a route is
    found by."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def from_platform(status: int, names: Iterable[str]) -> bool:
    """Whether an answer is the platform's, to check and open: a success,
    or any answer carrying ``X-KM-Correlation-Id`` (a refusal of its own).
    Anything else (a proxy's 502) is handed back as received."""
    if 200 <= status < 300:
        return True
    return any(name.lower() == "x-km-correlation-id" for name in names)


def refusal(error: Optional[BaseException]) -> Tuple[int, bytes]:
    """The status and ``{"code","message"}`` body a server answers
    ``error`` with, as the Rust layer does: a fault of the server's own
    set-up (500) says no more than a generic message, and anything that is
    no error of the library is a bare 500 ``internal_error``."""
    if isinstance(error, Error):
        status = int(getattr(error, "http_status", 500))
        code = str(getattr(error, "code", "internal_error"))
        message = INTERNAL if status == 500 else str(error)
    else:
        status, code, message = 500, "internal_error", INTERNAL
    return status, json.dumps({"code": code, "message": message}, ensure_ascii=False).encode()


class Middleware(Generic[AppT]):
    """What the ASGI and WSGI middleware share: the app, the server and the
    body limit."""

    def __init__(self, app: AppT, server: Server, max_body: int = 1 << 20) -> None:
        if max_body < 0:
            raise ValueError(f"max_body is negative: {max_body}")
        self.app = app
        self.server = server
        self.max_body = max_body

    def too_large(self) -> TooLarge:
        return TooLarge(f"the request body is over the server's limit of {self.max_body} bytes")


def verified(accepted: AcceptedRequest) -> Dict[str, Any]:
    """What the middleware hand the app as ``scope["kona"]`` or
    ``environ["kona"]``: the verified ``X-KM-*`` headers, the key id, the
    route, its parameters and the correlation id."""
    return {
        "headers": dict(accepted.headers),
        "key_id": accepted.key_id,
        "route": accepted.route,
        "params": accepted.params,
        "correlation_id": accepted.correlation_id,
    }
