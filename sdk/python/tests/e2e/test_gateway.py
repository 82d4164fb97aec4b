"""The oakgate Python package against the real gateway and PostgreSQL, started and seeded by
tests/e2e/python_sdk_test.cpp. Environment:

  OAKGATE_URL           the gateway
  OAKGATE_API_KEY       a key of agent OAKGATE_AGENT_ID: tool github (read, write, admin),
                        rules github:read (reasoning none) and github:admin (reasoning hard),
                        no rule for github:write
  OAKGATE_LIMITED_KEY   a key of an agent whose bucket holds one request
  OAKGATE_ACCESS_TOKEN  the owner's token with scopes "keys agents" (reads decisions back)

The approval tests make their own agent with an ``ask`` rule through the API, and decide its
approvals with the owner's token.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

import oakgate
from oakgate import (
    Approval,
    AsyncOakGate,
    HealthStatus,
    OakGate,
    OakGateApprovalPendingError,
    OakGateAuthError,
    OakGateDeniedError,
    OakGateRateLimitedError,
)


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: tests/e2e/python_sdk_test.cpp sets it")
    return value


URL = env("OAKGATE_URL")
KEY = env("OAKGATE_API_KEY")
AGENT_ID = env("OAKGATE_AGENT_ID")
TOKEN = env("OAKGATE_ACCESS_TOKEN")


def api(method: str, target: str, body: Any = None) -> tuple[int, Any]:
    """The management API with the owner's token (urllib: independent of the SDK)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        URL + target,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            text = res.read().decode()
            return res.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, json.loads(text) if text else None


def logged(decision_id: str | None) -> dict[str, Any]:
    """The decision as GET /api/v1/decisions lists it."""
    assert decision_id, "no decision id"
    status, body = api("GET", f"/api/v1/decisions?agent_id={AGENT_ID}&limit=100")
    assert status == 200, body
    found = [d for d in body["data"] if d["id"] == decision_id]
    assert found, f"decision {decision_id} is not on GET /api/v1/decisions"
    return dict(found[0])


def test_an_allowed_guard_runs_the_block_and_its_decision_is_logged_with_reasoning_and_context() -> None:
    with OakGate(api_key=KEY, base_url=URL) as oak:
        ran = False
        with oak.guard(
            "github", "read", reasoning="list the open issues", context={"repo": "oak/gate"}
        ) as decision:
            ran = True
    assert ran
    assert decision.allowed and (decision.tool, decision.scope) == ("github", "read")
    assert decision.agent_id == AGENT_ID
    assert decision.reasoning_level == "none"
    row = logged(decision.decision_id)
    assert row["allowed"] is True
    assert row["rule_id"] == decision.rule_id
    assert row["reasoning"] == "list the open issues"
    assert row["context"] == {"repo": "oak/gate"}


def test_validate_returns_a_denial_and_the_guarded_function_raises_denied_without_running() -> None:
    with OakGate(api_key=KEY, base_url=URL) as oak:
        answer = oak.validate("github", "write")
        assert (answer.allowed, answer.reason) == (False, "no_rule")
        assert answer.decision_id
        calls: list[int] = []

        @oak.guard("github", "write", reasoning="push a fix", context={"branch": "main"})
        def push(n: int) -> None:
            calls.append(n)

        with pytest.raises(OakGateDeniedError) as caught:
            push(1)
    assert calls == []
    e = caught.value
    assert (e.reason, e.tool, e.scope) == ("no_rule", "github", "write")
    row = logged(e.decision_id)
    assert (row["allowed"], row["reason"]) == (False, "no_rule")
    assert row["reasoning"] == "push a fix"
    assert row["context"] == {"branch": "main"}


def test_a_hard_rule_denies_without_reasoning_and_allows_with_it() -> None:
    with OakGate(api_key=KEY, base_url=URL) as oak:
        with pytest.raises(OakGateDeniedError) as caught:
            with oak.guard("github", "admin", reasoning="   "):
                pass
        assert caught.value.reason == "reasoning_required"
        assert caught.value.rule_id
        with oak.guard("github", "admin", reasoning="rotate the deploy key") as decision:
            assert decision.reasoning_required and decision.reasoning_provided
            assert decision.reasoning_level == "hard"
    assert logged(caught.value.decision_id)["reason"] == "reasoning_required"


def test_an_unknown_tool_is_denied_as_unknown_tool() -> None:
    with OakGate(api_key=KEY, base_url=URL) as oak:
        assert oak.validate("jira", "read").reason == "unknown_tool"


def test_an_unknown_key_and_a_revoked_key_raise_auth_error_with_the_gateway_error() -> None:
    wrong = KEY[:-4] + ("BBBB" if KEY.endswith("AAAA") else "AAAA")
    with OakGate(api_key=wrong, base_url=URL) as oak, pytest.raises(OakGateAuthError) as unknown:
        oak.validate("github", "read")
    assert unknown.value.error == "invalid_api_key"
    status, made = api("POST", "/api/v1/auth/api-keys", {"name": "to revoke", "agent_id": AGENT_ID})
    assert status == 201, made
    assert api("DELETE", f"/api/v1/auth/api-keys/{made['key_id']}")[0] == 204
    with OakGate(api_key=made["key"], base_url=URL) as oak, pytest.raises(OakGateAuthError) as revoked:
        with oak.guard("github", "read"):
            pass
    assert revoked.value.error == "api_key_revoked"
    for e, key in ((unknown.value, wrong), (revoked.value, made["key"])):
        secret = key.split(".")[1]
        for text in (str(e), repr(e), repr(vars(e)), repr(e.args), repr(e.__cause__), repr(e.__context__)):
            assert secret not in text, "a key secret leaked into the error"


def test_an_agent_over_its_rate_limit_gets_rate_limited_with_retry_after_and_no_retry() -> None:
    with OakGate(api_key=env("OAKGATE_LIMITED_KEY"), base_url=URL) as oak:
        # The bucket holds one request: this takes it (or finds it already taken).
        try:
            oak.validate("github", "read")
        except OakGateRateLimitedError:
            pass
        started = time.monotonic()
        with pytest.raises(OakGateRateLimitedError) as caught:
            with oak.guard("github", "read"):
                pass
        assert caught.value.retry_after >= 1
        assert caught.value.limit == 1
        assert time.monotonic() - started < caught.value.retry_after, "the client waited itself"


def test_the_async_client_guards_as_context_manager_and_decorator_and_both_decisions_are_logged() -> None:
    async def main() -> tuple[str | None, str | None]:
        async with AsyncOakGate(api_key=KEY, base_url=URL) as oak:
            async with oak.guard("github", "read", reasoning="async read", context={"n": 1}) as d:
                allowed_id = d.decision_id

            @oak.guard("github", "write", reasoning="async write")
            async def write() -> None:
                raise AssertionError("not reached")

            try:
                await write()
            except OakGateDeniedError as e:
                return allowed_id, e.decision_id
        raise AssertionError("the write was not denied")

    allowed_id, denied_id = asyncio.run(main())
    assert logged(allowed_id)["reasoning"] == "async read"
    row = logged(denied_id)
    assert (row["allowed"], row["reasoning"]) == (False, "async write")


def test_many_concurrent_async_validations_are_all_answered_and_recorded() -> None:
    async def main() -> list[oakgate.Decision]:
        async with AsyncOakGate(api_key=KEY, base_url=URL, max_connections=8) as oak:
            return list(
                await asyncio.gather(
                    *(oak.validate("github", "read", context={"i": i}) for i in range(32))
                )
            )

    decisions = asyncio.run(main())
    assert all(d.allowed for d in decisions)
    assert len({d.decision_id for d in decisions}) == 32


def test_healthcheck_and_the_module_level_configure_and_guard_work_against_the_gateway() -> None:
    oak = oakgate.configure(api_key=KEY, base_url=URL)
    try:
        assert oak.healthcheck() == HealthStatus(ok=True, status=200)
        assert oakgate.healthcheck().ok

        @oakgate.guard("github", "read")
        def read() -> str:
            return "ok"

        assert read() == "ok"
    finally:
        oak.close()


class WatchedOakGate(OakGate):
    """An OakGate that says when a guard starts to poll an approval (and which one)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.polled: list[str] = []
        self.polling = threading.Event()

    def get_approval(self, approval_id: str, *, wait_seconds: int = 0) -> Approval:
        self.polled.append(approval_id)
        self.polling.set()
        return super().get_approval(approval_id, wait_seconds=wait_seconds)


def asking_agent(name: str) -> tuple[str, str]:
    """An agent with the tool deploy:prod and one rule for it, effect ``ask``: its id and a
    key."""
    status, agent = api("POST", "/api/v1/agents", {"name": name})
    assert status == 201, agent
    agent_id = agent["id"]
    assert api("POST", f"/api/v1/agents/{agent_id}/tools", {"name": "deploy", "scopes": ["prod"]})[0] == 201
    status, rule = api(
        "POST", f"/api/v1/agents/{agent_id}/rules", {"tool": "deploy", "scope": "prod", "effect": "ask"}
    )
    assert status == 201 and rule["effect"] == "ask", rule
    status, made = api("POST", "/api/v1/auth/api-keys", {"name": f"{name} key", "agent_id": agent_id})
    assert status == 201, made
    return agent_id, str(made["key"])


class WaitingGuard:
    """``guard("deploy", "prod", wait_for_approval=60)`` of a new asking agent, in a thread,
    around a block that records its run; once it polls, ``approval_id`` is what it waits
    for. The thread's exception, if any, lands in ``errors``."""

    def __init__(self, agent_name: str, context: dict[str, Any]) -> None:
        _, key = asking_agent(agent_name)
        self.oak = WatchedOakGate(api_key=key, base_url=URL)
        self.runs: list[str] = []
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(context,))
        self._thread.start()
        assert self.oak.polling.wait(30), "the guard never started to wait"
        self.approval_id = self.oak.polled[0]

    def _run(self, context: dict[str, Any]) -> None:
        try:
            with self.oak.guard("deploy", "prod", context=context, wait_for_approval=60):
                self.runs.append("ran")
        except BaseException as e:  # handed to the test thread
            self.errors.append(e)

    def join(self) -> None:
        self._thread.join(60)
        assert not self._thread.is_alive(), "the guard still waits"


def test_an_ask_rule_raises_approval_pending_with_the_id_and_the_same_call_gets_the_same_approval() -> None:
    _, key = asking_agent("py-asks-once")
    with OakGate(api_key=key, base_url=URL) as oak:
        with pytest.raises(OakGateApprovalPendingError) as caught:
            with oak.guard("deploy", "prod", context={"sha": "aaa"}):
                pytest.fail("the block ran without an approval")
        e = caught.value
        assert isinstance(e, OakGateDeniedError)
        assert e.reason == "approval_pending" and e.approval_id and e.expires_at and e.rule_id
        again = oak.validate("deploy", "prod", context={"sha": "aaa"})
        assert again.pending and again.approval_id == e.approval_id
        assert oak.get_approval(e.approval_id).status == "pending"


def test_guard_waits_while_the_owner_approves_runs_once_and_the_approval_cannot_be_used_again() -> None:
    waiting = WaitingGuard("py-asks-and-waits", {"sha": "bbb"})
    oak, approval_id = waiting.oak, waiting.approval_id
    with oak:
        assert waiting.runs == [], "the block ran before anyone approved"
        status, approved = api("POST", f"/api/v1/approvals/{approval_id}/approve", {"comment": "go"})
        assert status == 200 and approved["status"] == "approved", approved
        waiting.join()
        assert waiting.errors == [] and waiting.runs == ["ran"], waiting.errors
        assert oak.get_approval(approval_id).status == "used"
        # A second use of the same approval is refused.
        with pytest.raises(OakGateDeniedError) as caught:
            with oak.guard("deploy", "prod", context={"sha": "bbb"}, approval_id=approval_id):
                waiting.runs.append("again")
        assert caught.value.reason == "approval_used"
        assert waiting.runs == ["ran"]
        assert api("POST", f"/api/v1/approvals/{approval_id}/approve", {})[0] == 409


def test_guard_waiting_for_approval_raises_approval_denied_when_the_owner_denies() -> None:
    waiting = WaitingGuard("py-asks-and-is-denied", {"sha": "ccc"})
    with waiting.oak:
        path = f"/api/v1/approvals/{waiting.approval_id}/deny"
        assert api("POST", path, {"comment": "not today"})[0] == 200
        waiting.join()
    assert waiting.runs == []
    assert len(waiting.errors) == 1 and isinstance(waiting.errors[0], OakGateDeniedError)
    e = waiting.errors[0]
    assert not isinstance(e, OakGateApprovalPendingError)
    assert (e.reason, e.approval_id) == ("approval_denied", waiting.approval_id)
    assert isinstance(e.approval, Approval) and e.approval.comment == "not today"


def test_the_async_guard_waits_for_approval_and_gives_up_with_approval_pending_when_time_runs_out() -> None:
    _, key = asking_agent("py-async-asks")

    async def main() -> None:
        async with AsyncOakGate(api_key=key, base_url=URL) as oak:
            started = time.monotonic()
            with pytest.raises(OakGateApprovalPendingError) as caught:
                async with oak.guard("deploy", "prod", context={"sha": "ddd"}, wait_for_approval=1.5):
                    pytest.fail("the block ran without an approval")
            assert time.monotonic() - started < 10
            approval_id = caught.value.approval_id
            assert (await oak.get_approval(approval_id)).status == "pending"
            assert api("POST", f"/api/v1/approvals/{approval_id}/approve", {})[0] == 200
            # Approved meanwhile: the same call brings the approval and is allowed once.
            async with oak.guard("deploy", "prod", context={"sha": "ddd"}, approval_id=approval_id) as d:
                assert d.allowed and d.approval_id == approval_id

    asyncio.run(main())
