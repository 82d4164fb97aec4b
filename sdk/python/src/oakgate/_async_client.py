"""AsyncOakGate: the same client for asyncio code."""

from __future__ import annotations

import asyncio
import functools
import inspect
from types import TracebackType
from typing import Any, Awaitable, Callable, Coroutine, Mapping, ParamSpec, TypeVar

import httpx

from ._core import (
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


class AsyncOakGate:
    """A client of the gateway for asyncio code, with the options, answers, errors and
    retry rules of :class:`~oakgate.OakGate`. Make one per event loop and reuse it
    (``await aclose()`` it, or use it with ``async with``)."""

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
        self._key, self._settings = resolve(
            api_key, base_url, timeout, retries, backoff, max_connections
        )
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._http = httpx.AsyncClient(
            base_url=self._settings.base_url,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=limits,
            follow_redirects=False,
        )
        _nodelay.install(self._http, is_async=True)
        # As in OakGate: no request waits inside httpx's pool (encode/httpcore#1110).
        self._slots = asyncio.Semaphore(max_connections)

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
            f"AsyncOakGate(base_url={self.base_url!r}, key_id={self.key_id!r}, "
            f"timeout={self.timeout:g}, retries={self.retries})"
        )

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
        payload = validate_body(tool, scope, reasoning, context, approval_id)
        r = await self._request(
            "POST", "/v1/validate", {"X-API-Key": self._key.reveal()}, payload
        )
        return decision_or_error(r, tool, scope)

    def guard(
        self,
        tool: str,
        scope: str,
        reasoning: str | None = None,
        context: Mapping[str, Any] | None = None,
        *,
        approval_id: str | None = None,
    ) -> "AsyncGuard":
        """A check that raises OakGateDeniedError unless the gateway allows the call.

        As an async context manager::

            async with oak.guard("github", "read") as decision:
                ...

        As a decorator of a coroutine function::

            @oak.guard("github", "write")
            async def close_issue(number: int) -> None: ...
        """
        return AsyncGuard(self, tool, scope, reasoning, context, approval_id)

    async def healthcheck(self) -> HealthStatus:
        """``GET /healthz``: ok when the gateway process answers 200; status 0 when it
        cannot be reached."""
        try:
            r = await self._request("GET", "/healthz", {}, None)
        except (OakGateConnectionError, OakGateTimeoutError):
            return HealthStatus(ok=False, status=0)
        return HealthStatus(ok=r.status == 200, status=r.status)

    async def aclose(self) -> None:
        """Closes the kept-alive connections."""
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncOakGate":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # The loop of OakGate._request, awaiting instead of blocking.
    async def _request(
        self, method: str, path: str, headers: Mapping[str, str], payload: bytes | None
    ) -> RawResponse:
        attempts = Attempts(self._settings)
        while True:
            remaining = attempts.remaining()
            failure: tuple[OakGateError, bool] | None = None
            response: RawResponse | None = None
            try:
                response = await self._once(method, path, headers, payload, remaining)
            except httpx.HTTPError as exc:
                failure = network_failure(exc, self._settings.timeout)
            if response is not None:
                wait = attempts.after_response(response)
                if wait is None:
                    return response
            else:
                assert failure is not None
                wait = attempts.after_failure(*failure)
            await asyncio.sleep(wait)

    async def _once(
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
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
            acquired = True
        except asyncio.TimeoutError:
            acquired = False
        if not acquired:  # raised here, not in the except block: nothing chained
            raise OakGateTimeoutError(self._settings.timeout)
        try:
            return await self._send(method, path, send_headers, payload, timeout)
        finally:
            self._slots.release()

    async def _send(
        self,
        method: str,
        path: str,
        send_headers: dict[str, str],
        payload: bytes | None,
        timeout: float,
    ) -> RawResponse:
        async with self._http.stream(
            method, path, headers=send_headers, content=payload, timeout=httpx.Timeout(timeout)
        ) as res:
            chunks: list[bytes] = []
            size = 0
            async for chunk in res.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise OakGateConnectionError(
                        "oakgate answered with a body that is too large", None
                    )
                chunks.append(chunk)
            return RawResponse.build(res.status_code, res.headers, b"".join(chunks))


class AsyncGuard:
    """What ``AsyncOakGate.guard()`` returns: an async context manager and a decorator of
    coroutine functions."""

    def __init__(
        self,
        client: AsyncOakGate,
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

    async def check(self) -> Decision:
        """Validates; returns the decision when allowed, else raises OakGateDeniedError."""
        decision = await self._client.validate(
            self.tool, self.scope, self.reasoning, self.context, approval_id=self.approval_id
        )
        if not decision.allowed:
            raise denied_error_for(decision)
        return decision

    async def __aenter__(self) -> Decision:
        return await self.check()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
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

    def __repr__(self) -> str:
        return f"AsyncGuard(tool={self.tool!r}, scope={self.scope!r})"
