"""Message security for the KONA PLATE Open API.

Correlation ids, ``X-KM-Tran-Token`` signing and verification, marked
fields and whole bodies encrypted as JWE (``dir`` with AES-GCM, and
RSA-OAEP-256), and the request/response exchange of a client and a server,
over the Rust crate ``konaplate-crypto``.

Every failure raises a subclass of :class:`Error` named after its error
kind (``TokenMismatch``, ``DecryptionFailed`` ...), with the kind's stable
``code`` and the ``http_status`` a server answers with.
"""

from ._native import *  # noqa: F401,F403
from ._native import Error

ERROR_CLASSES = tuple(
    cls
    for cls in vars().values()
    if isinstance(cls, type) and issubclass(cls, Error) and cls is not Error
)
"""Every error kind's class, in the crate's order."""
