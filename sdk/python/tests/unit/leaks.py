"""Everything an error or a client shows, to check that the API key is in none of it."""

from __future__ import annotations

import pickle
import traceback
from typing import Any


def everything(obj: Any) -> str:
    """str, repr, attributes (recursively), args, the formatted traceback, the whole
    __cause__/__context__ chain and the pickled form of ``obj``."""
    parts: list[str] = []
    seen: set[int] = set()

    def walk(o: Any, depth: int) -> None:
        if depth > 6 or id(o) in seen:
            return
        seen.add(id(o))
        parts.append(repr(o))
        parts.append(str(o))
        if isinstance(o, BaseException):
            parts.append("".join(traceback.format_exception(o)))
            walk(o.args, depth + 1)
            walk(o.__cause__, depth + 1)
            walk(o.__context__, depth + 1)
        if isinstance(o, dict):
            for k, v in o.items():
                walk(k, depth + 1)
                walk(v, depth + 1)
        elif isinstance(o, (list, tuple, set)):
            for v in o:
                walk(v, depth + 1)
        attrs = getattr(o, "__dict__", None)
        if isinstance(attrs, dict):
            walk(attrs, depth + 1)
        for slot in getattr(type(o), "__slots__", ()):
            if hasattr(o, slot) and not slot.startswith("_"):
                walk(getattr(o, slot), depth + 1)

    walk(obj, 0)
    try:
        parts.append(repr(pickle.dumps(obj)))
    except Exception as e:  # an object that refuses pickling shows nothing that way
        parts.append(type(e).__name__)
    return "\n".join(parts)


def assert_no_secret(obj: Any, *secrets: str) -> None:
    text = everything(obj)
    for secret in secrets:
        assert secret not in text, f"a key secret leaked into {type(obj).__name__}: {text[:2000]}"
