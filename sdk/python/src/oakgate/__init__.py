"""oakgate: the Python client of the oakgate gateway for AI agents.

Ask ``/v1/validate`` whether an agent may use a tool, and run the tool only when it may::

    from oakgate import OakGate

    oak = OakGate(api_key="pk_...", base_url="http://127.0.0.1:4000")
    decision = oak.validate("github", "read", reasoning="summarise the open issues")
    with oak.guard("github", "read") as decision:
        ...
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, Concatenate, Mapping, ParamSpec, TypeVar

from ._async_client import AsyncGuard, AsyncOakGate
from ._client import Guard, OakGate
from ._core import DEFAULT_BASE_URL, MAX_WAIT_SECONDS
from ._errors import (
    OakGateApiError,
    OakGateApprovalPendingError,
    OakGateAuthError,
    OakGateConnectionError,
    OakGateDeniedError,
    OakGateError,
    OakGateRateLimitedError,
    OakGateTimeoutError,
    OakGateUnavailableError,
)
from ._retry import BackoffPolicy, backoff_delay, is_retryable_status, parse_retry_after
from ._types import (
    DENY_REASONS,
    Approval,
    Decision,
    FailedCondition,
    HealthStatus,
    ReasoningLevel,
)
from ._version import VERSION

__version__ = VERSION

__all__ = [
    "Approval",
    "AsyncGuard",
    "AsyncOakGate",
    "BackoffPolicy",
    "DEFAULT_BASE_URL",
    "DENY_REASONS",
    "Decision",
    "FailedCondition",
    "Guard",
    "HealthStatus",
    "MAX_WAIT_SECONDS",
    "OakGate",
    "OakGateApiError",
    "OakGateApprovalPendingError",
    "OakGateAuthError",
    "OakGateConnectionError",
    "OakGateDeniedError",
    "OakGateError",
    "OakGateRateLimitedError",
    "OakGateTimeoutError",
    "OakGateUnavailableError",
    "ReasoningLevel",
    "VERSION",
    "backoff_delay",
    "configure",
    "get_approval",
    "guard",
    "healthcheck",
    "is_retryable_status",
    "parse_retry_after",
    "validate",
]

# The module-level configure(), validate(), guard(), get_approval() and healthcheck() share
# one client.
_shared: OakGate | None = None
_shared_lock = threading.Lock()


def configure(
    api_key: str | None = None,
    base_url: str | None = None,
    timeout: float = 5.0,
    retries: int = 2,
    *,
    backoff: BackoffPolicy | None = None,
    max_connections: int = 64,
) -> OakGate:
    """Sets up the client that the module-level functions use (closing the previous one)."""
    global _shared
    client = OakGate(
        api_key, base_url, timeout, retries, backoff=backoff, max_connections=max_connections
    )
    with _shared_lock:
        previous, _shared = _shared, client
    if previous is not None:
        previous.close()
    return client


def _shared_client() -> OakGate:
    # Without configure(), OAKGATE_API_KEY and OAKGATE_URL from the environment are used.
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = OakGate()
        return _shared


P = ParamSpec("P")
R = TypeVar("R")


def _on_shared_client(method: Callable[Concatenate[OakGate, P], R]) -> Callable[P, R]:
    """``method`` of the shared client as a module-level function (its signature without
    ``self``), so that the signature is written once, on OakGate."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        return method(_shared_client(), *args, **kwargs)

    call.__doc__ = f":meth:`OakGate.{method.__name__}` on the shared client."
    signature = inspect.signature(method)
    without_self = list(signature.parameters.values())[1:]
    setattr(call, "__signature__", signature.replace(parameters=without_self))
    return call


validate = _on_shared_client(OakGate.validate)
get_approval = _on_shared_client(OakGate.get_approval)
healthcheck = _on_shared_client(OakGate.healthcheck)


def guard(
    tool: str,
    scope: str,
    reasoning: str | None = None,
    context: Mapping[str, Any] | None = None,
    *,
    approval_id: str | None = None,
    wait_for_approval: float | None = None,
) -> Guard:
    """:meth:`OakGate.guard` on the shared client (chosen when the guard is first used, so
    that a decorator at import time does not need the key yet)."""
    return Guard(_SharedClient(), tool, scope, reasoning, context, approval_id, wait_for_approval)


class _SharedClient:
    """Stands in for the shared client until a guard runs."""

    validate = staticmethod(validate)
    get_approval = staticmethod(get_approval)
