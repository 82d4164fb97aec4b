#!/usr/bin/python3
"""Requests/s through Nginx before, during and after a blue/green switch, and how long each
switch takes (scripts/bluegreen --no-systemd, no Nginx reload).

Sets up its own private PostgreSQL (scripts/pg-cluster, fsync on), an Nginx of its own
(`scripts/bluegreen nginx-config DIR --standalone`, Debian's nginx) and both colours as plain
processes, all on free loopback ports, and stops them on exit. The load: BENCH_CONNECTIONS
keep-alive connections to Nginx, back to back, never retrying, each going round
client_credentials token -> introspect that token -> GET /web/login -> the metadata document
(as the e2e test does), spread over processes so that Python's GIL does not set the pace.
Then `switch`, `switch`, `rollback`, each with BENCH_WINDOW seconds of load before and after.

Every failure a client that does not retry would see is counted (no answer, a connect error,
an unexpected status). Figures go to stdout as markdown, and into BENCH_RESULTS (the
"Blue/green switch" section of tests/bench/results.md, replaced in place).

  tests/bench/bluegreen_switch.py
  OAKGATE_BIN=build-release/oakgate BENCH_CONNECTIONS=32 tests/bench/bluegreen_switch.py

Environment (defaults in brackets): OAKGATE_BIN [build-release/oakgate, else build/oakgate],
BENCH_CONNECTIONS [16], BENCH_PROCESSES [4], BENCH_WINDOW seconds [5], BENCH_RESULTS
[tests/bench/results.md], BENCH_NOTE (a line for the results), OAKGATE_THREADS [1] and
OAKGATE_DB_POOL [4] for each colour.
Exit status: 0 when every switch succeeded (failed requests are reported, not fatal); 1 when
setup or a switch failed.
"""

import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
MARK_BEGIN = "<!-- bluegreen_switch.py: begin -->"
MARK_END = "<!-- bluegreen_switch.py: end -->"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, env=None, check=True, input_text=None):
    r = subprocess.run(args, env=env, input=input_text, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


# ---------------------------------------------------------------- the load


def client_loop(port, auth, stop, out):
    """One connection's worth of load until stop is set; appends (t, ok, what)."""
    conn = None
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth}

    def send(method, path, body=None, hdrs=None, expect=200):
        nonlocal conn
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=hdrs or {})
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            conn = None
            out.append((time.time(), False, f"{method} {path}: {type(e).__name__}"))
            return None
        if resp.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = None
        if resp.status != expect:
            out.append((time.time(), False, f"{method} {path}: {resp.status}"))
            return None
        out.append((time.time(), True, resp.getheader("X-Oakgate-Colour", "nginx")))
        return data

    while not stop.is_set():
        token = send("POST", "/oauth/token", "grant_type=client_credentials", headers)
        if token is not None:
            access = json.loads(token)["access_token"]
            info = send("POST", "/oauth/introspect", "token=" + urllib.parse.quote(access), headers)
            if info is not None and b'"active":true' not in info:
                out.append((time.time(), False, "introspect: not active"))
        send("GET", "/web/login")
        send("GET", "/.well-known/oauth-authorization-server")


def load_process(port, auth, threads, stop, queue):
    results = [[] for _ in range(threads)]
    ts = [threading.Thread(target=client_loop, args=(port, auth, stop, results[i]))
          for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    queue.put([x for r in results for x in r])


# ---------------------------------------------------------------- setup


class Setup:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="oakgate-bench-bluegreen.", dir="/tmp")
        os.chmod(self.dir, 0o755)
        bins = [os.environ.get("OAKGATE_BIN", ""), f"{ROOT}/build-release/oakgate",
                f"{ROOT}/build/oakgate"]
        self.bin = next((b for b in bins if b and os.access(b, os.X_OK)), None)
        if not self.bin:
            sys.exit("bench: no oakgate binary (set OAKGATE_BIN or build one)")
        self.pg_dir, self.pg_port = f"{self.dir}/pg", free_port()
        self.nginx_port, self.ops_port = free_port(), free_port()
        self.blue_port, self.green_port = free_port(), free_port()
        self.nginx = None
        self.env = dict(os.environ)
        self.env.update({
            "OAKGATE_BLUE_ADDR": f"127.0.0.1:{self.blue_port}",
            "OAKGATE_GREEN_ADDR": f"127.0.0.1:{self.green_port}",
            "OAKGATE_NGINX_LISTEN": f"127.0.0.1:{self.nginx_port}",
            "OAKGATE_NGINX_OPS_LISTEN": f"127.0.0.1:{self.ops_port}",
            "OAKGATE_NGINX_URL": f"http://127.0.0.1:{self.ops_port}",
            "OAKGATE_LIVE_FILE": f"{self.dir}/live-colour",
            "OAKGATE_ENV_DIR": f"{self.dir}/env",
            "OAKGATE_RUN_DIR": f"{self.dir}/run",
            "OAKGATE_BIN": self.bin,
        })

    def script(self, *args, check=True):
        return run([f"{ROOT}/scripts/bluegreen", *args], env=self.env, check=check)

    def start(self):
        run([f"{ROOT}/scripts/pg-cluster", "start", self.pg_dir, str(self.pg_port)])
        url = run([f"{ROOT}/scripts/pg-cluster", "url", self.pg_dir, str(self.pg_port),
                   "postgres"]).stdout.strip()
        os.makedirs(f"{self.dir}/env")
        with open(f"{self.dir}/env/common.env", "w") as f:
            f.write(f"OAKGATE_DATABASE_URL={url}\nOAKGATE_SECRET={SECRET}\n"
                    f"OAKGATE_ISSUER=http://127.0.0.1:{self.nginx_port}\n"
                    f"OAKGATE_TEMPLATES_DIR={ROOT}/templates\n"
                    f"OAKGATE_THREADS={os.environ.get('OAKGATE_THREADS', '1')}\n"
                    f"OAKGATE_DB_POOL={os.environ.get('OAKGATE_DB_POOL', '4')}\n"
                    "OAKGATE_TRUSTED_PROXIES=127.0.0.1\nOAKGATE_LOG_LEVEL=warn\n")
        for c in ("blue", "green"):
            open(f"{self.dir}/env/{c}.env", "w").close()
        self.cli_env = dict(os.environ, OAKGATE_DATABASE_URL=url, OAKGATE_SECRET=SECRET)
        run([self.bin, "migrate"], env=self.cli_env)
        rs = json.loads(run([self.bin, "client", "create", "--id", "bench-rs", "--name",
                             "Bench resource server", "--confidential", "--introspect",
                             "--grant-types", "client_credentials"], env=self.cli_env).stdout)
        import base64
        self.auth = "Basic " + base64.b64encode(
            f"bench-rs:{rs['client_secret']}".encode()).decode()
        self.script("nginx-config", f"{self.dir}/nginx", "--standalone")
        self.script("--no-systemd", "start", "blue")
        prefix = f"{self.dir}/nginx"
        self.nginx = subprocess.Popen(["/usr/sbin/nginx", "-p", prefix, "-c",
                                       f"{prefix}/nginx.conf", "-g", "daemon off;"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.nginx_port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        sys.exit("bench: nginx did not answer")

    def stop(self):
        for c in ("blue", "green"):
            self.script("--no-systemd", "stop", c, check=False)
        if self.nginx:
            self.nginx.send_signal(signal.SIGTERM)
            self.nginx.wait(30)
        run([f"{ROOT}/scripts/pg-cluster", "stop", self.pg_dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- figures


def rate(events, start, end):
    n = sum(1 for t, ok, _ in events if ok and start <= t < end)
    return n / (end - start) if end > start else 0.0


def lowest_rate(events, start, end, step=0.25):
    """The lowest requests/s over step-long slices of [start, end)."""
    lows = []
    t = start
    while t + step <= end:
        lows.append(rate(events, t, t + step))
        t += step
    return min(lows) if lows else rate(events, start, end)


def main():
    connections = int(os.environ.get("BENCH_CONNECTIONS", "16"))
    processes = int(os.environ.get("BENCH_PROCESSES", "4"))
    window = float(os.environ.get("BENCH_WINDOW", "5"))
    results_path = os.environ.get("BENCH_RESULTS", f"{ROOT}/tests/bench/results.md")
    if connections % processes:
        sys.exit("bench: BENCH_CONNECTIONS must be a multiple of BENCH_PROCESSES")
    setup = Setup()
    try:
        setup.start()
        commands = ["switch", "switch", "rollback"]
        warmup = 3.0
        started = time.time()
        stop = multiprocessing.Event()
        queue = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=load_process,
                                         args=(setup.nginx_port, setup.auth,
                                               connections // processes, stop, queue))
                 for _ in range(processes)]
        for p in procs:
            p.start()
        time.sleep(warmup + window)
        switches = []
        for command in commands:
            t0 = time.time()
            r = setup.script("--no-systemd", command, check=False)
            t1 = time.time()
            took = re.search(r"the switch took ([0-9.]+) s", r.stderr)
            switches.append({"command": command, "start": t0, "end": t1, "rc": r.returncode,
                             "took": float(took.group(1)) if took else t1 - t0,
                             "output": r.stderr})
            if r.returncode != 0:
                break
            time.sleep(window)
        end_of_load = time.time()
        stop.set()
        events = []
        for _ in procs:
            events.extend(queue.get())
        for p in procs:
            p.join()
        # Only what is before end_of_load counts.
        events = [e for e in events if e[0] < end_of_load]
    finally:
        setup.stop()

    failures = [e for e in events if not e[1]]
    colours = {}
    for _, ok, what in events:
        if ok:
            colours[what] = colours.get(what, 0) + 1
    load = os.getloadavg()
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    lines = [
        MARK_BEGIN,
        "## Blue/green switch under load (`tests/bench/bluegreen_switch.py`)",
        "",
    ]
    if os.environ.get("BENCH_NOTE"):
        lines += [f"**{os.environ['BENCH_NOTE']}**", ""]
    lines += [
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; commit {head}; "
        f"binary {setup.bin}",
        f"- {connections} keep-alive connections to Nginx from {processes} Python processes, "
        "back to back, never retrying: client_credentials token, introspect it, GET "
        "/web/login, the metadata document; both colours with "
        f"OAKGATE_THREADS={os.environ.get('OAKGATE_THREADS', '1')}, "
        f"OAKGATE_DB_POOL={os.environ.get('OAKGATE_DB_POOL', '4')}; private PostgreSQL "
        "(fsync on); Nginx 1.22 with 2 workers; all on the same machine",
        f"- load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"- before / after: the {window:g} s before the command and the {window:g} s after it "
        "returned; during: while it ran (the new colour starting, Nginx confirming it, the old "
        "colour draining); lowest: the lowest rate over 250 ms slices while it ran",
        f"- command: `{' '.join(f'{k}={v}' for k, v in os.environ.items() if k.startswith('BENCH_'))}"
        f"{' ' if any(k.startswith('BENCH_') for k in os.environ) else ''}"
        "tests/bench/bluegreen_switch.py`",
        "",
        "| command | switch took | requests/s before | during | lowest | after | during / before |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in switches:
        before = rate(events, s["start"] - window, s["start"])
        during = rate(events, s["start"], s["end"])
        lowest = lowest_rate(events, s["start"], s["end"])
        after = rate(events, s["end"], min(s["end"] + window, end_of_load))
        lines.append(f"| {s['command']}{'' if s['rc'] == 0 else ' (FAILED)'} | {s['took']:.2f} s "
                     f"| {before:.0f} | {during:.0f} | {lowest:.0f} | {after:.0f} | "
                     f"{during / before if before else 0:.2f} |")
    lines += [
        "",
        f"Requests: {len(events) - len(failures)} answered as expected "
        f"({', '.join(f'{k} {v}' for k, v in sorted(colours.items()))}), "
        f"**{len(failures)} failed**.",
        "",
        "A low or zero \"lowest\" slice is requests waiting, not failing: the new colour starting takes CPU from a 2-core machine, and a connect that reaches the old colour in the ~30 ms while its listener drops new SYNs (before it closes) waits for the kernel's SYN retransmission (1 s), is refused and goes to the new colour. The switch itself no longer waits for Nginx's old workers (about 7 s before, with a reload).",
    ]
    for t, _, what in failures[:20]:
        lines.append(f"- failed at +{t - started:.2f} s: {what}")
    lines.append(MARK_END)
    section = "\n".join(lines) + "\n"
    print(section)
    for s in switches:
        if s["rc"] != 0:
            print(s["output"], file=sys.stderr)
    try:
        with open(results_path) as f:
            text = f.read()
    except FileNotFoundError:
        text = "# oakgate benchmarks\n"
    if MARK_BEGIN in text and MARK_END in text:
        a, rest = text.split(MARK_BEGIN, 1)
        text = a + section.rstrip("\n") + rest.split(MARK_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(results_path, "w") as f:
        f.write(text)
    return 0 if all(s["rc"] == 0 for s in switches) else 1


if __name__ == "__main__":
    sys.exit(main())
