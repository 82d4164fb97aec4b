"""AsyncOakGate: the same client for asyncio code."""

from __future__ import annotations

import asyncio
import functools
import inspect
from typing import Any, Awaitable, Callable, Coroutine, Mapping, ParamSpec, TypeVar

import httpx

from ._core import (
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


class AsyncOakGate(ClientCore):
    """A client of the gateway for asyncio code, with the options, answers, errors and
    retry rules of :class:`~oakgate.OakGate`. Make one per event loop and reuse it
    (``await aclose()`` it, or use it with ``async with``)."""

    _http: httpx.AsyncClient

    def _connect(self, options: dict[str, Any]) -> None:
        self._http = httpx.AsyncClient(**options)
        _nodelay.install(self._http, is_async=True)
        # As in OakGate: no request waits inside httpx's pool (encode/httpcore#1110).
        self._slots = asyncio.Semaphore(self._settings.max_connections)

    async def validate(
        self,
        tool: str,
        scope: str,
        reasoning: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        approval_id: str | None = None,
    ) -> Decision:
        """Asks the gateway whether the agent may use ``tool`` with ``scope``; see
        :meth:`oakgate.OakGate.validate`."""
        request = self._validate_request(tool, scope, reasoning, context, approval_id)
        return decision_or_error(await self._request(request), tool, scope)

    def guard(
        self,
        tool: str,
        scope: str,
        reasoning: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        approval_id: str | None = None,
        wait_for_approval: float | None = None,
    ) -> "AsyncGuard":
        """A check that raises OakGateDeniedError unless the gateway allows the call.

        As an async context manager::

            async with oak.guard("github", "read") as decision:
                ...

        As a decorator of a coroutine function::

            @oak.guard("github", "write")
            async def close_issue(number: int) -> None: ...

        ``wait_for_approval`` (seconds) waits for a human's approval as in
        :meth:`oakgate.OakGate.guard`; without it a call that needs one raises
        OakGateApprovalPendingError.
        """
        return AsyncGuard(self, tool, scope, reasoning, context, approval_id, wait_for_approval)

    async def get_approval(self, approval_id: str, *, wait_seconds: int = 0) -> Approval:
        """``GET /v1/approvals/{id}``, held up to ``wait_seconds`` (0..30); see
        :meth:`oakgate.OakGate.get_approval`."""
        request = self._approval_request(approval_id, wait_seconds)
        return approval_or_error(await self._request(request))

    async def healthcheck(self) -> HealthStatus:
        """``GET /healthz``: ok when the gateway process answers 200; status 0 when it
        cannot be reached."""
        try:
            return health_of(await self._request(HEALTH))
        except (OakGateConnectionError, OakGateTimeoutError):
            return UNREACHABLE

    async def aclose(self) -> None:
        """Closes the kept-alive connections."""
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncOakGate":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # The loop of OakGate._request, awaiting instead of blocking.
    async def _request(self, request: Request) -> RawResponse:
        attempts = Attempts(self._settings, hold=request.hold)
        while True:
            response, failure = None, None
            try:
                response = await self._once(request, attempts.remaining())
            except httpx.HTTPError as exc:
                failure = network_failure(exc, attempts.budget)
            step = attempts.next_step(response, failure)
            if isinstance(step, RawResponse):
                return step
            await asyncio.sleep(step)

    async def _once(self, request: Request, timeout: float) -> RawResponse:
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
            acquired = True
        except asyncio.TimeoutError:
            acquired = False
        if not acquired:  # raised here, not in the except block: nothing chained
            raise OakGateTimeoutError(self._settings.timeout)
        try:
            async with self._http.stream(**request.stream_args(timeout)) as res:
                body = Body()
                async for chunk in res.aiter_bytes():
                    body.add(chunk)
                return body.response(res)
        finally:
            self._slots.release()


class AsyncGuard(GuardCore[AsyncOakGate]):
    """What ``AsyncOakGate.guard()`` returns: an async context manager and a decorator of
    coroutine functions."""

    async def check(self) -> Decision:
        """Validates (and waits for a human's approval when told to); see
        :meth:`oakgate.Guard.check`."""
        wait = self._wait()
        decision = await self._validate(self.approval_id)
        approval = None
        while decision.pending:
            seconds = self._next_round(wait, decision, approval)
            approval = await self._client.get_approval(
                decision.approval_id or "", wait_seconds=seconds
            )
            if self._approved(decision, approval):
                decision = self._again(await self._validate(decision.approval_id), decision, approval)
        return self._allowed(decision, approval)

    async def _validate(self, approval_id: str | None) -> Decision:
        return await self._client.validate(
            self.tool, self.scope, self.reasoning, self.context, approval_id=approval_id
        )

    async def __aenter__(self) -> Decision:
        return await self.check()

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    def __call__(
        self, fn: Callable[P, Awaitable[R]]
    ) -> Callable[P, Coroutine[Any, Any, R]]:
        if not inspect.iscoroutinefunction(fn):
            raise TypeError(
                "AsyncOakGate.guard() decorates async functions; use OakGate.guard() for "
                "plain ones"
            )

        @functools.wraps(fn)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            await self.check()
            return await fn(*args, **kwargs)

        return guarded
