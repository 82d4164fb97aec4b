"""OakGate against a fake gateway: the answer of every status, what is retried and what is
not, the overall timeout, guard as a context manager and a decorator, and that the key never
leaks into an error or the client's repr."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

import oakgate
from oakgate import (
    BackoffPolicy,
    OakGate,
    OakGateApiError,
    OakGateAuthError,
    OakGateConnectionError,
    OakGateDeniedError,
    OakGateError,
    OakGateRateLimitedError,
    OakGateTimeoutError,
    OakGateUnavailableError,
)

from fake_gateway import (
    fake_gateway,
    free_port_with_nothing,
    hang_up,
    json_answer,
    raw_answer,
    silence,
)
from leaks import assert_no_secret

SECRET = "sk_" + "S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tX"[:43]
KEY = f"pk_AbCdEfGh12345678.{SECRET}"
FAST = BackoffPolicy(base=0.01, cap=0.05)

ALLOWED = {
    "allowed": True,
    "decision_id": "dec_1",
    "rule_id": "rule_1",
    "agent_id": "agt_1",
    "tool": "github",
    "scope": "read",
    "reasoning_level": "none",
    "reasoning_required": False,
    "reasoning_provided": False,
}
DENIED: dict[str, Any] = {
    "allowed": False,
    "reason": "no_rule",
    "decision_id": "dec_2",
    "agent_id": "agt_1",
    "tool": "github",
    "scope": "write",
    "rule_id": None,
}
UNAVAILABLE = {"error": "temporarily_unavailable", "error_description": "try later"}


def client(url: str, **extra: Any) -> OakGate:
    extra.setdefault("backoff", FAST)
    return OakGate(api_key=KEY, base_url=url, **extra)


def test_validate_sends_the_key_and_body_and_returns_an_allowed_decision() -> None:
    with fake_gateway([json_answer(200, ALLOWED, {"RateLimit-Limit": "60"})]) as gw:
        with client(gw.url) as oak:
            d = oak.validate(
                "github", "read", reasoning="why", context={"repo": "a/b"}, approval_id="apr_1"
            )
        assert d.allowed is True
        assert (d.decision_id, d.rule_id, d.agent_id, d.reasoning_level) == (
            "dec_1",
            "rule_1",
            "agt_1",
            "none",
        )
        assert len(gw.requests) == 1
        r = gw.requests[0]
        assert (r.method, r.path) == ("POST", "/v1/validate")
        assert r.headers["x-api-key"] == KEY
        assert r.headers["content-type"] == "application/json"
        assert r.headers["user-agent"].startswith("oakgate-python/")
        assert r.body == {
            "tool": "github",
            "scope": "read",
            "reasoning": "why",
            "context": {"repo": "a/b"},
            "approval_id": "apr_1",
        }


def test_validate_leaves_out_reasoning_and_context_that_were_not_given() -> None:
    with fake_gateway([json_answer(200, ALLOWED)]) as gw, client(gw.url) as oak:
        oak.validate("github", "read")
        assert gw.requests[0].body == {"tool": "github", "scope": "read"}


def test_validate_returns_a_denial_as_a_typed_answer_and_never_retries_it() -> None:
    with fake_gateway([json_answer(200, DENIED)]) as gw, client(gw.url) as oak:
        d = oak.validate("github", "write")
        assert d.allowed is False
        assert d.reason == "no_rule"
        assert d.decision_id == "dec_2"
        assert len(gw.requests) == 1


def test_guard_as_a_context_manager_runs_the_block_when_allowed_and_gives_the_decision() -> None:
    with fake_gateway([json_answer(200, ALLOWED)]) as gw, client(gw.url) as oak:
        with oak.guard("github", "read", reasoning="list issues", context={"n": 1}) as decision:
            ran = f"ran under {decision.rule_id}"
        assert ran == "ran under rule_1"
        assert gw.requests[0].body["reasoning"] == "list issues"


def test_guard_as_a_context_manager_raises_denied_and_skips_the_block() -> None:
    denied = {**DENIED, "reason": "denied_by_rule", "rule_id": "rule_9"}
    with fake_gateway([json_answer(200, denied)]) as gw, client(gw.url) as oak:
        ran = False
        with pytest.raises(OakGateDeniedError) as caught:
            with oak.guard("github", "write"):
                ran = True
        assert not ran
        e = caught.value
        assert isinstance(e, OakGateError)
        assert (e.reason, e.rule_id, e.decision_id) == ("denied_by_rule", "rule_9", "dec_2")
        assert "denied_by_rule" in str(e) and "rule_9" in str(e)
        assert_no_secret(e, SECRET)


def test_guard_as_a_decorator_validates_every_call_and_keeps_the_function_signature() -> None:
    with fake_gateway([json_answer(200, ALLOWED), json_answer(200, DENIED)]) as gw:
        with client(gw.url) as oak:
            calls: list[int] = []

            @oak.guard("github", "read", reasoning="summarise")
            def list_issues(repo: str, limit: int = 2) -> list[str]:
                """Lists issues."""
                calls.append(limit)
                return [f"{repo}#{i}" for i in range(limit)]

            assert list_issues.__name__ == "list_issues"
            assert list_issues.__doc__ == "Lists issues."
            assert list_issues("a/b", limit=1) == ["a/b#0"]
            with pytest.raises(OakGateDeniedError) as caught:
                list_issues("a/b")
            assert caught.value.reason == "no_rule"
            assert calls == [1]
            assert len(gw.requests) == 2


def test_guard_refuses_to_decorate_a_coroutine_function() -> None:
    oak = OakGate(api_key=KEY)

    async def action() -> None:
        pass

    with pytest.raises(TypeError):
        oak.guard("t", "s")(action)
    oak.close()


def test_guard_treats_a_pending_approval_as_a_denial_carrying_the_approval_id() -> None:
    pending = {
        "allowed": False,
        "decision": "pending",
        "approval_id": "apr_7",
        "decision_id": "dec_7",
        "rule_id": "rule_7",
        "expires_at": "2026-01-01T00:00:00Z",
    }
    with fake_gateway([json_answer(202, pending)]) as gw, client(gw.url) as oak:
        with pytest.raises(OakGateDeniedError) as caught:
            with oak.guard("deploy", "prod"):
                pass
        assert (caught.value.reason, caught.value.approval_id) == ("approval_pending", "apr_7")
        assert (caught.value.tool, caught.value.scope) == ("deploy", "prod")


def test_a_429_raises_rate_limited_with_retry_after_and_is_not_retried() -> None:
    limited = json_answer(
        429,
        {"allowed": False, "reason": "rate_limited"},
        {"Retry-After": "7", "RateLimit-Limit": "5", "RateLimit-Remaining": "0"},
    )
    calls: list[Callable[[OakGate], object]] = [
        lambda c: c.validate("t", "s"),
        lambda c: c.guard("t", "s").check(),
    ]
    with fake_gateway([limited]) as gw, client(gw.url) as oak:
        for call in calls:
            gw.requests.clear()
            with pytest.raises(OakGateRateLimitedError) as caught:
                call(oak)
            e = caught.value
            assert (e.retry_after, e.limit, e.remaining, e.status) == (7, 5, 0, 429)
            assert_no_secret(e, SECRET)
            assert len(gw.requests) == 1


def test_a_401_raises_auth_error_with_the_gateway_error_code_and_is_not_retried() -> None:
    with fake_gateway([json_answer(401, {"error": "api_key_revoked"})]) as gw:
        with client(gw.url) as oak, pytest.raises(OakGateAuthError) as caught:
            with oak.guard("t", "s"):
                pass
        assert (caught.value.error, caught.value.status) == ("api_key_revoked", 401)
        assert_no_secret(caught.value, SECRET)
        assert len(gw.requests) == 1


@pytest.mark.parametrize(
    "status,body",
    [(400, {"error": "invalid_request"}), (403, {"error": "forbidden"}), (404, {}), (500, {}), (502, {})],
)
def test_other_4xx_and_5xx_answers_raise_api_error_after_one_attempt(status: int, body: Any) -> None:
    with fake_gateway([json_answer(status, body, {"Retry-After": "0"})]) as gw:
        with client(gw.url) as oak, pytest.raises(OakGateApiError) as caught:
            oak.validate("t", "s")
        assert caught.value.status == status
        assert_no_secret(caught.value, SECRET)
        assert len(gw.requests) == 1, f"status {status} was retried"


def test_a_503_with_retry_after_is_retried_and_the_later_answer_returned() -> None:
    script = [json_answer(503, UNAVAILABLE, {"Retry-After": "0"}), json_answer(200, ALLOWED)]
    with fake_gateway(script) as gw, client(gw.url) as oak:
        assert oak.validate("github", "read").allowed is True
        assert len(gw.requests) == 2


def test_a_503_without_retry_after_is_not_retried() -> None:
    script = [json_answer(503, UNAVAILABLE), json_answer(200, ALLOWED)]
    with fake_gateway(script) as gw, client(gw.url) as oak:
        with pytest.raises(OakGateUnavailableError):
            oak.validate("t", "s")
        assert len(gw.requests) == 1


def test_a_gateway_that_stays_unavailable_is_tried_1_plus_retries_times() -> None:
    with fake_gateway([json_answer(503, UNAVAILABLE, {"Retry-After": "0"})]) as gw:
        with client(gw.url, retries=3) as oak, pytest.raises(OakGateUnavailableError) as caught:
            oak.validate("t", "s")
        assert (caught.value.error, caught.value.retry_after) == ("temporarily_unavailable", 0)
        assert_no_secret(caught.value, SECRET)
        assert len(gw.requests) == 4


def test_a_dropped_connection_is_retried_and_the_later_answer_returned() -> None:
    with fake_gateway([hang_up(), hang_up(), json_answer(200, ALLOWED)]) as gw:
        with client(gw.url) as oak:
            assert oak.validate("github", "read").allowed is True
        assert len(gw.requests) == 3


def test_with_retries_0_nothing_is_retried() -> None:
    with fake_gateway([hang_up(), json_answer(200, ALLOWED)]) as gw:
        with client(gw.url, retries=0) as oak, pytest.raises(OakGateConnectionError) as caught:
            oak.validate("t", "s")
        assert caught.value.code == "ECONNRESET"
        assert_no_secret(caught.value, SECRET)
        assert len(gw.requests) == 1


def test_a_refused_connection_raises_connection_error_with_its_code_after_the_retries() -> None:
    port = free_port_with_nothing()
    with client(f"http://127.0.0.1:{port}") as oak, pytest.raises(OakGateConnectionError) as caught:
        oak.validate("t", "s")
    assert caught.value.code == "ECONNREFUSED"
    # httpx's own exception holds the request and its headers: it must not be chained.
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert_no_secret(caught.value, SECRET)


def test_a_gateway_that_never_answers_raises_timeout_once_the_budget_is_spent() -> None:
    with fake_gateway([silence()]) as gw, client(gw.url, timeout=0.3) as oak:
        started = time.monotonic()
        with pytest.raises(OakGateTimeoutError) as caught:
            oak.validate("t", "s")
        took = time.monotonic() - started
        assert caught.value.timeout == 0.3
        assert 0.29 <= took < 3.0, took
        assert_no_secret(caught.value, SECRET)
        assert len(gw.requests) == 1, "a timed-out attempt used the whole budget: no retry"


def test_retries_stop_when_the_retry_after_wait_would_end_past_the_timeout() -> None:
    script = [json_answer(503, UNAVAILABLE, {"Retry-After": "30"}), json_answer(200, ALLOWED)]
    with fake_gateway(script) as gw, client(gw.url, timeout=1.0) as oak:
        started = time.monotonic()
        with pytest.raises(OakGateUnavailableError):
            oak.validate("t", "s")
        assert time.monotonic() - started < 0.9, "waited although the wait could not end in time"
        assert len(gw.requests) == 1


def test_an_answer_larger_than_a_mebibyte_is_refused() -> None:
    with fake_gateway([raw_answer(200, b"x" * (2 << 20))]) as gw, client(gw.url) as oak:
        with pytest.raises(OakGateConnectionError, match="too large"):
            oak.validate("t", "s")
        assert len(gw.requests) == 1


def test_the_key_is_in_neither_the_repr_nor_the_attributes_of_the_client() -> None:
    oak = OakGate(api_key=KEY, base_url="http://127.0.0.1:1")
    assert_no_secret(oak, SECRET)
    assert oak.key_id == "pk_AbCdEfGh12345678"
    assert repr(oak) == (
        "OakGate(base_url='http://127.0.0.1:1', key_id='pk_AbCdEfGh12345678', timeout=5, retries=2)"
    )
    oak.close()


def test_a_malformed_key_is_refused_without_being_echoed() -> None:
    secret = "thisIsMy" + "SecretValue"  # built so that no traceback line shows it
    bad = f"pk_short.sk_{secret}"
    with pytest.raises(OakGateError) as caught:
        OakGate(api_key=bad)
    assert_no_secret(caught.value, secret)
    with pytest.raises(OakGateError):
        OakGate(api_key="")


def test_bad_options_are_refused_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAKGATE_API_KEY", raising=False)
    with pytest.raises(OakGateError, match="api_key"):
        OakGate()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"base_url": "ftp://x"}, "base_url"),
        ({"timeout": 0}, "timeout"),
        ({"retries": -1}, "retries"),
    ]
    for kwargs, field in cases:
        with pytest.raises(OakGateError, match=field):
            OakGate(api_key=KEY, **kwargs)


def test_the_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAKGATE_API_KEY", KEY)
    monkeypatch.setenv("OAKGATE_URL", "http://127.0.0.1:9/")
    oak = OakGate()
    assert (oak.base_url, oak.key_id, oak.timeout, oak.retries) == (
        "http://127.0.0.1:9",
        "pk_AbCdEfGh12345678",
        5.0,
        2,
    )
    oak.close()
    monkeypatch.delenv("OAKGATE_URL")
    with OakGate() as oak:
        assert oak.base_url == "http://127.0.0.1:4000"


def test_healthcheck_reports_the_gateway_up_and_down_when_nothing_listens() -> None:
    with fake_gateway([raw_answer(200, b"ok")]) as gw, client(gw.url) as oak:
        assert oak.healthcheck() == oakgate.HealthStatus(ok=True, status=200)
        assert gw.requests[0].path == "/healthz"
        assert "x-api-key" not in gw.requests[0].headers
    port = free_port_with_nothing()
    with client(f"http://127.0.0.1:{port}", retries=0) as oak:
        assert oak.healthcheck() == oakgate.HealthStatus(ok=False, status=0)


def test_the_module_level_configure_validate_and_guard_share_one_client() -> None:
    with fake_gateway([json_answer(200, ALLOWED), json_answer(200, DENIED)]) as gw:

        @oakgate.guard("github", "read")
        def read() -> str:  # decorated before configure(): the client is chosen per call
            return "done"

        shared = oakgate.configure(api_key=KEY, base_url=gw.url)
        try:
            assert read() == "done"
            assert oakgate.validate("github", "write").reason == "no_rule"
            assert len(gw.requests) == 2
        finally:
            shared.close()


def test_concurrent_validations_from_threads_share_kept_alive_connections() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with fake_gateway([json_answer(200, ALLOWED)]) as gw:
        with client(gw.url, max_connections=4) as oak, ThreadPoolExecutor(8) as pool:
            for _ in range(3):
                results = list(pool.map(lambda _: oak.validate("github", "read"), range(16)))
                assert all(d.allowed for d in results)
        assert len(gw.requests) == 48
        ports = {r.client_port for r in gw.requests}
        assert len(ports) <= 4, f"{len(ports)} connections for a pool of 4"


def test_the_client_connections_have_nagle_off_so_a_kept_alive_post_is_not_delayed() -> None:
    # httpcore 0.16 sends a request's headers and body in two writes: with Nagle on, the body
    # of every request after the first on a connection waits for the gateway's delayed ACK.
    import socket

    from oakgate import _nodelay

    with fake_gateway([json_answer(200, ALLOWED)]) as gw, client(gw.url) as oak:
        backend = oak._http._transport._pool._network_backend  # type: ignore[attr-defined]
        assert isinstance(backend, _nodelay.NoDelayBackend)
        port = int(gw.url.rsplit(":", 1)[1])
        stream = backend.connect_tcp("127.0.0.1", port, timeout=5)
        try:
            sock = stream.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        finally:
            stream.close()
        assert not _nodelay.install(oak._http, is_async=False), "installed twice"
