"""OakGate: validate and guard an agent's tool calls against /v1/validate (blocking)."""

from __future__ import annotations

import functools
import inspect
import threading
import time
from typing import Any, Callable, Mapping, ParamSpec, Protocol, TypeVar

import httpx

from ._core import (
    DEFAULT_BASE_URL,
    HEALTH,
    UNREACHABLE,
    Attempts,
    Body,
    ClientCore,
    GuardCore,
    RawResponse,
    Request,
    decision_or_error,
    health_of,
    network_failure,
)
from . import _nodelay
from ._errors import OakGateConnectionError, OakGateTimeoutError
from ._types import Decision, HealthStatus

P = ParamSpec("P")
R = TypeVar("R")


class OakGate(ClientCore):
    """A client of the gateway for blocking code. Thread-safe; keeps connections alive, so
    make one and reuse it (``close()`` it, or use it as a context manager)."""

    _http: httpx.Client

    def _connect(self, options: dict[str, Any]) -> None:
        self._http = httpx.Client(**options)
        _nodelay.install(self._http, is_async=False)
        # At most max_connections requests reach httpx's pool at once: when more wait inside
        # it, its sync pool may close a connection it already handed to a waiting request
        # (EBADF, or a hang until the read timeout: encode/httpcore#1110), which threads
        # sharing one client would otherwise hit.
        self._slots = threading.BoundedSemaphore(self._settings.max_connections)

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
        request = self._validate_request(tool, scope, reasoning, context, approval_id)
        return decision_or_error(self._request(request), tool, scope)

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
            return health_of(self._request(HEALTH))
        except (OakGateConnectionError, OakGateTimeoutError):
            return UNREACHABLE

    def close(self) -> None:
        """Closes the kept-alive connections."""
        self._http.close()

    def __enter__(self) -> "OakGate":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # One request with the retry rules of Attempts. Errors are raised outside the except
    # block, so they do not chain httpx's exception, which holds the request and its key.
    def _request(self, request: Request) -> RawResponse:
        attempts = Attempts(self._settings)
        while True:
            response, failure = None, None
            try:
                response = self._once(request, attempts.remaining())
            except httpx.HTTPError as exc:
                failure = network_failure(exc, self._settings.timeout)
            step = attempts.next_step(response, failure)
            if isinstance(step, RawResponse):
                return step
            time.sleep(step)

    def _once(self, request: Request, timeout: float) -> RawResponse:
        if not self._slots.acquire(timeout=timeout):
            raise OakGateTimeoutError(self._settings.timeout)
        try:
            with self._http.stream(**request.stream_args(timeout)) as res:
                body = Body()
                for chunk in res.iter_bytes():
                    body.add(chunk)
                return body.response(res)
        finally:
            self._slots.release()


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


class Guard(GuardCore[Validator]):
    """What ``OakGate.guard()`` returns: a context manager and a decorator."""

    def check(self) -> Decision:
        """Validates; returns the decision when allowed, else raises OakGateDeniedError."""
        return self._allowed(
            self._client.validate(
                self.tool, self.scope, self.reasoning, self.context, approval_id=self.approval_id
            )
        )

    def __enter__(self) -> Decision:
        return self.check()

    def __exit__(self, *exc_info: object) -> None:
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


__all__ = ["OakGate", "Guard", "DEFAULT_BASE_URL"]
