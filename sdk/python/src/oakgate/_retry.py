"""Which failures are retried and how long to wait: pure functions, so that the policy is
tested without sockets or clocks."""

from __future__ import annotations

import random as _random
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable


@dataclass(frozen=True)
class BackoffPolicy:
    """Waits between retries: full jitter below a capped exponential ceiling, in seconds."""

    #: The first retry waits up to this long (before jitter).
    base: float = 0.1
    #: No single wait is longer than this, whatever the attempt number.
    cap: float = 2.0


DEFAULT_BACKOFF = BackoffPolicy()


def backoff_delay(
    retry: int,
    policy: BackoffPolicy = DEFAULT_BACKOFF,
    random: Callable[[], float] = _random.random,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before retry number ``retry`` (0 for the first retry).

    "Full jitter": a uniform draw in [0, min(cap, base * 2**retry)), so that clients that
    failed together do not retry together. A ``Retry-After`` from the gateway is a floor:
    the client never comes back sooner than it was asked to.
    """
    ceiling = min(policy.cap, policy.base * 2.0**retry)
    jittered = random() * ceiling
    floor = retry_after if retry_after is not None else 0.0
    return max(floor, jittered)


def is_retryable_status(status: int, retry_after: float | None) -> bool:
    """Only a 503 that says when to come back is retried: the gateway's "temporarily
    unavailable" (CONTRACT §4, §8). Every other status is an answer: a deny, a 4xx and a 429
    are the caller's to handle, never repeated behind its back."""
    return status == 503 and retry_after is not None


_DELTA_SECONDS = re.compile(r"^\d+$")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` (RFC 9110 §10.2.3) as seconds: delta-seconds or an HTTP date; None
    when absent or malformed."""
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.match(text):
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    seconds = (when - now).total_seconds()
    return float(max(0, -int(-seconds // 1)))  # ceil, never negative
