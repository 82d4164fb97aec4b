"""The retry policy and the mapping of answers to decisions and errors, as pure functions:
no sockets, no clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from oakgate import (
    BackoffPolicy,
    Decision,
    OakGateApiError,
    OakGateAuthError,
    OakGateRateLimitedError,
    OakGateTimeoutError,
    OakGateUnavailableError,
    backoff_delay,
    is_retryable_status,
    parse_retry_after,
)
from oakgate._core import Attempts, RawResponse, Settings, decision_or_error, denied_error_for


def test_backoff_grows_exponentially_is_capped_and_jittered_below_its_ceiling() -> None:
    policy = BackoffPolicy(base=0.1, cap=1.0)
    almost_one = lambda: 0.999  # noqa: E731
    assert backoff_delay(0, policy, almost_one) == pytest.approx(0.0999)
    assert backoff_delay(1, policy, almost_one) == pytest.approx(0.1998)
    assert backoff_delay(3, policy, almost_one) == pytest.approx(0.7992)
    assert backoff_delay(10, policy, almost_one) == pytest.approx(0.999)
    assert backoff_delay(2, policy, lambda: 0.0) == 0.0
    for _ in range(1000):
        assert 0.0 <= backoff_delay(5, policy) < 1.0


def test_a_retry_after_is_a_floor_the_backoff_never_goes_under() -> None:
    assert backoff_delay(0, BackoffPolicy(0.1, 1.0), lambda: 0.5, 2.0) == 2.0
    assert backoff_delay(5, BackoffPolicy(1.0, 8.0), lambda: 0.5, 1.0) == 4.0


def test_only_a_503_with_retry_after_is_a_retryable_status() -> None:
    assert is_retryable_status(503, 1.0)
    assert not is_retryable_status(503, None)
    for status in (200, 202, 400, 401, 403, 404, 409, 429, 500, 502):
        assert not is_retryable_status(status, 1.0), status


def test_retry_after_parses_delta_seconds_and_http_dates_and_rejects_garbage() -> None:
    assert parse_retry_after("3") == 3
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-1") is None
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", now) == 5
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0


def _raw(status: int, body: object, headers: dict[str, str] | None = None) -> RawResponse:
    import json

    return RawResponse.build(status, headers or {}, json.dumps(body).encode())


ALLOWED = {
    "allowed": True,
    "decision_id": "dec_1",
    "rule_id": "rule_1",
    "agent_id": "agt_1",
    "tool": "github",
    "scope": "read",
    "reasoning_level": "soft",
    "reasoning_required": False,
    "reasoning_provided": False,
    "warning": "the rule asks for reasoning and none was given",
}


def test_an_allowed_answer_becomes_a_typed_decision_with_every_field() -> None:
    d = decision_or_error(_raw(200, ALLOWED), "github", "read")
    assert d == Decision(
        allowed=True,
        tool="github",
        scope="read",
        decision_id="dec_1",
        rule_id="rule_1",
        agent_id="agt_1",
        reasoning_level="soft",
        warning="the rule asks for reasoning and none was given",
    )
    assert d.raw["warning"] == ALLOWED["warning"]


def test_a_denial_is_a_decision_and_its_error_names_reason_rule_and_decision() -> None:
    body = {
        "allowed": False,
        "reason": "denied_by_rule",
        "decision_id": "dec_2",
        "rule_id": "rule_9",
        "agent_id": "agt_1",
        "tool": "fs",
        "scope": "write",
        "failed_condition": {"rule_id": "rule_3", "field": "context.path", "op": "prefix"},
    }
    d = decision_or_error(_raw(200, body), "fs", "write")
    assert not d.allowed and d.reason == "denied_by_rule"
    assert d.failed_condition is not None and d.failed_condition.field == "context.path"
    e = denied_error_for(d)
    assert (e.reason, e.rule_id, e.decision_id, e.tool, e.scope) == (
        "denied_by_rule",
        "rule_9",
        "dec_2",
        "fs",
        "write",
    )
    assert str(e) == "oakgate denied fs:write: denied_by_rule (rule rule_9)"


def test_a_pending_approval_is_a_denial_carrying_the_approval_id() -> None:
    body = {
        "allowed": False,
        "decision": "pending",
        "approval_id": "apr_7",
        "decision_id": "dec_7",
        "rule_id": "rule_7",
        "expires_at": "2026-01-01T00:00:00Z",
    }
    d = decision_or_error(_raw(202, body), "deploy", "prod")
    assert d.pending and (d.tool, d.scope) == ("deploy", "prod")
    e = denied_error_for(d)
    assert (e.reason, e.approval_id, e.rule_id) == ("approval_pending", "apr_7", "rule_7")


def test_error_answers_map_to_their_errors() -> None:
    limited = _raw(
        429,
        {"allowed": False, "reason": "rate_limited", "error": "rate_limited"},
        {"Retry-After": "7", "RateLimit-Limit": "5", "RateLimit-Remaining": "0"},
    )
    with pytest.raises(OakGateRateLimitedError) as rl:
        decision_or_error(limited, "t", "s")
    assert (rl.value.retry_after, rl.value.limit, rl.value.remaining) == (7, 5, 0)
    with pytest.raises(OakGateAuthError) as auth:
        decision_or_error(_raw(401, {"error": "api_key_expired"}), "t", "s")
    assert auth.value.error == "api_key_expired"
    with pytest.raises(OakGateUnavailableError) as unavailable:
        decision_or_error(_raw(503, {"error": "temporarily_unavailable"}, {"Retry-After": "2"}), "t", "s")
    assert unavailable.value.retry_after == 2
    with pytest.raises(OakGateApiError) as bad:
        decision_or_error(_raw(400, {"error": "invalid_request", "field": "tool"}), "t", "s")
    assert (bad.value.status, bad.value.error) == (400, "invalid_request")
    assert "invalid_request" in str(bad.value)
    # A 200 that is not a decision (a proxy's page, say) is an error, not "allowed".
    with pytest.raises(OakGateApiError):
        decision_or_error(RawResponse.build(200, {}, b"<html>hi</html>"), "t", "s")


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _settings(timeout: float = 5.0, retries: int = 2) -> Settings:
    return Settings("http://x", timeout, retries, BackoffPolicy(0.1, 2.0), 1)


def test_attempts_retry_a_503_with_retry_after_up_to_retries_times_then_give_up() -> None:
    clock = _Clock()
    a = Attempts(_settings(retries=2), random=lambda: 0.5, clock=clock)
    busy = _raw(503, {"error": "temporarily_unavailable"}, {"Retry-After": "0"})
    assert a.after_response(busy) == pytest.approx(0.05)
    assert a.after_response(busy) == pytest.approx(0.1)
    with pytest.raises(OakGateUnavailableError):
        a.after_response(busy)


def test_attempts_return_every_other_answer_at_once() -> None:
    a = Attempts(_settings(), clock=_Clock())
    for status in (200, 400, 401, 429, 500, 503):
        assert a.after_response(_raw(status, {}, {"Retry-After": "1"} if status != 503 else {})) is None


def test_attempts_stop_when_the_wait_would_end_past_the_deadline() -> None:
    clock = _Clock()
    a = Attempts(_settings(timeout=1.0), clock=clock)
    with pytest.raises(OakGateUnavailableError):
        a.after_response(_raw(503, {}, {"Retry-After": "30"}))
    b = Attempts(_settings(timeout=1.0), clock=clock)
    clock.now += 1.0
    with pytest.raises(OakGateTimeoutError):
        b.remaining()


def test_every_error_survives_pickling_with_its_fields() -> None:
    import pickle

    from oakgate import OakGateConnectionError, OakGateDeniedError

    errors: list[Exception] = [
        OakGateDeniedError(reason="no_rule", rule_id=None, decision_id="dec_1", tool="t", scope="s"),
        OakGateRateLimitedError(3.0, {"reason": "rate_limited"}, 5, 0),
        OakGateAuthError(401, "invalid_api_key", None),
        OakGateUnavailableError(503, None, None, 2.0),
        OakGateConnectionError("could not reach oakgate: ECONNREFUSED", "ECONNREFUSED"),
        OakGateTimeoutError(5.0),
    ]
    for e in errors:
        copy = pickle.loads(pickle.dumps(e))
        assert type(copy) is type(e)
        assert str(copy) == str(e)
        assert vars(copy) == vars(e)
