"""OakGate: validate and guard an agent's tool calls against /v1/validate (blocking)."""

from __future__ import annotations

import functools
import inspect
import threading
import time
from types import TracebackType
from typing import Any, Callable, Mapping, ParamSpec, Protocol, TypeVar

import httpx

from ._core import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    MAX_BODY_BYTES,
    USER_AGENT,
    Attempts,
    RawResponse,
    decision_or_error,
    denied_error_for,
    key_id,
    network_failure,
    resolve,
    validate_body,
)
from . import _nodelay
from ._errors import OakGateConnectionError, OakGateError, OakGateTimeoutError
from ._retry import BackoffPolicy
from ._types import Decision, HealthStatus

P = ParamSpec("P")
R = TypeVar("R")


class OakGate:
    """A client of the gateway for blocking code. Thread-safe; keeps connections alive, so
    make one and reuse it (``close()`` it, or use it as a context manager)."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        *,
        backoff: BackoffPolicy | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        """
        :param api_key: the agent's key, ``pk_<id>.sk_<secret>``; defaults to
            ``$OAKGATE_API_KEY``.
        :param base_url: defaults to ``$OAKGATE_URL``, else ``http://127.0.0.1:4000``.
        :param timeout: seconds for one call, every retry and wait included.
        :param retries: further attempts after a network error or a 503 with Retry-After.
        :param backoff: waits between retries (full jitter; default base 0.1 s, cap 2 s).
        :param max_connections: connections kept open to the gateway.
        """
        self._key, self._settings = resolve(
            api_key, base_url, timeout, retries, backoff, max_connections
        )
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._http = httpx.Client(
            base_url=self._settings.base_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=limits,
            follow_redirects=False,
        )
        _nodelay.install(self._http, is_async=False)
        # At most max_connections requests reach httpx's pool at once: when more wait inside
        # it, its sync pool may close a connection it already handed to a waiting request
        # (EBADF, or a hang until the read timeout: encode/httpcore#1110), which threads
        # sharing one client would otherwise hit.
        self._slots = threading.BoundedSemaphore(max_connections)

    @property
    def base_url(self) -> str:
        """The gateway's URL."""
        return self._settings.base_url

    @property
    def timeout(self) -> float:
        """Seconds for one call, every retry and wait included."""
        return self._settings.timeout

    @property
    def retries(self) -> int:
        """Further attempts after a network error or a 503 with Retry-After."""
        return self._settings.retries

    @property
    def key_id(self) -> str:
        """The public half of the key (``pk_<id>``), safe to log."""
        return key_id(self._key)

    def __repr__(self) -> str:
        return (
            f"OakGate(base_url={self.base_url!r}, key_id={self.key_id!r}, "
            f"timeout={self.timeout:g}, retries={self.retries})"
        )

    def validate(
        self,
        tool: str,
        scope: str,
        reasoning: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        approval_id: str | None = None,
    ) -> Decision:
        """Asks the gateway whether the agent may use ``tool`` with ``scope``.

        Returns the decision, allowed or denied (or pending a human's approval). Raises
        OakGateRateLimitedError on 429, OakGateAuthError on 401, OakGateApiError on other
        errors, and OakGateUnavailableError, OakGateConnectionError or OakGateTimeoutError
        when the gateway cannot answer.
        """
        payload = validate_body(tool, scope, reasoning, context, approval_id)
        r = self._request("POST", "/v1/validate", {"X-API-Key": self._key.reveal()}, payload)
        return decision_or_error(r, tool, scope)

    def guard(
        self,
        tool: str,
        scope: str,
        reasoning: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        approval_id: str | None = None,
    ) -> "Guard":
        """A check that raises OakGateDeniedError unless the gateway allows the call.

        As a context manager the block runs only when allowed and gets the decision::

            with oak.guard("github", "read", reasoning="summarise issues") as decision:
                ...

        As a decorator every call of the function is validated first::

            @oak.guard("github", "write")
            def close_issue(number: int) -> None: ...
        """
        return Guard(self, tool, scope, reasoning, context, approval_id)

    def healthcheck(self) -> HealthStatus:
        """``GET /healthz``: ok when the gateway process answers 200; status 0 when it
        cannot be reached."""
        try:
            r = self._request("GET", "/healthz", {}, None)
        except (OakGateConnectionError, OakGateTimeoutError):
            return HealthStatus(ok=False, status=0)
        return HealthStatus(ok=r.status == 200, status=r.status)

    def close(self) -> None:
        """Closes the kept-alive connections."""
        self._http.close()

    def __enter__(self) -> "OakGate":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # One request with the retry rules. `headers` may hold the key: it is sent and never
    # copied into an error (errors are raised outside the except blocks, so they do not
    # chain httpx's exception, which holds the request).
    def _request(
        self, method: str, path: str, headers: Mapping[str, str], payload: bytes | None
    ) -> RawResponse:
        attempts = Attempts(self._settings)
        while True:
            remaining = attempts.remaining()
            failure: tuple[OakGateError, bool] | None = None
            response: RawResponse | None = None
            try:
                response = self._once(method, path, headers, payload, remaining)
            except httpx.HTTPError as exc:
                failure = network_failure(exc, self._settings.timeout)
            if response is not None:
                wait = attempts.after_response(response)
                if wait is None:
                    return response
            else:
                assert failure is not None
                wait = attempts.after_failure(*failure)
            time.sleep(wait)

    def _once(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        payload: bytes | None,
        timeout: float,
    ) -> RawResponse:
        send_headers = dict(headers)
        if payload is not None:
            send_headers["Content-Type"] = "application/json"
        if not self._slots.acquire(timeout=timeout):
            raise OakGateTimeoutError(self._settings.timeout)
        try:
            return self._send(method, path, send_headers, payload, timeout)
        finally:
            self._slots.release()

    def _send(
        self,
        method: str,
        path: str,
        send_headers: dict[str, str],
        payload: bytes | None,
        timeout: float,
    ) -> RawResponse:
        with self._http.stream(
            method, path, headers=send_headers, content=payload, timeout=httpx.Timeout(timeout)
        ) as res:
            chunks: list[bytes] = []
            size = 0
            for chunk in res.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise OakGateConnectionError(
                        "oakgate answered with a body that is too large", None
                    )
                chunks.append(chunk)
            return RawResponse.build(res.status_code, res.headers, b"".join(chunks))


class Validator(Protocol):
    """What a Guard needs of a client."""

    def validate(
        self,
        tool: str,
        scope: str,
        reasoning: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        approval_id: str | None = None,
    ) -> Decision: ...


class Guard:
    """What ``OakGate.guard()`` returns: a context manager and a decorator."""

    def __init__(
        self,
        client: Validator,
        tool: str,
        scope: str,
        reasoning: str | None,
        context: Mapping[str, Any] | None,
        approval_id: str | None,
    ) -> None:
        self._client = client
        self.tool = tool
        self.scope = scope
        self.reasoning = reasoning
        self.context = context
        self.approval_id = approval_id

    def check(self) -> Decision:
        """Validates; returns the decision when allowed, else raises OakGateDeniedError."""
        decision = self._client.validate(
            self.tool, self.scope, self.reasoning, self.context, approval_id=self.approval_id
        )
        if not decision.allowed:
            raise denied_error_for(decision)
        return decision

    def __enter__(self) -> Decision:
        return self.check()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        if inspect.iscoroutinefunction(fn):
            raise TypeError(
                "OakGate.guard() decorates plain functions; use AsyncOakGate.guard() for "
                "async ones"
            )

        @functools.wraps(fn)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            self.check()
            return fn(*args, **kwargs)

        return guarded

    def __repr__(self) -> str:
        return f"Guard(tool={self.tool!r}, scope={self.scope!r})"


__all__ = ["OakGate", "Guard", "DEFAULT_BASE_URL"]
