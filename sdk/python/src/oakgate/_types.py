"""The answers of POST /v1/validate (CONTRACT §6 and §10), as typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

ReasoningLevel = Literal["none", "soft", "hard"]

#: The reasons of a denial the gateway gives today (others may come: ``reason`` is a str).
DENY_REASONS = (
    "no_rule",
    "unknown_tool",
    "unknown_scope",
    "reasoning_required",
    "agent_disabled",
    "key_scope",
    "denied_by_rule",
    "approval_denied",
    "approval_used",
    "approval_expired",
    "approval_mismatch",
)


@dataclass(frozen=True)
class FailedCondition:
    """The first condition that failed of the most specific rule that did not decide."""

    rule_id: str
    field: str
    op: str


@dataclass(frozen=True)
class Decision:
    """What the gateway decided: allowed, denied, or pending a human's approval.

    ``validate()`` returns one for allowed and denied alike; ``raw`` is the whole answer,
    including fields newer gateways add.
    """

    allowed: bool
    tool: str
    scope: str
    #: The recorded decision's id (every answer of /v1/validate but a 429 has one).
    decision_id: str | None = None
    rule_id: str | None = None
    agent_id: str | None = None
    #: Why it was denied: ``no_rule``, ``unknown_tool``, ... (None when allowed).
    reason: str | None = None
    reasoning_level: ReasoningLevel | None = None
    reasoning_required: bool = False
    reasoning_provided: bool = False
    #: With a ``soft`` rule and no reasoning: allowed, with this warning.
    warning: str | None = None
    failed_condition: FailedCondition | None = None
    #: An ``ask`` rule: a human must approve first (HTTP 202); ``approval_id`` names it.
    pending: bool = False
    approval_id: str | None = None
    expires_at: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(
        cls, answer: Mapping[str, Any], tool: str = "", scope: str = ""
    ) -> "Decision":
        """Builds a decision from an answer of /v1/validate (a JSON object with ``allowed``).

        ``tool`` and ``scope`` fill in for a gateway answer that does not repeat them (the
        202 of an ``ask`` rule)."""
        level = answer.get("reasoning_level")
        failed = answer.get("failed_condition")
        failed_condition = None
        if isinstance(failed, Mapping):
            failed_condition = FailedCondition(
                rule_id=_str(failed.get("rule_id")) or "",
                field=_str(failed.get("field")) or "",
                op=_str(failed.get("op")) or "",
            )
        return cls(
            allowed=answer.get("allowed") is True,
            tool=_str(answer.get("tool")) or tool,
            scope=_str(answer.get("scope")) or scope,
            decision_id=_str(answer.get("decision_id")),
            rule_id=_str(answer.get("rule_id")),
            agent_id=_str(answer.get("agent_id")),
            reason=_str(answer.get("reason")),
            reasoning_level=level if level in ("none", "soft", "hard") else None,
            reasoning_required=answer.get("reasoning_required") is True,
            reasoning_provided=answer.get("reasoning_provided") is True,
            warning=_str(answer.get("warning")),
            failed_condition=failed_condition,
            pending=answer.get("decision") == "pending",
            approval_id=_str(answer.get("approval_id")),
            expires_at=_str(answer.get("expires_at")),
            raw=dict(answer),
        )


@dataclass(frozen=True)
class Approval:
    """``GET /v1/approvals/{id}``: where a human's decision on an ``ask`` rule's call stands.

    ``status`` is ``pending``, ``approved``, ``denied``, ``expired`` or ``used``; ``raw`` is
    the whole answer."""

    id: str
    status: str
    #: The user who approved or denied it (None while pending, or when it expired).
    decided_by: str | None = None
    #: RFC 3339; None while pending.
    decided_at: str | None = None
    #: What the person who decided wrote, if anything.
    comment: str | None = None
    #: RFC 3339: a pending approval past this is ``expired``.
    expires_at: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, answer: Mapping[str, Any]) -> "Approval":
        return cls(
            id=_str(answer.get("id")) or "",
            status=_str(answer.get("status")) or "",
            decided_by=_str(answer.get("decided_by")),
            decided_at=_str(answer.get("decided_at")),
            comment=_str(answer.get("comment")),
            expires_at=_str(answer.get("expires_at")),
            raw=dict(answer),
        )


@dataclass(frozen=True)
class HealthStatus:
    """``GET /healthz``: ``ok`` when the gateway answered 200; ``status`` 0 when it could not
    be reached."""

    ok: bool
    status: int


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
