#!/usr/bin/env python3
"""Checks that every package pinned by the project's npm lockfiles runs on Debian 12's Node.

Debian 12 ships nodejs 18.20.4; a package whose `engines.node` excludes it installs with a
warning and then fails at run time ("Playwright requires Node.js 20 or higher"). The machines
we develop on carry a newer Node, which hides this, so the lockfiles are checked against the
version Debian ships, not against the Node that happens to run this script.

    check_node_engines.py [--node 18.20.4] LOCKFILE...

Prints one line per package that excludes the version and exits 1 if there is any.
"""

import argparse
import json
import re
import sys

DEBIAN_12_NODE = "18.20.4"


def parse_version(text):
    """'18', '18.2', 'v18.2.1', '18.x' -> a (major, minor, patch) tuple; None for wildcards."""
    text = text.strip().lstrip("v=")
    parts = text.split(".")
    out = []
    for p in parts[:3]:
        if p in ("x", "X", "*", ""):
            break
        m = re.match(r"\d+", p)
        if not m:
            raise ValueError(f"not a version: {text!r}")
        out.append(int(m.group(0)))
    return tuple(out)


def pad(v, fill=0):
    return tuple(list(v) + [fill] * (3 - len(v)))


def comparator_holds(comp, version):
    """One comparator ('>=18', '^18.2', '~1.2', '1.x', '*') against a full version tuple."""
    comp = comp.strip()
    if comp in ("", "*", "x", "X"):
        return True
    m = re.match(r"^(>=|<=|>|<|\^|~|=)?\s*(.+)$", comp)
    op, rest = m.group(1) or "", m.group(2)
    v = parse_version(rest)
    if not v:
        return True
    lo = pad(v)
    if op == ">=":
        return version >= lo
    if op == ">":
        # '>18' means past every 18.x.y when only the major is given.
        return version > lo if len(v) == 3 else version[: len(v)] > v
    if op == "<":
        return version < lo
    if op == "<=":
        return version <= lo if len(v) == 3 else version[: len(v)] <= v
    if op == "^":
        # Caret: the left-most non-zero part stays fixed.
        idx = next((i for i, p in enumerate(v) if p != 0), len(v) - 1)
        upper = list(v[: idx + 1])
        upper[idx] += 1
        return lo <= version < pad(tuple(upper))
    if op == "~":
        upper = list(v[:2]) if len(v) >= 2 else list(v[:1])
        upper[-1] += 1
        return lo <= version < pad(tuple(upper))
    # '=' or bare: a partial version is a range over what it leaves out.
    return version[: len(v)] == v


def range_holds(spec, version):
    """A whole `engines.node` range: alternatives joined by '||', each a set of comparators."""
    for alternative in spec.split("||"):
        alternative = alternative.strip()
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", alternative)
        if hyphen:
            comps = [">=" + hyphen.group(1), "<=" + hyphen.group(2)]
        else:
            # '>= 18' has a space between operator and version: join them first.
            comps = re.findall(r"(?:>=|<=|>|<|\^|~|=)?\s*[^\s<>=^~]+", alternative) or ["*"]
        if all(comparator_holds(c, version) for c in comps):
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--node", default=DEBIAN_12_NODE)
    ap.add_argument("lockfiles", nargs="+")
    args = ap.parse_args()
    version = pad(parse_version(args.node))
    bad = []
    for path in args.lockfiles:
        with open(path, encoding="utf-8") as f:
            lock = json.load(f)
        for name, pkg in sorted(lock.get("packages", {}).items()):
            spec = (pkg.get("engines") or {}).get("node") if isinstance(pkg.get("engines"), dict) else None
            if not spec:
                continue
            try:
                ok = range_holds(spec, version)
            except ValueError:
                ok = False
            if not ok:
                bad.append(f"{path}: {name or '(root)'} {pkg.get('version', '')} needs node {spec}")
    for line in bad:
        print(line)
    if bad:
        print(f"{len(bad)} package(s) do not run on Node {args.node} (Debian 12's nodejs)")
        return 1
    print(f"every locked package of {len(args.lockfiles)} lockfile(s) runs on Node {args.node}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
