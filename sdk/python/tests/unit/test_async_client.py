"""AsyncOakGate against the fake gateway: the same answers, errors and retry rules as the
blocking client, guard as an async context manager and a decorator of coroutines."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, TypeVar

import pytest

from oakgate import (
    AsyncOakGate,
    BackoffPolicy,
    HealthStatus,
    OakGateApiError,
    OakGateAuthError,
    OakGateConnectionError,
    OakGateDeniedError,
    OakGateRateLimitedError,
    OakGateTimeoutError,
    OakGateUnavailableError,
)

from fake_gateway import fake_gateway, free_port_with_nothing, hang_up, json_answer, raw_answer, silence
from leaks import assert_no_secret
from test_client import ALLOWED, DENIED, KEY, SECRET, UNAVAILABLE

T = TypeVar("T")


def run(main: Callable[[], Awaitable[T]]) -> T:
    async def wrapped() -> T:
        return await main()

    return asyncio.run(wrapped())


def client(url: str, **extra: Any) -> AsyncOakGate:
    extra.setdefault("backoff", BackoffPolicy(base=0.01, cap=0.05))
    return AsyncOakGate(api_key=KEY, base_url=url, **extra)


def test_async_validate_returns_allowed_and_denied_decisions_alike() -> None:
    with fake_gateway([json_answer(200, ALLOWED), json_answer(200, DENIED)]) as gw:

        async def main() -> None:
            async with client(gw.url) as oak:
                yes = await oak.validate("github", "read", "why", {"repo": "a/b"})
                no = await oak.validate("github", "write")
            assert (yes.allowed, yes.rule_id) == (True, "rule_1")
            assert (no.allowed, no.reason, no.decision_id) == (False, "no_rule", "dec_2")

        run(main)
        assert gw.requests[0].headers["x-api-key"] == KEY
        assert gw.requests[0].body == {
            "tool": "github",
            "scope": "read",
            "reasoning": "why",
            "context": {"repo": "a/b"},
        }


def test_async_guard_as_a_context_manager_runs_only_when_allowed() -> None:
    with fake_gateway([json_answer(200, ALLOWED), json_answer(200, DENIED)]) as gw:

        async def main() -> None:
            ran: list[str] = []
            async with client(gw.url) as oak:
                async with oak.guard("github", "read") as decision:
                    ran.append(decision.decision_id or "")
                with pytest.raises(OakGateDeniedError) as caught:
                    async with oak.guard("github", "write"):
                        ran.append("write")
            assert ran == ["dec_1"]
            assert (caught.value.reason, caught.value.decision_id) == ("no_rule", "dec_2")
            assert_no_secret(caught.value, SECRET)

        run(main)


def test_async_guard_as_a_decorator_validates_every_call_of_the_coroutine() -> None:
    with fake_gateway([json_answer(200, ALLOWED), json_answer(200, DENIED)]) as gw:

        async def main() -> None:
            async with client(gw.url) as oak:

                @oak.guard("github", "read")
                async def list_issues(repo: str) -> list[str]:
                    await asyncio.sleep(0)
                    return [f"{repo}#1"]

                assert list_issues.__name__ == "list_issues"
                assert await list_issues("a/b") == ["a/b#1"]
                with pytest.raises(OakGateDeniedError):
                    await list_issues("a/b")

                def plain() -> None:
                    pass

                with pytest.raises(TypeError):
                    oak.guard("t", "s")(plain)  # type: ignore[arg-type]

        run(main)
        assert len(gw.requests) == 2


def test_async_error_answers_raise_their_errors_after_one_attempt() -> None:
    cases: list[tuple[Any, type[Exception]]] = [
        (json_answer(429, {"reason": "rate_limited"}, {"Retry-After": "3"}), OakGateRateLimitedError),
        (json_answer(401, {"error": "invalid_api_key"}), OakGateAuthError),
        (json_answer(400, {"error": "invalid_request"}, {"Retry-After": "0"}), OakGateApiError),
        (json_answer(503, UNAVAILABLE), OakGateUnavailableError),
    ]
    for answer, error in cases:
        with fake_gateway([answer]) as gw:

            async def main() -> None:
                async with client(gw.url) as oak:
                    with pytest.raises(error) as caught:
                        await oak.validate("t", "s")
                assert_no_secret(caught.value, SECRET)
                if isinstance(caught.value, OakGateRateLimitedError):
                    assert caught.value.retry_after == 3
                if isinstance(caught.value, OakGateAuthError):
                    assert caught.value.error == "invalid_api_key"

            run(main)
            assert len(gw.requests) == 1, error


def test_async_retries_a_503_with_retry_after_and_a_dropped_connection() -> None:
    script = [json_answer(503, UNAVAILABLE, {"Retry-After": "0"}), hang_up(), json_answer(200, ALLOWED)]
    with fake_gateway(script) as gw:

        async def main() -> None:
            async with client(gw.url) as oak:
                assert (await oak.validate("github", "read")).allowed

        run(main)
        assert len(gw.requests) == 3


def test_async_gives_up_after_the_retries_with_the_network_error() -> None:
    port = free_port_with_nothing()

    async def main() -> None:
        async with client(f"http://127.0.0.1:{port}") as oak:
            with pytest.raises(OakGateConnectionError) as caught:
                await oak.validate("t", "s")
            assert caught.value.code == "ECONNREFUSED"
            assert caught.value.__cause__ is None and caught.value.__context__ is None
            assert_no_secret(caught.value, SECRET)
            assert await oak.healthcheck() == HealthStatus(ok=False, status=0)

    run(main)


def test_async_timeout_spans_the_whole_call() -> None:
    with fake_gateway([silence()]) as gw:

        async def main() -> None:
            async with client(gw.url, timeout=0.3) as oak:
                started = time.monotonic()
                with pytest.raises(OakGateTimeoutError):
                    await oak.validate("t", "s")
                assert 0.29 <= time.monotonic() - started < 3.0

        run(main)
        assert len(gw.requests) == 1


def test_async_healthcheck_and_repr_without_the_key() -> None:
    with fake_gateway([raw_answer(200, b"ok")]) as gw:

        async def main() -> None:
            oak = client(gw.url)
            assert await oak.healthcheck() == HealthStatus(ok=True, status=200)
            assert_no_secret(oak, SECRET)
            assert "pk_AbCdEfGh12345678" in repr(oak)
            await oak.aclose()

        run(main)


def test_async_concurrent_validations_share_kept_alive_connections() -> None:
    with fake_gateway([json_answer(200, ALLOWED)]) as gw:

        async def main() -> None:
            async with client(gw.url, max_connections=4) as oak:
                for _ in range(3):
                    results = await asyncio.gather(
                        *(oak.validate("github", "read") for _ in range(16))
                    )
                    assert all(d.allowed for d in results)

        run(main)
        assert len(gw.requests) == 48
        assert len({r.client_port for r in gw.requests}) <= 4
