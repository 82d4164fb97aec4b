"""Runs examples/python-basic as a user would: from the scratch virtualenv into which
scripts/sdk-python installed the built wheel, outside the repository, against the gateway
that tests/e2e/python_sdk_test.cpp started and seeded. Environment:

  OAKGATE_PY_SCRATCH    the scratch project (venv/, python-basic/) of scripts/sdk-python
  OAKGATE_URL, OAKGATE_API_KEY  the gateway and a key of an agent with tool github (read,
                        write) and a rule for github:read only
  OAKGATE_AGENT_ID, OAKGATE_ACCESS_TOKEN  to read the decisions back
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: tests/e2e/python_sdk_test.cpp sets it")
    return value


SCRATCH = Path(env("OAKGATE_PY_SCRATCH")).resolve()
REPO = Path(__file__).resolve().parents[3]
PYTHON = SCRATCH / "venv" / "bin" / "python"


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: nothing that points into the repository."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, **extra}


def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYTHON), *args],
        cwd=SCRATCH,
        env=user_env(**extra),
        capture_output=True,
        text=True,
        timeout=60,
    )


def decisions() -> dict[str, dict[str, Any]]:
    req = urllib.request.Request(
        f"{env('OAKGATE_URL')}/api/v1/decisions?agent_id={env('OAKGATE_AGENT_ID')}&limit=100",
        headers={"Authorization": f"Bearer {env('OAKGATE_ACCESS_TOKEN')}"},
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        return {d["id"]: d for d in json.load(res)["data"]}


def test_the_scratch_project_is_outside_the_repository_and_uses_the_installed_wheel() -> None:
    assert REPO not in SCRATCH.parents and SCRATCH != REPO
    r = run("-c", "import oakgate; print(oakgate.__file__)")
    assert r.returncode == 0, r.stderr
    where = Path(r.stdout.strip()).resolve()
    assert SCRATCH / "venv" in where.parents, f"oakgate imported from {where}"
    assert (where.parent / "py.typed").exists()


def test_python_basic_allows_github_read_and_denies_github_write_and_the_decisions_are_logged() -> None:
    r = run("python-basic/main.py", OAKGATE_URL=env("OAKGATE_URL"), OAKGATE_API_KEY=env("OAKGATE_API_KEY"))
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    steps = {line["step"]: line for line in lines}
    assert list(steps) == ["validate", "guard read", "guard write", "async guard read", "async guard write"]
    assert steps["validate"]["allowed"] is True
    assert steps["guard read"]["result"] == ["#12 crash on start", "#15 typo in README"]
    write = steps["guard write"]
    assert (write["denied"], write["reason"]) == (True, "no_rule")
    assert steps["async guard read"]["result"] == 2
    assert steps["async guard write"]["reason"] == "no_rule"
    logged = decisions()
    validated = logged[steps["validate"]["decision_id"]]
    assert validated["allowed"] is True
    assert validated["reasoning"] == "The user asked for a summary of the open issues"
    assert validated["context"] == {"repo": "acme/widgets"}
    denied = logged[write["decision_id"]]
    assert (denied["allowed"], denied["reason"], denied["context"]) == (False, "no_rule", {"issue": 15})
    assert logged[steps["async guard write"]["decision_id"]]["allowed"] is False


def test_python_basic_without_a_key_fails_with_a_clear_message() -> None:
    r = run("python-basic/main.py", OAKGATE_URL=env("OAKGATE_URL"))
    assert r.returncode != 0
    assert "OakGate needs an api_key (or OAKGATE_API_KEY)" in r.stderr
