"""TCP_NODELAY on the client's connections.

httpcore 0.16 (Debian 12's, under httpx 0.23) writes a request's headers and its body in two
send() calls and does not disable Nagle's algorithm: on a kept-alive connection the body then
waits for the ACK of the headers, which the gateway delays (delayed ACK, 40 ms on Linux), so
every validation after the first on a connection would take 40 ms longer than it needs to.
Newer httpcore releases set TCP_NODELAY themselves; this does the same for older ones by
wrapping the connection pool's network backend. httpx offers no public hook for it in 0.23,
so the wrapper is installed through the pool's attributes when they are there, and the client
works unchanged (only slower) when they are not.
"""

from __future__ import annotations

import socket
from typing import Any


def _set_nodelay(stream: Any) -> None:
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass


class NoDelayBackend:
    """A sync httpcore network backend whose TCP connections have TCP_NODELAY."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        stream = self._inner.connect_tcp(*args, **kwargs)
        _set_nodelay(stream)
        return stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class AsyncNoDelayBackend:
    """The async counterpart of NoDelayBackend."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def connect_tcp(self, *args: Any, **kwargs: Any) -> Any:
        stream = await self._inner.connect_tcp(*args, **kwargs)
        _set_nodelay(stream)
        return stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install(http_client: Any, is_async: bool) -> bool:
    """Wraps the backend of ``http_client``'s default connection pool; False when this httpx
    has no such pool (nothing is changed then)."""
    pool = getattr(getattr(http_client, "_transport", None), "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if pool is None or backend is None or isinstance(backend, (NoDelayBackend, AsyncNoDelayBackend)):
        return False
    pool._network_backend = AsyncNoDelayBackend(backend) if is_async else NoDelayBackend(backend)
    return True
