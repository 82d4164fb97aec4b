"""Every error the client raises is an OakGateError.

None of them carries the API key or a request header: they hold only what the gateway
answered (statuses, ``error`` codes, reasons, ids) and the name of a network failure. The
HTTP library's own exception is deliberately not chained (neither ``__cause__`` nor
``__context__``): it holds the request, and with it the ``X-API-Key`` header.
"""

from __future__ import annotations

from typing import Any, Mapping


class OakGateError(Exception):
    """The base of every error of this package."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    # The subclasses take keyword and extra arguments: pickle (multiprocessing, concurrent
    # futures across processes) rebuilds them from their fields instead of calling __init__.
    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), dict(self.__dict__)))


def _rebuild(cls: type[OakGateError], state: dict[str, Any]) -> OakGateError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class OakGateConnectionError(OakGateError):
    """The gateway could not be reached, or went away mid-answer, and retries did not help."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        #: The network failure's name (``ECONNREFUSED``, ``ECONNRESET``, ...), when known.
        self.code = code


class OakGateTimeoutError(OakGateError):
    """The ``timeout`` budget (all attempts and waits together) ran out."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"oakgate did not answer within {timeout:g} s")
        #: The budget that was spent, in seconds.
        self.timeout = timeout


class OakGateApiError(OakGateError):
    """An answer the client does not turn into a decision or a more specific error."""

    def __init__(
        self, message: str, status: int, error: str | None, body: Mapping[str, Any] | None
    ) -> None:
        super().__init__(message)
        self.status = status
        #: The ``error`` field of the JSON answer, when it had one.
        self.error = error
        #: The JSON answer, when it was a JSON object.
        self.body = body


class OakGateAuthError(OakGateApiError):
    """401: the API key was refused; ``error`` says why (``invalid_api_key``, ...)."""

    def __init__(self, status: int, error: str | None, body: Mapping[str, Any] | None) -> None:
        super().__init__(
            f"oakgate refused the credentials: {error or f'status {status}'}", status, error, body
        )


class OakGateUnavailableError(OakGateApiError):
    """503 after every retry: the gateway (or its database) is temporarily unavailable."""

    def __init__(
        self,
        status: int,
        error: str | None,
        body: Mapping[str, Any] | None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            f"oakgate is temporarily unavailable (status {status})", status, error, body
        )
        #: Seconds the gateway asked to wait, from ``Retry-After``.
        self.retry_after = retry_after


class OakGateRateLimitedError(OakGateApiError):
    """429 from /v1/validate: the agent's rate limit is spent. Never retried by the client."""

    def __init__(
        self,
        retry_after: float,
        body: Mapping[str, Any] | None,
        limit: int | None = None,
        remaining: int | None = None,
    ) -> None:
        super().__init__(
            f"oakgate rate limit reached: retry after {retry_after:g} s", 429, "rate_limited", body
        )
        #: Seconds until a token is back in the agent's bucket (``Retry-After``).
        self.retry_after = retry_after
        self.limit = limit
        self.remaining = remaining


class OakGateDeniedError(OakGateError):
    """guard(): the gateway answered ``allowed: false`` (or a human denied the call)."""

    def __init__(
        self,
        *,
        reason: str,
        rule_id: str | None,
        decision_id: str | None,
        tool: str,
        scope: str,
        approval_id: str | None = None,
        decision: Any = None,
        approval: Any = None,
        message: str | None = None,
    ) -> None:
        rule = f" (rule {rule_id})" if rule_id else ""
        super().__init__(message or f"oakgate denied {tool}:{scope}: {reason}{rule}")
        self.reason = reason
        self.rule_id = rule_id
        self.decision_id = decision_id
        self.tool = tool
        self.scope = scope
        #: For a rule with ``effect: "ask"``: the approval the call waited for or used.
        self.approval_id = approval_id
        #: The whole :class:`~oakgate.Decision`.
        self.decision = decision
        #: The :class:`~oakgate.Approval` as the guard last read it (``status``,
        #: ``decided_by``, ``comment``), when it waited for one.
        self.approval = approval


class OakGateApprovalPendingError(OakGateDeniedError):
    """guard(): the call needs a human's approval (an ``ask`` rule, HTTP 202) that has not
    come, either because the guard was not told to wait (``wait_for_approval``) or because
    its wait ran out. ``reason`` is ``approval_pending``; validate again with
    ``approval_id`` once it is approved. A subclass of OakGateDeniedError, so that code that
    stops on a denial stops on this too."""

    approval_id: str

    def __init__(
        self,
        *,
        rule_id: str | None,
        decision_id: str | None,
        tool: str,
        scope: str,
        approval_id: str,
        expires_at: str | None,
        decision: Any = None,
        approval: Any = None,
    ) -> None:
        super().__init__(
            reason="approval_pending",
            rule_id=rule_id,
            decision_id=decision_id,
            tool=tool,
            scope=scope,
            approval_id=approval_id,
            decision=decision,
            approval=approval,
            message=(
                f"oakgate: {tool}:{scope} waits for a human's approval (approval {approval_id})"
            ),
        )
        #: RFC 3339: when the approval expires unless a human decides it first.
        self.expires_at = expires_at
