"""Type stubs for konaplate_crypto (the extension konaplate_crypto._native)."""

import os
from typing import Iterable, Mapping, Optional, Union, final

_Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
"""Headers: a mapping, or (name, value) pairs."""

class Error(Exception):
    """A failure of konaplate_crypto; each error kind is a subclass."""

    code: str
    """The kind's stable code, as ``"token_mismatch"``."""
    http_status: int
    """The status a server answers with: 400, 401, 404, 413, 500 or 503."""

# One subclass per error kind, named after its code.
class MissingHeader(Error): ...

class DuplicateHeader(Error): ...

class InvalidHeader(Error): ...

class InvalidCorrelationId(Error): ...

class InvalidTime(Error): ...

class UnknownTimeZone(Error): ...

class MalformedToken(Error): ...

class TokenMismatch(Error): ...

class TokenTimeOutsideWindow(Error): ...

class PaddedTokenRefused(Error): ...

class InvalidJson(Error): ...

class InvalidFieldPath(Error): ...

class FieldNotFound(Error): ...

class InvalidField(Error): ...

class InvalidKey(Error): ...

class UnknownKeyId(Error): ...

class KeyIdMismatch(Error): ...

class NoKeyId(Error): ...

class KeyMismatch(Error): ...

class MalformedJwe(Error): ...

class UnsupportedJwe(Error): ...

class DecryptionFailed(Error): ...

class TooLarge(Error): ...

class InvalidEnvelope(Error): ...

class BufferTooSmall(Error): ...

class InvalidSecret(Error): ...

class InvalidRoutes(Error): ...

class RouteNotFound(Error): ...

class CorrelationIdMismatch(Error): ...

class Io(Error): ...

class Replayed(Error): ...

class ReplayGuardFull(Error): ...

class UnreadableBody(Error): ...

class StreamingBody(Error): ...

class TooDeep(Error): ...

class KeyUnusable(Error): ...

class QueryNotAllowed(Error): ...

class InvalidCapacity(Error): ...

class ReplayStoreUnavailable(Error): ...

class UnknownAspId(Error): ...

class UnknownAccessKey(Error): ...

class InvalidInstance(Error): ...

class InvalidTenants(Error): ...

ERROR_CLASSES: tuple[type[Error], ...]
"""Every error kind's class, in the crate's order."""

@final
class TokenSigner:
    """Signs and verifies X-KM-Tran-Tokens with the project secret."""

    def __new__(cls, secret: Union[str, bytes]) -> TokenSigner: ...
    def sign(
        self,
        body: bytes,
        time: Optional[str] = None,
        zone: str = "KST",
        padded: bool = False,
    ) -> str:
        """The token of ``body`` at ``time`` (``yyyyMMddHHmmssSSS`` in ``zone``; None is now)."""
    def verify(
        self,
        body: bytes,
        token: str,
        now: Optional[str] = None,
        max_skew: int = 300,
        strict: bool = False,
        zone: str = "KST",
    ) -> None:
        """Checks ``token`` against ``body``: the MAC, then its time within ``max_skew`` seconds of ``now``."""

def new_correlation_id(zone: str = "KST") -> str:
    """A new correlation id (``yyMMddHHmmss-xxxxxxx``) for now in ``zone``."""

@final
class CorrelationIds:
    """Correlation ids drawn as one instance of a fleet (its number in the suffix's top bits)."""

    def __new__(cls, instance: int, instance_bits: int = 4) -> CorrelationIds: ...
    def generate(self, zone: str = "KST") -> str:
        """A new correlation id for now in ``zone``."""
    @property
    def instance(self) -> int: ...
    @property
    def instance_bits(self) -> int: ...
    @property
    def ids_per_second(self) -> int: ...

@final
class Keyring:
    """Keys by X-KM-Crypto-Key-Id."""

    @staticmethod
    def from_jwks(text: str) -> Keyring:
        """A keyring from a JWK Set (or one JWK) as JSON text."""
    @staticmethod
    def load(
        data: bytes, key_id: Optional[str] = None, password: Optional[str] = None
    ) -> Keyring:
        """A keyring from the bytes of any key file: JWKS, or an RSA key (PEM, DER, PKCS#12) known as ``key_id``."""
    @staticmethod
    def read(
        path: Union[str, os.PathLike[str]],
        key_id: Optional[str] = None,
        password: Optional[str] = None,
    ) -> Keyring:
        """As ``Keyring.load``, reading the file at ``path``."""
    def key_ids(self) -> list[str]:
        """The ids of the keys, first-issued first."""
    def __len__(self) -> int: ...

@final
class Fields:
    """The fields of a JSON document that travel encrypted, by path."""

    def __new__(cls, paths: list[str], strict: bool = False) -> Fields: ...
    @property
    def paths(self) -> list[str]: ...
    def encrypt(self, doc: bytes, keyring: Keyring, key_id: str) -> bytes:
        """``doc`` with each marked field sealed as a JWE under ``key_id``."""
    def decrypt(self, doc: bytes, keyring: Keyring, key_id: Optional[str] = None) -> bytes:
        """``doc`` with each marked field opened (None: the first-issued key)."""

def envelope_seal(body: bytes, keyring: Keyring, key_id: str) -> bytes:
    """``body`` sealed whole as ``{"encData":"<JWE>"}`` under ``key_id``."""

def envelope_open(doc: bytes, keyring: Keyring, key_id: Optional[str] = None) -> bytes:
    """The clear body of an envelope (None: the first-issued key)."""

@final
class PreparedRequest:
    """A request ready to send."""

    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def correlation_id(self) -> str: ...

@final
class Client:
    """A client of the platform for one ASP."""

    def __new__(
        cls,
        asp_id: str,
        signer: TokenSigner,
        keyring: Keyring,
        routes: str,
        access_key: Optional[str] = None,
        crypto_key_id: Optional[str] = None,
        instance: Optional[int] = None,
        instance_bits: int = 4,
    ) -> Client: ...
    def prepare(self, method: str, path: str, body: bytes = ...) -> PreparedRequest:
        """Signs a request and protects its body as its route says."""
    def finish(self, request: PreparedRequest, headers: _Headers, body: bytes) -> bytes:
        """The clear body of the response to ``request``."""

@final
class RequestHead:
    """A request whose head passed ``Server.check_head``, waiting for its body."""

@final
class AcceptedRequest:
    """A verified request."""

    @property
    def body(self) -> bytes: ...
    @property
    def key_id(self) -> Optional[str]: ...
    @property
    def correlation_id(self) -> str: ...
    @property
    def headers(self) -> list[tuple[str, str]]:
        """The verified ``X-KM-*`` headers."""
    @property
    def route(self) -> tuple[str, str]:
        """The route that matched: ``(method, template)``."""
    @property
    def params(self) -> dict[str, str]: ...

@final
class PreparedResponse:
    """A response ready to send."""

    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def body(self) -> bytes: ...

@final
class Server:
    """A server's side of the exchange."""

    def __new__(
        cls,
        signer: TokenSigner,
        keyring: Keyring,
        routes: str,
        max_skew: int = 300,
        replay_guard: Optional[int] = None,
        strict: bool = False,
        exact_tran_time: bool = False,
    ) -> Server: ...
    def accept(self, method: str, path: str, headers: _Headers, body: bytes) -> AcceptedRequest:
        """Verifies a request and opens its body as its route says."""
    def check_head(self, method: str, path: str, headers: _Headers) -> RequestHead:
        """Checks all of a request that needs no body (route, headers, token time, key)."""
    def accept_body(self, head: RequestHead, body: bytes) -> AcceptedRequest:
        """Finishes accepting a request whose head passed ``check_head``."""
    def respond(self, accepted: AcceptedRequest, body: bytes) -> PreparedResponse:
        """The response to ``accepted``, its body protected as the route says."""
