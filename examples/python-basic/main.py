"""Validate and guard an agent's tool calls with oakgate, in Python.

    python3 -m venv --system-site-packages .venv && .venv/bin/pip install oakgate-0.1.0-py3-none-any.whl
    OAKGATE_URL=http://127.0.0.1:4000 OAKGATE_API_KEY=pk_... .venv/bin/python main.py

The agent needs a tool ``github`` with scopes ``read`` and ``write`` and a rule for
github:read only (docs/getting-started.md sets that up): the reads are allowed, the writes
denied. Each step prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os

from oakgate import AsyncOakGate, OakGate, OakGateDeniedError, OakGateRateLimitedError


def show(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


def main() -> None:
    with OakGate(
        api_key=os.environ.get("OAKGATE_API_KEY"),
        base_url=os.environ.get("OAKGATE_URL", "http://127.0.0.1:4000"),
    ) as oak:
        # validate(): ask, and decide yourself. Allowed and denied both come back as a Decision.
        decision = oak.validate(
            "github",
            "read",
            reasoning="The user asked for a summary of the open issues",
            context={"repo": "acme/widgets"},
        )
        show(step="validate", allowed=decision.allowed, decision_id=decision.decision_id)

        # guard() as a context manager: the block runs only when oakgate allows the call.
        with oak.guard(
            "github", "read", reasoning="List open issues to summarise them", context={"repo": "acme/widgets"}
        ):
            issues = ["#12 crash on start", "#15 typo in README"]
        show(step="guard read", result=issues)

        # guard() as a decorator: every call of the function is validated first.
        @oak.guard("github", "write", reasoning="Close the duplicate issue", context={"issue": 15})
        def close_issue(number: int) -> None:
            raise AssertionError("not reached: oakgate denies github:write")

        try:
            close_issue(15)
        except OakGateDeniedError as e:
            # Tell the model why, so it can ask the user or try something else.
            show(step="guard write", denied=True, reason=e.reason, rule_id=e.rule_id, decision_id=e.decision_id)
        except OakGateRateLimitedError as e:
            show(step="guard write", rate_limited=True, retry_after=e.retry_after)


async def main_async() -> None:
    # The same with asyncio: AsyncOakGate, `async with` and decorated coroutines.
    async with AsyncOakGate(base_url=os.environ.get("OAKGATE_URL")) as oak:  # key from OAKGATE_API_KEY

        @oak.guard("github", "read", reasoning="Count the open issues")
        async def count_issues() -> int:
            return 2

        show(step="async guard read", result=await count_issues())
        try:
            async with oak.guard("github", "write", reasoning="Label the issue"):
                raise AssertionError("not reached: oakgate denies github:write")
        except OakGateDeniedError as e:
            show(step="async guard write", denied=True, reason=e.reason, decision_id=e.decision_id)


if __name__ == "__main__":
    main()
    asyncio.run(main_async())
