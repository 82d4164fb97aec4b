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
    approval_or_error,
    decision_or_error,
    health_of,
    network_failure,
)
from . import _nodelay
from ._errors import OakGateConnectionError, OakGateTimeoutError
from ._types import Approval, Decision, HealthStatus

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
        wait_for_approval: float | None = None,
    ) -> "Guard":
        """A check that raises OakGateDeniedError unless the gateway allows the call.

        As a context manager the block runs only when allowed and gets the decision::

            with oak.guard("github", "read", reasoning="summarise issues") as decision:
                ...

        As a decorator every call of the function is validated first::

            @oak.guard("github", "write")
            def close_issue(number: int) -> None: ...

        A call that needs a human's approval (an ``ask`` rule) raises
        OakGateApprovalPendingError (with ``approval_id``) at once, unless
        ``wait_for_approval`` gives the seconds to wait for it: then the guard long-polls the
        approval in rounds of at most 30 s and, once it is approved, validates again with
        it. A human's denial, or an approval that expires or is used elsewhere meanwhile,
        raises OakGateDeniedError (``approval_denied``, ``approval_expired``,
        ``approval_used``); a wait that runs out raises OakGateApprovalPendingError.
        """
        return Guard(self, tool, scope, reasoning, context, approval_id, wait_for_approval)

    def get_approval(self, approval_id: str, *, wait_seconds: int = 0) -> Approval:
        """``GET /v1/approvals/{id}``: where the approval of an ``ask`` rule's call stands.

        With ``wait_seconds`` (0..30) the gateway holds the answer until the status changes
        or that many seconds pass; this call's budget is ``timeout`` plus that hold. Raises
        OakGateApiError (status 404) for an unknown id or another agent's, and the errors of
        :meth:`validate`."""
        return approval_or_error(self._request(self._approval_request(approval_id, wait_seconds)))

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
        attempts = Attempts(self._settings, hold=request.hold)
        while True:
            response, failure = None, None
            try:
                response = self._once(request, attempts.remaining())
            except httpx.HTTPError as exc:
                failure = network_failure(exc, attempts.budget)
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

    def get_approval(self, approval_id: str, *, wait_seconds: int = 0) -> Approval: ...


class Guard(GuardCore[Validator]):
    """What ``OakGate.guard()`` returns: a context manager and a decorator."""

    def check(self) -> Decision:
        """Validates (and waits for a human's approval when told to); returns the decision
        when allowed, else raises OakGateDeniedError or OakGateApprovalPendingError."""
        wait = self._wait()
        decision = self._validate(self.approval_id)
        approval = None
        while decision.pending:
            seconds = self._next_round(wait, decision, approval)
            approval = self._client.get_approval(decision.approval_id or "", wait_seconds=seconds)
            if self._approved(decision, approval):
                decision = self._again(self._validate(decision.approval_id), decision, approval)
        return self._allowed(decision, approval)

    def _validate(self, approval_id: str | None) -> Decision:
        return self._client.validate(
            self.tool, self.scope, self.reasoning, self.context, approval_id=approval_id
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
