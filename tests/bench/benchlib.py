"""The pure parts of tests/bench/run: reading wrk's BENCH line, /proc and /metrics, medians,
ratios, per-request costs, the tables and the results file. No process, socket or clock here,
so that tests/bench/test_run.py checks them directly."""

import re
import statistics

# Scenario names, in table order, and their titles in the tables.
TITLES = {
    "healthz": "GET /healthz",
    "introspect-access": "introspect: active access token",
    "introspect-apikey": "introspect: API key",
    "introspect-unknown": "introspect: unknown token (same one)",
    "introspect-unknown-fresh": "introspect: unknown token (new each request)",
    "validate": "POST /v1/validate (allowed)",
    "validate-conditions": "POST /v1/validate (10 rules, 3 conditions each, allowed)",
    "validate-denied": "POST /v1/validate (denied by a deny rule)",
    "validate-denied-webhook": "POST /v1/validate (denied, decision.denied subscribed: "
                               "receiver answers at once)",
    "validate-denied-slow-webhook": "POST /v1/validate (denied, decision.denied subscribed: "
                                    "receiver takes 5 s)",
    "client-credentials": "token: client_credentials",
    "refresh": "token: refresh_token (rotating)",
    "code-exchange": "token: authorization_code (a new code each request)",
}
ALL_SCENARIOS = list(TITLES)

# The counters of the gateway whose growth during a run is worth a note.
NOTE_METRICS = (
    "oakgate_refresh_reuse_detected_total",
    "oakgate_database_unavailable_total",
    "oakgate_db_errors_total",
    "oakgate_decision_batch_failures_total",
)


class ConfigError(ValueError):
    """A bad BENCH_* setting; the message names it."""


# ---------------------------------------------------------------------------------------
# Settings


def _positive(env, name, default):
    raw = env.get(name, default)
    if not re.fullmatch(r"[0-9]+", raw) or int(raw) <= 0:
        raise ConfigError(f"{name} must be a positive integer")
    return int(raw)


def _uint(env, name, default, what):
    raw = env.get(name, default)
    if not re.fullmatch(r"[0-9]+", raw):
        raise ConfigError(f"{name} must be {what}")
    return int(raw)


def _names(env, name, default, allow_healthz=False):
    """A list of scenario names; an empty (but set) variable is an empty list."""
    raw = env[name] if name in env else default
    names = raw.split()
    for s in names:
        if s not in TITLES or (s == "healthz" and not allow_healthz):
            raise ConfigError(f"unknown scenario '{s}' in {name}")
    return names


def parse_config(env, nproc):
    """The bench's settings from the environment (a dict), checked; raises ConfigError.

    wrk and the gateway each get half of the cores by default: when their busy threads
    outnumber the cores, the scheduler's time slices set the tail."""
    c = {}
    c["duration"] = _positive(env, "BENCH_DURATION", "10")
    c["threads"] = _positive(env, "BENCH_THREADS", str(max(nproc // 2, 1)))
    c["timeout"] = _positive(env, "BENCH_TIMEOUT", "5")
    c["rounds"] = _positive(env, "BENCH_ROUNDS", "3")
    c["pace_ms"] = _positive(env, "BENCH_PACE_MS", "2")
    t = c["threads"]
    pc = env.get("BENCH_PACED_CONNECTIONS", "32")
    if not re.fullmatch(r"[0-9]+", pc) or int(pc) <= 0 or int(pc) % t:
        raise ConfigError(f"BENCH_PACED_CONNECTIONS must be a multiple of BENCH_THREADS={t}")
    c["paced_connections"] = int(pc)
    c["paced"] = _names(env, "BENCH_PACED", "introspect-access introspect-apikey validate")
    c["shared"] = _names(env, "BENCH_SHARED", "introspect-access validate")
    sc = env.get("BENCH_SHARED_CONNECTIONS", "32")
    if c["shared"] and (not re.fullmatch(r"[0-9]+", sc) or int(sc) <= 0 or int(sc) % nproc):
        raise ConfigError(
            f"BENCH_SHARED_CONNECTIONS must be a multiple of the {nproc} cores "
            "(wrk's threads in those runs)")
    c["shared_connections"] = int(sc) if re.fullmatch(r"[0-9]+", sc) else 0
    c["soak"] = _uint(env, "BENCH_SOAK", "0", "a number of seconds")
    c["soak_interval"] = _positive(env, "BENCH_SOAK_INTERVAL", "30")
    c["soak_healthz_delay_ms"] = _uint(env, "BENCH_SOAK_HEALTHZ_DELAY_MS", "10",
                                       "a number of milliseconds")
    c["soak_mix"] = _names(env, "BENCH_SOAK_MIX",
                           "introspect-access introspect-apikey validate healthz",
                           allow_healthz=True)
    if not c["soak_mix"]:
        raise ConfigError("BENCH_SOAK_MIX names no scenario")
    soc = env.get("BENCH_SOAK_CONNECTIONS", "64")
    if not re.fullmatch(r"[0-9]+", soc) or int(soc) < len(c["soak_mix"]):
        raise ConfigError("BENCH_SOAK_CONNECTIONS must be at least one per scenario of the mix")
    c["soak_connections"] = int(soc)
    conns = []
    for word in env.get("BENCH_CONNECTIONS", "32 128").split():
        if not re.fullmatch(r"[0-9]+", word) or int(word) < t or int(word) % t:
            raise ConfigError(f"connection count {word} is not a multiple of BENCH_THREADS={t} "
                              "(wrk would drop the rest)")
        conns.append(int(word))
    if not conns:
        raise ConfigError("BENCH_CONNECTIONS names no connection count")
    c["connections"] = conns
    scenarios = ["healthz"]
    for s in env.get("BENCH_SCENARIOS", " ".join(ALL_SCENARIOS)).split():
        if s not in TITLES:
            raise ConfigError(f"unknown scenario '{s}' (known: {' '.join(ALL_SCENARIOS)})")
        if s not in scenarios:
            scenarios.append(s)
    c["scenarios"] = scenarios
    c["pg_stats"] = env.get("BENCH_PG_STATS", "1") == "1"
    c["pg_settle"] = _uint(env, "BENCH_PG_SETTLE", "11", "a number of seconds")
    c["statements_detail"] = _names(env, "BENCH_STATEMENTS_DETAIL", "refresh code-exchange")
    c["code_rate_guess"] = _positive(env, "BENCH_CODE_RATE", "3000")
    section = env.get("BENCH_SECTION", "")
    if section and not re.fullmatch(r"[A-Za-z0-9._-]+", section):
        raise ConfigError("BENCH_SECTION must be letters, digits, '.', '_' or '-'")
    c["section"] = section
    return c


def command_line(env, argv):
    """The command as the caller ran it: the BENCH_* and OAKGATE_* variables it set (none
    that could hold a secret), sorted, then tests/bench/run and its arguments."""
    words = []
    for name in sorted(env):
        if not re.fullmatch(r"(BENCH|OAKGATE)_[A-Z_]*", name):
            continue
        if re.search(r"SECRET|DATABASE_URL|_KEY$", name):
            continue
        words.append(f"{name}='{env[name]}'")
    words.append("tests/bench/run")
    words.extend(argv)
    return " ".join(words)


# ---------------------------------------------------------------------------------------
# Reading what wrk, /proc and /metrics say


def parse_bench_line(text):
    """The fields of the BENCH line that tests/bench/common.lua prints at the end of a wrk
    run, as strings; None when the output has no such line."""
    for line in text.splitlines():
        if line.startswith("BENCH "):
            out = {}
            for word in line.split()[1:]:
                name, sep, value = word.partition("=")
                if sep and name not in out:
                    out[name] = value
            return out
    return None


def num(fields, name, default=0.0):
    """A numeric field of a parsed BENCH line (default when absent or not a number)."""
    try:
        return float(fields.get(name, ""))
    except ValueError:
        return default


def parse_statuses(text):
    """'200:5,503:2' (or 'none') as {200: 5, 503: 2}."""
    out = {}
    for part in text.split(","):
        code, sep, n = part.partition(":")
        if sep and code.isdigit() and n.isdigit():
            out[int(code)] = out.get(int(code), 0) + int(n)
    return out


def proc_stat_ticks(stat_text):
    """(utime + stime, cutime + cstime) in clock ticks from a /proc/PID/stat line. The
    command name, in parentheses, may hold spaces and parentheses: fields count from the
    last ')'."""
    rest = stat_text[stat_text.rindex(")") + 2:].split()
    # rest[0] is field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
    return int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14])


def proc_stat_ppid(stat_text):
    return int(stat_text[stat_text.rindex(")") + 2:].split()[1])


def tcp_passive_opens(snmp_text):
    """Connections accepted so far by this network namespace (Tcp: PassiveOpens)."""
    header = None
    for line in snmp_text.splitlines():
        if not line.startswith("Tcp:"):
            continue
        words = line.split()
        if header is None:
            header = words
        else:
            return int(words[header.index("PassiveOpens")])
    return 0


def proc_status_field(status_text, name):
    """The first number of a line of /proc/PID/status ('VmRSS:  1234 kB' -> 1234)."""
    for line in status_text.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def metric_sum(text, name, label_text=""):
    """The sum of the samples of a Prometheus metric (every label set, or those whose
    labels contain label_text)."""
    total = 0.0
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if len(words) < 2:
            continue
        series = words[0]
        if series != name and not series.startswith(name + "{"):
            continue
        if label_text and label_text not in series:
            continue
        try:
            total += float(words[-1])
        except ValueError:
            pass
    return int(total)


def _buckets(text, route):
    prefix = f'oakgate_http_request_duration_seconds_bucket{{route="{route}",le="'
    out = []
    for line in text.splitlines():
        if line.startswith(prefix):
            le = line[len(prefix):].split('"', 1)[0]
            out.append((le, float(line.split()[-1])))
    return out


def histogram_count(before_text, after_text, route):
    """Requests the gateway answered on a route between two /metrics snapshots (its request
    histogram's +Inf bucket)."""
    before = dict(_buckets(before_text, route)).get("+Inf", 0)
    return int(dict(_buckets(after_text, route)).get("+Inf", 0) - before)


def histogram_p99(before_text, after_text, route):
    """The upper bound, in ms, of the bucket of the gateway's request histogram that holds
    the run's 99th percentile: 'inf' past the last bound, 0 when the run left no samples.
    That histogram runs from dispatch to the answer handed to the connection: no time in
    socket queues or in wrk, and no correction for coordinated omission."""
    before = dict(_buckets(before_text, route))
    after = _buckets(after_text, route)
    after_map = dict(after)
    total = after_map.get("+Inf", 0) - before.get("+Inf", 0)
    if total <= 0:
        return 0
    for le, count in after:
        if count - before.get(le, 0) >= 0.99 * total:
            return "inf" if le == "+Inf" else float(le) * 1000
    return 0


# ---------------------------------------------------------------------------------------
# Arithmetic


def median(values):
    """The middle value (the mean of the two middle ones for an even count); 0 for none."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else 0


def ratio(rps, healthz_rps):
    """Requests/s as a ratio to /healthz's of the same round (0 when that is unknown)."""
    return rps / healthz_rps if healthz_rps > 0 else 0.0


def cpu_us_per_request(ticks, requests, clk_tck):
    """Microseconds of CPU per request from clock ticks over a run."""
    return ticks * 1e6 / clk_tck / requests if requests > 0 else 0.0


def per_request(delta, requests):
    """A counter's growth over a run per request (None when it was not measured)."""
    if delta is None:
        return None
    return delta / requests if requests > 0 else 0.0


def refresh_pool_size(connections, threads):
    """Tokens (one family each) for each wrk thread: one per connection of the thread and
    a quarter more, at least 2, as spares for answers lost to errors."""
    per = connections // threads
    return per + max(per // 4, 2)


def code_pool_size(duration, rate, connections, threads):
    """Codes to mint for each wrk thread before a run of the code exchange: each is
    redeemed once, so the pool must outlast the run; half as much again as `rate`
    (requests/s: the best so far, or a guess) for `duration` seconds, and a code per
    connection."""
    total = int(duration * rate * 1.5) + connections
    return -(-total // threads)


def statements_delta(before, after):
    """pg_stat_statements' growth over a run: {queryid: (calls, query)} before and after
    to [(calls, query)], most called first."""
    out = []
    for qid, (calls, query) in after.items():
        d = calls - before.get(qid, (0, query))[0]
        if d > 0:
            out.append((d, query))
    out.sort(key=lambda cq: (-cq[0], cq[1]))
    return out


# ---------------------------------------------------------------------------------------
# Words and cells


def ms(us):
    return f"{us / 1000:.2f}"


def bound(p99):
    """How a histogram_p99 reads in the table."""
    if p99 == "inf":
        return "> 10000"
    if p99 and p99 > 0:
        return f"≤ {p99:g}"
    return "n/a"


def median_bound(values):
    """The median of histogram_p99 values, 'inf' counting as larger than any bound."""
    finite = [float("inf") if v == "inf" else v for v in values]
    m = median(finite)
    return "inf" if m == float("inf") else m


def describe_errors(fields):
    """'0', or the errors of a run with what they are made of (the pool counters of the
    refresh and code scripts are among the non-2xx answers already)."""
    total = 0
    parts = []
    for name in ("non2xx", "mismatch", "connect", "read", "write", "timeout", "pool_empty",
                 "retried"):
        v = int(num(fields, name))
        if v == 0:
            continue
        if name == "pool_empty":
            parts.append(f"sent without a token or code as the pool was empty {v}")
        elif name == "retried":
            parts.append(f"token kept for a retry after a 503 {v}")
        elif name == "non2xx":
            total += v
            parts.append(f"non-2xx {v} ({fields.get('statuses', '')})")
        elif name == "mismatch":
            total += v
            parts.append(f"wrong body {v}")
        else:
            total += v
            parts.append(f"{name} {v}")
    return f"{total} ({', '.join(parts)})" if parts else "0"


def errors_of(descriptions):
    """The errors of several rounds: '0', or each erring round's description."""
    out = [d for d in descriptions if d != "0"]
    return "; ".join(out) if out else "0"


def gateway_notes(log_text, before, after, statuses):
    """What the gateway said during a run: its warning and error log lines (the three most
    frequent messages), counters that grew, and 503 answers told apart (shed or database)."""
    notes = []
    msgs = {}
    n = 0
    for line in log_text.splitlines():
        if re.search(r'"level":"(warn|error|critical)"', line):
            n += 1
            m = re.search(r'"msg":"([^"]*)"', line)
            if m:
                msgs[m.group(1)] = msgs.get(m.group(1), 0) + 1
    if n:
        top = sorted(msgs.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        notes.append(f"{n} warning/error log lines: " + "; ".join(f"{c}× {m}" for m, c in top))
    for m in NOTE_METRICS:
        d = metric_sum(after, m) - metric_sum(before, m)
        if d:
            notes.append(f"{m} +{d}")
    s503 = parse_statuses(statuses).get(503, 0)
    if s503:
        d = (metric_sum(after, "oakgate_database_unavailable_total") -
             metric_sum(before, "oakgate_database_unavailable_total"))
        notes.append(f"503 answers {s503}, of which {s503 - d} shed (queue full), "
                     f"{d} database unavailable")
    return "; ".join(notes)


def fmt_per_request(value):
    return "n/a" if value is None else f"{value:.2f}"


# ---------------------------------------------------------------------------------------
# Tables


SATURATION_HEADER = (
    "| scenario | connections | requests/s | p50 ms | p99 ms | gateway's own p99 ms | errors "
    "| ratio to /healthz | gateway CPU µs/req | PostgreSQL CPU µs/req | commits/req "
    "| statements/req |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
PACED_HEADER = (
    "| scenario | connections | pause ms | requests/s | p50 ms | p99 ms | gateway's own p99 ms "
    "| errors |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")


def saturation_row(scenario, connections, runs):
    """A row of a saturation table: the medians over rounds. Each run is a dict with rps,
    p50_us, p99_us, gw_p99, errors (a description), ratio, gw_cpu_us, pg_cpu_us, commits
    and statements (per request, None when not measured)."""
    def med(key):
        return median([r[key] for r in runs])

    def med_opt(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return median(values) if values else None

    cells = [
        TITLES[scenario], str(connections), f"{med('rps'):.0f}", ms(med("p50_us")),
        ms(med("p99_us")), bound(median_bound([r["gw_p99"] for r in runs])),
        errors_of([r["errors"] for r in runs]), f"{med('ratio'):.3f}",
        f"{med('gw_cpu_us'):.0f}", f"{med('pg_cpu_us'):.0f}",
        fmt_per_request(med_opt("commits")), fmt_per_request(med_opt("statements")),
    ]
    return "| " + " | ".join(cells) + " |"


def paced_row(scenario, connections, pace_ms, runs):
    cells = [
        TITLES[scenario], str(connections), str(pace_ms),
        f"{median([r['rps'] for r in runs]):.0f}", ms(median([r["p50_us"] for r in runs])),
        ms(median([r["p99_us"] for r in runs])),
        bound(median_bound([r["gw_p99"] for r in runs])), errors_of([r["errors"] for r in runs]),
    ]
    return "| " + " | ".join(cells) + " |"


def soak_row(scenario, connections, fields):
    return (f"| {TITLES[scenario]} | {connections} | {num(fields, 'ok_rps'):.0f} "
            f"| {ms(num(fields, 'p50_us'))} | {ms(num(fields, 'p99_us'))} "
            f"| {describe_errors(fields)} |")


def statements_table(rows, requests, limit=12):
    """The most called statements of a run, per request: [(calls, query)] and the run's
    requests to a markdown table (query text shortened, pipes escaped)."""
    lines = ["| calls/req | statement |", "| ---: | --- |"]
    for calls, query in rows[:limit]:
        q = query if len(query) <= 140 else query[:137] + "..."
        q = q.replace("|", "\\|").replace("`", "'")
        lines.append(f"| {calls / requests if requests else 0:.2f} | `{q}` |")
    if len(rows) > limit:
        rest = sum(c for c, _ in rows[limit:])
        lines.append(f"| {rest / requests if requests else 0:.2f} | ({len(rows) - limit} more) |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# The results file

# The headings the runner writes: any other "## " heading, or an HTML comment that starts a
# marked section, belongs to another tool (sdk_guard, bluegreen_switch.py) and is kept.
OWN_HEADINGS = ("## At saturation", "## Latency below saturation", "## Soak:",
                "## What the gateway reported", "## Where the statements go")


def foreign_tail(text):
    """The part of a results file after the runner's own report: from the first heading or
    marked section that another tool wrote."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if i == 0:
            continue
        if line.startswith("<!-- ") or line.startswith("# ") or (
                line.startswith("## ") and not line.startswith(OWN_HEADINGS)):
            return "".join(lines[i:])
    return ""


def demote(report):
    """The report's headings one level down, to sit inside a section of the file."""
    return re.sub(r"(?m)^(#+) ", r"#\1 ", report)


def merge_results(old, report, section=""):
    """The new results file. Without a section, the report replaces the runner's previous
    one at the top and every section of other tools after it stays. With one, the report
    goes, headings demoted, between that section's markers: in place when the file has
    them, else at the end; the rest of the file stays as it was."""
    report = report.rstrip("\n") + "\n"
    if not section:
        tail = foreign_tail(old)
        return report + ("\n" + tail if tail else "")
    begin = f"<!-- tests/bench/run {section}: begin -->"
    end = f"<!-- tests/bench/run {section}: end -->"
    block = f"{begin}\n{demote(report)}{end}\n"
    i = old.find(begin)
    j = old.find(end, i) if i >= 0 else -1
    if i >= 0 and j >= 0:
        after = old[j + len(end):]
        return old[:i] + block + (after[1:] if after.startswith("\n") else after)
    sep = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    return old + sep + block
