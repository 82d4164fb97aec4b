"""Human approval (an ``ask`` rule, CONTRACT §10) against the fake gateway, for OakGate and
AsyncOakGate: without a wait the guard raises OakGateApprovalPendingError; with
``wait_for_approval`` it long-polls ``GET /v1/approvals/{id}`` and validates again with the
approval once approved; and every way the wait can end."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import oakgate
from oakgate import (
    Approval,
    AsyncOakGate,
    OakGate,
    OakGateApiError,
    OakGateApprovalPendingError,
    OakGateDeniedError,
    OakGateError,
)
from oakgate._core import ApprovalWait

from fake_gateway import Recorded, fake_gateway, held_approval, json_answer
from test_client import KEY

APPROVAL = "0b8e5c9a-3f1d-4c2e-9a7b-5d6e7f8a9b0c"
PENDING = {
    "allowed": False,
    "decision": "pending",
    "approval_id": APPROVAL,
    "decision_id": "dec_p",
    "rule_id": "rule_ask",
    "expires_at": "2030-01-01T00:00:00Z",
}
ALLOWED_WITH_APPROVAL = {
    "allowed": True,
    "decision_id": "dec_ok",
    "rule_id": "rule_ask",
    "agent_id": "agt",
    "tool": "deploy",
    "scope": "prod",
    "approval_id": APPROVAL,
}


def approval(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": APPROVAL,
        "status": status,
        "decided_by": None if status == "pending" else "usr_1",
        "decided_at": None,
        "comment": None,
        "expires_at": "2030-01-01T00:00:00Z",
        **extra,
    }


def wait_of(r: Recorded) -> int:
    _, _, query = r.path.partition("?wait=")
    return int(query or 0)


def test_guard_without_a_wait_raises_approval_pending_with_the_id_and_skips_the_block() -> None:
    with fake_gateway([json_answer(202, PENDING)]) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        ran = False
        with pytest.raises(OakGateApprovalPendingError) as caught:
            with oak.guard("deploy", "prod"):
                ran = True
        assert not ran
        e = caught.value
        # Code that stops on a denial stops on a pending approval too.
        assert isinstance(e, OakGateDeniedError) and isinstance(e, OakGateError)
        assert (e.reason, e.approval_id, e.expires_at) == (
            "approval_pending",
            APPROVAL,
            "2030-01-01T00:00:00Z",
        )
        assert (e.rule_id, e.decision_id, e.tool, e.scope) == ("rule_ask", "dec_p", "deploy", "prod")
        assert APPROVAL in str(e)
        assert len(gw.requests) == 1, "the guard waited although it was not told to"


def test_guard_waits_until_approved_validates_again_with_the_approval_and_runs_once() -> None:
    script = [
        json_answer(202, PENDING),
        held_approval(approval("pending")),
        held_approval(approval("approved")),
        json_answer(200, ALLOWED_WITH_APPROVAL),
    ]
    with fake_gateway(script) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        runs: list[str | None] = []

        @oak.guard("deploy", "prod", reasoning="ship the fix", context={"sha": "abc"}, wait_for_approval=2.5)
        def deploy() -> str:
            runs.append("deploy")
            return "deployed"

        assert deploy() == "deployed"
        assert runs == ["deploy"]
        assert [(r.method, r.path.split("?")[0]) for r in gw.requests] == [
            ("POST", "/v1/validate"),
            ("GET", f"/v1/approvals/{APPROVAL}"),
            ("GET", f"/v1/approvals/{APPROVAL}"),
            ("POST", "/v1/validate"),
        ]
        for poll in gw.requests[1:3]:
            assert 0 <= wait_of(poll) <= 2, poll.path
            assert poll.headers["x-api-key"] == KEY
        assert gw.requests[3].body == {
            "tool": "deploy",
            "scope": "prod",
            "reasoning": "ship the fix",
            "context": {"sha": "abc"},
            "approval_id": APPROVAL,
        }


@pytest.mark.parametrize("status", ["denied", "expired", "used"])
def test_a_denied_expired_or_used_approval_ends_the_wait_with_that_reason(status: str) -> None:
    script = [json_answer(202, PENDING), held_approval(approval(status, comment="not on a Friday"))]
    with fake_gateway(script) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        with pytest.raises(OakGateDeniedError) as caught:
            with oak.guard("deploy", "prod", wait_for_approval=5):
                pytest.fail("the block ran")
        e = caught.value
        assert not isinstance(e, OakGateApprovalPendingError)
        assert (e.reason, e.approval_id) == (f"approval_{status}", APPROVAL)
        assert isinstance(e.approval, Approval)
        assert e.approval.comment == "not on a Friday"
        assert len(gw.requests) == 2, "validated again after a refusal"


def test_an_approval_the_gateway_refuses_on_the_second_validate_is_a_denial() -> None:
    used = {
        "allowed": False,
        "reason": "approval_used",
        "approval_id": APPROVAL,
        "decision_id": "dec_u",
        "agent_id": "agt",
        "tool": "deploy",
        "scope": "prod",
    }
    script = [json_answer(202, PENDING), held_approval(approval("approved")), json_answer(200, used)]
    with fake_gateway(script) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        with pytest.raises(OakGateDeniedError) as caught:
            oak.guard("deploy", "prod", wait_for_approval=5).check()
        assert (caught.value.reason, caught.value.approval_id, caught.value.decision_id) == (
            "approval_used",
            APPROVAL,
            "dec_u",
        )


def test_a_wait_that_runs_out_raises_approval_pending_within_the_budget_without_busy_polling() -> None:
    script = [json_answer(202, PENDING), held_approval(approval("pending"))]
    with fake_gateway(script) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        started = time.monotonic()
        with pytest.raises(OakGateApprovalPendingError) as caught:
            oak.guard("deploy", "prod", wait_for_approval=1.5).check()
        took = time.monotonic() - started
        assert 1.0 <= took < 3.0, took
        assert caught.value.approval_id == APPROVAL
        assert caught.value.approval is not None and caught.value.approval.status == "pending"
        assert len(gw.requests) <= 4, f"{len(gw.requests)} requests"


def test_a_bad_wait_for_approval_is_refused_before_anything_is_sent() -> None:
    with fake_gateway([json_answer(202, PENDING)]) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        for bad in (0, -1, float("nan"), float("inf"), True, "10"):
            with pytest.raises(OakGateError, match="wait_for_approval"):
                oak.guard("deploy", "prod", wait_for_approval=bad)  # type: ignore[arg-type]
        assert gw.requests == []


def test_get_approval_escapes_the_id_sends_the_key_and_returns_the_approval() -> None:
    answer = json_answer(200, approval("approved", comment="ok"))
    with fake_gateway([answer]) as gw, OakGate(api_key=KEY, base_url=gw.url) as oak:
        a = oak.get_approval("a/../b?c")
        assert (a.status, a.comment, a.decided_by) == ("approved", "ok", "usr_1")
        assert (gw.requests[0].method, gw.requests[0].path) == ("GET", "/v1/approvals/a%2F..%2Fb%3Fc")
        assert gw.requests[0].headers["x-api-key"] == KEY


def test_get_approval_refuses_a_wait_outside_0_to_30_whole_seconds_without_a_request() -> None:
    with fake_gateway([json_answer(200, approval("pending"))]) as gw:
        with OakGate(api_key=KEY, base_url=gw.url) as oak:
            for bad in (31, -1, 1.5, True):
                with pytest.raises(OakGateError, match="wait_seconds"):
                    oak.get_approval(APPROVAL, wait_seconds=bad)  # type: ignore[arg-type]
            with pytest.raises(OakGateError, match="approval_id"):
                oak.get_approval("")
        assert gw.requests == []


def test_a_long_poll_may_take_its_hold_on_top_of_the_client_timeout() -> None:
    with fake_gateway([held_approval(approval("pending"))]) as gw:
        with OakGate(api_key=KEY, base_url=gw.url, timeout=0.5) as oak:
            assert oak.get_approval(APPROVAL, wait_seconds=1).status == "pending"
        assert gw.requests[0].path == f"/v1/approvals/{APPROVAL}?wait=1"


def test_get_approval_of_an_unknown_approval_raises_api_error_404() -> None:
    with fake_gateway([json_answer(404, {"error": "not_found"})]) as gw:
        with OakGate(api_key=KEY, base_url=gw.url) as oak, pytest.raises(OakGateApiError) as caught:
            oak.get_approval(APPROVAL)
        assert (caught.value.status, caught.value.error) == (404, "not_found")


def test_the_wait_is_split_into_rounds_of_at_most_30_s_that_end_at_the_deadline() -> None:
    now = [1000.0]
    wait = ApprovalWait(75.5, clock=lambda: now[0])
    rounds = []
    while (seconds := wait.next_round()) is not None:
        rounds.append(seconds)
        now[0] += seconds
    assert rounds == [30, 30, 15, 0]
    assert ApprovalWait(0, clock=lambda: now[0]).next_round() is None


def test_the_module_level_guard_waits_for_approval_on_the_shared_client() -> None:
    script = [
        json_answer(202, PENDING),
        held_approval(approval("approved")),
        json_answer(200, ALLOWED_WITH_APPROVAL),
    ]
    with fake_gateway(script) as gw:
        shared = oakgate.configure(api_key=KEY, base_url=gw.url)
        try:
            with oakgate.guard("deploy", "prod", wait_for_approval=5) as decision:
                assert decision.approval_id == APPROVAL
        finally:
            shared.close()
        assert len(gw.requests) == 3


def test_async_guard_waits_until_approved_and_raises_pending_without_a_wait() -> None:
    script = [
        json_answer(202, PENDING),
        held_approval(approval("approved")),
        json_answer(200, ALLOWED_WITH_APPROVAL),
        json_answer(202, PENDING),
        held_approval(approval("pending")),
    ]
    with fake_gateway(script) as gw:

        async def main() -> None:
            async with AsyncOakGate(api_key=KEY, base_url=gw.url) as oak:
                runs: list[str] = []

                @oak.guard("deploy", "prod", wait_for_approval=5)
                async def deploy() -> None:
                    runs.append("deploy")

                await deploy()
                assert runs == ["deploy"]
                with pytest.raises(OakGateApprovalPendingError) as caught:
                    async with oak.guard("deploy", "prod"):
                        runs.append("again")
                assert caught.value.approval_id == APPROVAL
                assert runs == ["deploy"]
                a = await oak.get_approval(APPROVAL)
                assert a.status == "pending"

        asyncio.run(main())
        assert gw.requests[2].body["approval_id"] == APPROVAL
        assert [r.method for r in gw.requests] == ["POST", "GET", "POST", "POST", "GET"]
