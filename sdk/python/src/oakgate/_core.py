"""What the sync and the async client share: settings, the key, the requests they send, the
retry bookkeeping, the mapping of an answer to a decision or an error, and the guards'
checks. No I/O here: each client only sends, reads and sleeps in its own way."""

from __future__ import annotations

import errno
import json
import math
import os
import platform
import random as _random
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Mapping, TypeVar
from urllib.parse import quote, urlsplit

import httpx

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
from ._retry import DEFAULT_BACKOFF, BackoffPolicy, backoff_delay, is_retryable_status, parse_retry_after
from ._types import Approval, Decision, HealthStatus
from ._version import VERSION

DEFAULT_BASE_URL = "http://127.0.0.1:4000"
DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 2
DEFAULT_MAX_CONNECTIONS = 64
#: A validation answer is a few hundred bytes; anything this large is not the gateway.
MAX_BODY_BYTES = 1 << 20
#: The longest ``GET /v1/approvals/{id}?wait=N`` the gateway holds: N <= 30 s.
MAX_WAIT_SECONDS = 30
USER_AGENT = f"oakgate-python/{VERSION} python/{platform.python_version()}"

_KEY_FORMAT = re.compile(r"^pk_[A-Za-z0-9]{16}\.sk_[A-Za-z0-9_-]{43}$")


class _Secret:
    """Holds the API key so that neither repr(), str() nor vars() of the client shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("an oakgate API key is not pickled")


@dataclass(frozen=True)
class Settings:
    base_url: str
    timeout: float
    retries: int
    backoff: BackoffPolicy
    max_connections: int


def resolve(
    api_key: str | None,
    base_url: str | None,
    timeout: float,
    retries: int,
    backoff: BackoffPolicy | None,
    max_connections: int,
) -> tuple[_Secret, Settings]:
    """Checks the client's options; the messages say what is wrong with the key, never what
    the key is."""
    key = api_key if api_key is not None else os.environ.get("OAKGATE_API_KEY")
    if not key:
        raise OakGateError("OakGate needs an api_key (or OAKGATE_API_KEY)")
    if not _KEY_FORMAT.match(key):
        raise OakGateError("api_key is not an oakgate API key (pk_<id>.sk_<secret>)")
    url = (base_url or os.environ.get("OAKGATE_URL") or DEFAULT_BASE_URL).rstrip("/")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise OakGateError(f"base_url is not a URL: {url}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OakGateError(f"base_url must be an http or https URL: {url}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise OakGateError("timeout must be a positive number of seconds")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise OakGateError("retries must be a whole number >= 0")
    if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
        raise OakGateError("max_connections must be a whole number >= 1")
    return _Secret(key), Settings(
        base_url=url,
        timeout=float(timeout),
        retries=retries,
        backoff=backoff or DEFAULT_BACKOFF,
        max_connections=max_connections,
    )


def key_id(secret: _Secret) -> str:
    """The public half of the key (``pk_<id>``), safe to log."""
    value = secret.reveal()
    return value[: value.index(".")]


def validate_body(
    tool: str,
    scope: str,
    reasoning: str | None,
    context: Mapping[str, Any] | None,
    approval_id: str | None,
) -> bytes:
    if not isinstance(tool, str) or not isinstance(scope, str):
        raise TypeError("tool and scope must be strings")
    body: dict[str, Any] = {"tool": tool, "scope": scope}
    if reasoning is not None:
        body["reasoning"] = reasoning
    if context is not None:
        body["context"] = dict(context)
    if approval_id is not None:
        body["approval_id"] = approval_id
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Request:
    """One request as both clients send it. ``headers`` may hold the key: they are sent and
    never copied into an error."""

    method: str
    path: str
    headers: Mapping[str, str] = field(repr=False)  # the key: never in a repr
    payload: bytes | None = None
    #: Seconds the gateway may hold the answer (a long-poll), added to the call's budget.
    hold: float = 0.0

    def stream_args(self, timeout: float) -> dict[str, Any]:
        """The arguments of httpx's ``stream()`` (sync or async) for one attempt."""
        return {
            "method": self.method,
            "url": self.path,
            "headers": self.headers,
            "content": self.payload,
            "timeout": httpx.Timeout(timeout),
        }


HEALTH = Request("GET", "/healthz", {})
#: What healthcheck() answers when the gateway cannot be reached.
UNREACHABLE = HealthStatus(ok=False, status=0)


class ClientCore:
    """The options, properties and requests of OakGate and AsyncOakGate; each subclass opens
    its own httpx client in ``_connect`` and sends the requests built here."""

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
        self._connect(
            {
                "base_url": self._settings.base_url,
                "headers": {"User-Agent": USER_AGENT, "Accept": "application/json"},
                "limits": limits,
                "follow_redirects": False,
            }
        )

    def _connect(self, options: dict[str, Any]) -> None:
        """Opens the subclass's httpx client with these options."""
        raise NotImplementedError

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
            f"{type(self).__name__}(base_url={self.base_url!r}, key_id={self.key_id!r}, "
            f"timeout={self.timeout:g}, retries={self.retries})"
        )

    def _validate_request(
        self,
        tool: str,
        scope: str,
        reasoning: str | None,
        context: Mapping[str, Any] | None,
        approval_id: str | None,
    ) -> Request:
        payload = validate_body(tool, scope, reasoning, context, approval_id)
        headers = {"X-API-Key": self._key.reveal(), "Content-Type": "application/json"}
        return Request("POST", "/v1/validate", headers, payload)

    def _approval_request(self, approval_id: str, wait_seconds: int) -> Request:
        if not isinstance(approval_id, str) or not approval_id:
            raise OakGateError("approval_id must be a non-empty string")
        if (
            isinstance(wait_seconds, bool)
            or not isinstance(wait_seconds, int)
            or not 0 <= wait_seconds <= MAX_WAIT_SECONDS
        ):
            raise OakGateError(f"wait_seconds must be a whole number from 0 to {MAX_WAIT_SECONDS}")
        # One path segment, whatever the id holds.
        path = f"/v1/approvals/{quote(approval_id, safe='')}"
        if wait_seconds > 0:
            path += f"?wait={wait_seconds}"
        return Request("GET", path, {"X-API-Key": self._key.reveal()}, hold=float(wait_seconds))


def health_of(r: RawResponse) -> HealthStatus:
    return HealthStatus(ok=r.status == 200, status=r.status)


class Body:
    """An answer's body as it arrives; refused once larger than MAX_BODY_BYTES."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > MAX_BODY_BYTES:
            raise OakGateConnectionError("oakgate answered with a body that is too large", None)
        self._chunks.append(chunk)

    def response(self, res: httpx.Response) -> "RawResponse":
        """The answer: ``res``'s status and headers with the body read so far."""
        return RawResponse.build(res.status_code, res.headers, b"".join(self._chunks))


@dataclass(frozen=True)
class RawResponse:
    status: int
    #: Header names in lower case.
    headers: Mapping[str, str]
    #: The JSON answer when it was a JSON object, else None.
    json: Mapping[str, Any] | None
    text: str

    @classmethod
    def build(cls, status: int, headers: Mapping[str, str], content: bytes) -> "RawResponse":
        text = content.decode("utf-8", errors="replace")
        parsed: Any = None
        if text:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
        return cls(
            status=status,
            headers={k.lower(): v for k, v in headers.items()},
            json=parsed if isinstance(parsed, dict) else None,
            text=text,
        )


def _int_header(r: RawResponse, name: str) -> int | None:
    value = r.headers.get(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def error_for(r: RawResponse) -> OakGateError:
    """The error for an answer of /v1/validate that is not a decision."""
    error = r.json.get("error") if r.json is not None else None
    error = error if isinstance(error, str) else None
    if r.status == 429:
        retry_after = parse_retry_after(r.headers.get("retry-after"))
        return OakGateRateLimitedError(
            retry_after if retry_after is not None else 1.0,
            r.json,
            _int_header(r, "ratelimit-limit"),
            _int_header(r, "ratelimit-remaining"),
        )
    if r.status == 401:
        return OakGateAuthError(r.status, error, r.json)
    if r.status == 503:
        return OakGateUnavailableError(
            r.status, error, r.json, parse_retry_after(r.headers.get("retry-after"))
        )
    description = r.json.get("error_description") if r.json is not None else None
    what = error or (description if isinstance(description, str) else None) or r.text[:200]
    return OakGateApiError(
        f"oakgate answered {r.status}" + (f": {what}" if what else ""), r.status, error, r.json
    )


def decision_or_error(r: RawResponse, tool: str, scope: str) -> Decision:
    """A 200 (allowed or denied) or a 202 (pending approval) is a decision; anything else
    raises its error."""
    if r.status in (200, 202) and r.json is not None and isinstance(r.json.get("allowed"), bool):
        return Decision.from_json(r.json, tool, scope)
    raise error_for(r)


def approval_or_error(r: RawResponse) -> Approval:
    """A 200 of ``GET /v1/approvals/{id}`` is the approval; anything else raises its error
    (404 ``not_found`` for an unknown id or another agent's)."""
    if r.status == 200 and r.json is not None and isinstance(r.json.get("status"), str):
        return Approval.from_json(r.json)
    raise error_for(r)


def denied_error_for(
    decision: Decision, approval: Approval | None = None, reason: str | None = None
) -> OakGateDeniedError:
    """The error of a decision that is not allowed; ``reason`` overrides the decision's (a
    pending decision that a human then refused)."""
    if decision.pending and reason is None:
        return OakGateApprovalPendingError(
            rule_id=decision.rule_id,
            decision_id=decision.decision_id,
            tool=decision.tool,
            scope=decision.scope,
            approval_id=decision.approval_id or "",
            expires_at=decision.expires_at,
            decision=decision,
            approval=approval,
        )
    return OakGateDeniedError(
        reason=reason or decision.reason or "denied",
        rule_id=decision.rule_id,
        decision_id=decision.decision_id,
        tool=decision.tool,
        scope=decision.scope,
        approval_id=decision.approval_id,
        decision=decision,
        approval=approval,
    )


class ApprovalWait:
    """One guard's wait for a human's decision: each round a long-poll of at most 30 s, the
    rounds ending by ``timeout`` seconds. Pure (the clock is injected), so that the rounds are
    tested without a gateway."""

    def __init__(self, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._deadline = clock() + timeout
        self._over = False

    def next_round(self) -> int | None:
        """Seconds the next round may be held (0..30), or None when the wait is over."""
        if self._over:
            return None
        left = self._deadline - self._clock()
        if left <= 0:
            return None
        seconds = min(MAX_WAIT_SECONDS, math.floor(left))
        # Under a second left: one last look, not held, and then the wait is over (rather
        # than asking again and again without a hold until the deadline).
        if seconds == 0:
            self._over = True
        return seconds


def wait_budget(wait_for_approval: float | None) -> float | None:
    """Checks the guards' ``wait_for_approval`` option (seconds)."""
    if wait_for_approval is None:
        return None
    if (
        isinstance(wait_for_approval, bool)
        or not isinstance(wait_for_approval, (int, float))
        or not 0 < wait_for_approval < math.inf
    ):
        raise OakGateError("wait_for_approval must be a positive number of seconds")
    return float(wait_for_approval)


C = TypeVar("C")


class GuardCore(Generic[C]):
    """What Guard and AsyncGuard share: the call they check, and the check of its decision."""

    def __init__(
        self,
        client: C,
        tool: str,
        scope: str,
        reasoning: str | None,
        context: Mapping[str, Any] | None,
        approval_id: str | None,
        wait_for_approval: float | None = None,
    ) -> None:
        self._client = client
        self.tool = tool
        self.scope = scope
        self.reasoning = reasoning
        self.context = context
        self.approval_id = approval_id
        #: Seconds to wait for a human's approval (an ``ask`` rule); None: do not wait.
        self.wait_for_approval = wait_budget(wait_for_approval)

    # The check of both guards: validate; while the answer is "pending", long-poll the
    # approval (when told to wait) and, once it is approved, validate again with it.

    def _wait(self) -> ApprovalWait | None:
        return None if self.wait_for_approval is None else ApprovalWait(self.wait_for_approval)

    @staticmethod
    def _next_round(wait: ApprovalWait | None, decision: Decision, approval: Approval | None) -> int:
        """Seconds of the next long-poll; raises OakGateApprovalPendingError when the guard
        does not wait or its time is up."""
        seconds = wait.next_round() if wait is not None else None
        if seconds is None:
            raise denied_error_for(decision, approval)
        return seconds

    @staticmethod
    def _approved(decision: Decision, approval: Approval) -> bool:
        """True once approved (validate again with it), False while pending; raises
        OakGateDeniedError when a human denied it, or it expired or was used meanwhile (the
        reasons the gateway gives a validate that brings such an approval)."""
        if approval.status == "pending":
            return False
        if approval.status == "approved":
            return True
        raise denied_error_for(decision, approval, reason=f"approval_{approval.status}")

    @staticmethod
    def _again(answer: Decision, before: Decision, approval: Approval) -> Decision:
        """The validate after an approval; approved, yet pending again on the same approval,
        waiting more would only repeat it."""
        if answer.pending and answer.approval_id == before.approval_id:
            raise denied_error_for(answer, approval)
        return answer

    @staticmethod
    def _allowed(decision: Decision, approval: Approval | None = None) -> Decision:
        """The decision when allowed; else raises OakGateDeniedError."""
        if not decision.allowed:
            raise denied_error_for(decision, approval)
        return decision

    def __repr__(self) -> str:
        return f"{type(self).__name__}(tool={self.tool!r}, scope={self.scope!r})"


# --- network failures -------------------------------------------------------------------


def _errno_name(exc: BaseException) -> str | None:
    """The errno name of the OSError under an httpx error (it is chained, not wrapped)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror):
            return "EAI_AGAIN" if current.errno == socket.EAI_AGAIN else "ENOTFOUND"
        if isinstance(current, OSError) and current.errno is not None:
            return errno.errorcode.get(current.errno)
        current = current.__cause__ or current.__context__
    return None


def network_failure(exc: httpx.HTTPError, timeout: float) -> tuple[OakGateError, bool]:
    """The error for a failed attempt, and whether another attempt may help.

    Only the failure's name goes into the error: the httpx exception holds the request, and
    with it the key, so it is neither kept nor chained."""
    if isinstance(exc, httpx.TimeoutException):
        # Each attempt gets the whole remaining budget: when it times out, nothing is left.
        return OakGateTimeoutError(timeout), False
    code = _errno_name(exc)
    if isinstance(exc, httpx.ConnectError):
        # The request never left: always safe to try again.
        code = code or "ECONNREFUSED"
        return OakGateConnectionError(f"could not reach oakgate: {code}", code), True
    if isinstance(exc, httpx.RemoteProtocolError):
        if "disconnected" in str(exc).lower():
            code = code or "ECONNRESET"
            return OakGateConnectionError(f"oakgate closed the connection: {code}", code), True
        return OakGateConnectionError("oakgate sent a malformed HTTP answer", "EPROTO"), False
    if isinstance(exc, httpx.NetworkError):
        code = code or ("EPIPE" if isinstance(exc, httpx.WriteError) else "ECONNRESET")
        return OakGateConnectionError(f"the connection to oakgate failed: {code}", code), True
    return OakGateConnectionError(f"could not reach oakgate: {type(exc).__name__}", code), False


class Attempts:
    """The retry bookkeeping of one call: every attempt and wait inside ``timeout``.

    The sync and the async client run the same loop around it, differing only in how they
    send and sleep."""

    def __init__(
        self,
        settings: Settings,
        random: Callable[[], float] = _random.random,
        clock: Callable[[], float] = time.monotonic,
        *,
        hold: float = 0.0,
    ) -> None:
        self._settings = settings
        self._random = random
        self._clock = clock
        # A long-poll the gateway holds for N seconds needs N seconds more than the budget.
        self._budget = settings.timeout + hold
        self._deadline = clock() + self._budget
        self.attempt = 0

    @property
    def budget(self) -> float:
        """Seconds for the whole call: the client's timeout plus the gateway's hold."""
        return self._budget

    def remaining(self) -> float:
        """Seconds left for the next attempt; raises OakGateTimeoutError when none are."""
        left = self._deadline - self._clock()
        if left <= 0:
            raise OakGateTimeoutError(self._budget)
        return left

    def after_response(self, r: RawResponse) -> float | None:
        """None when ``r`` is the answer; else the seconds to wait before trying again.
        Raises OakGateUnavailableError when no attempt is left or the wait would end past the
        deadline."""
        retry_after = parse_retry_after(r.headers.get("retry-after"))
        if not is_retryable_status(r.status, retry_after):
            return None
        return self._next_wait(error_for(r), retry_after)

    def after_failure(self, failure: OakGateError, retryable: bool) -> float:
        """The seconds to wait after a network failure; raises ``failure`` when it is final."""
        if not retryable:
            raise failure
        return self._next_wait(failure, None)

    def next_step(
        self, response: RawResponse | None, failure: tuple[OakGateError, bool] | None
    ) -> RawResponse | float:
        """After an attempt that answered ``response`` or failed with ``failure`` (from
        network_failure): the answer, or the seconds to wait before the next attempt. Raises
        the final error when there is none."""
        if response is not None:
            wait = self.after_response(response)
            return response if wait is None else wait
        assert failure is not None
        return self.after_failure(*failure)

    def _next_wait(self, final: OakGateError, retry_after: float | None) -> float:
        if self.attempt >= self._settings.retries:
            raise final
        wait = backoff_delay(self.attempt, self._settings.backoff, self._random, retry_after)
        # A wait that would end past the deadline cannot lead to an answer in time.
        if self._clock() + wait >= self._deadline:
            raise final
        self.attempt += 1
        return wait
