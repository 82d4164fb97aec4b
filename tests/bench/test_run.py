"""Unit tests of the pure parts of tests/bench/run (benchlib.py): no process, socket or clock.
Run with /usr/bin/python3 -m unittest test_run (from tests/bench), or through ctest (bench.run)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:4000/oauth/token
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    13.59ms    4.10ms  40.12ms   70.00%
  22690 requests in 10.00s, 20.12MB read
Requests/sec:   2269.00
BENCH requests=22690 duration_us=10000000 rps=2269.0 ok_rps=2268.9 p50_us=13590 p90_us=18000 \
p99_us=22880 max_us=40120 mean_us=13600 connect=0 read=0 write=0 status=0 timeout=0 lost=1 \
non2xx=1 mismatch=0 statuses=200:22689,503:1
"""

METRICS_BEFORE = """# HELP oakgate_http_request_duration_seconds time
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="0.001"} 10
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="0.0025"} 20
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="0.025"} 30
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="+Inf"} 30
oakgate_http_request_duration_seconds_bucket{route="/healthz",le="0.001"} 5
oakgate_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 5
oakgate_database_unavailable_total 2
oakgate_db_errors_total{kind="query"} 1
oakgate_db_errors_total{kind="connect"} 1
"""

METRICS_AFTER = """oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="0.001"} 510
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="0.0025"} 1000
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="0.025"} 1029
oakgate_http_request_duration_seconds_bucket{route="/oauth/token",le="+Inf"} 1030
oakgate_http_request_duration_seconds_bucket{route="/healthz",le="0.001"} 5
oakgate_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"} 5
oakgate_database_unavailable_total 3
oakgate_db_errors_total{kind="query"} 1
oakgate_db_errors_total{kind="connect"} 4
"""


def run(rps, ratio, errors="0", commits=None, statements=None, gw_p99=0.25):
    return {"rps": rps, "p50_us": 1000, "p99_us": 2000, "gw_p99": gw_p99, "errors": errors,
            "ratio": ratio, "gw_cpu_us": 30, "pg_cpu_us": 50, "commits": commits,
            "statements": statements}


class ReadingWrk(unittest.TestCase):
    def test_the_bench_line_gives_every_field_of_the_run(self):
        f = B.parse_bench_line(WRK_OUTPUT)
        self.assertEqual(f["requests"], "22690")
        self.assertEqual(B.num(f, "ok_rps"), 2268.9)
        self.assertEqual(B.num(f, "p99_us"), 22880)
        self.assertEqual(f["statuses"], "200:22689,503:1")

    def test_output_without_a_bench_line_is_none(self):
        self.assertIsNone(B.parse_bench_line("unable to connect to 127.0.0.1:4000\n"))

    def test_a_missing_or_malformed_number_reads_as_the_default(self):
        self.assertEqual(B.num({"x": "abc"}, "x"), 0.0)
        self.assertEqual(B.num({}, "pool_empty"), 0.0)

    def test_statuses_are_counted_by_code(self):
        self.assertEqual(B.parse_statuses("200:5,503:2"), {200: 5, 503: 2})
        self.assertEqual(B.parse_statuses("none"), {})

    def test_errors_say_what_they_are_made_of_and_leave_out_the_pool_counters(self):
        f = {"non2xx": "3", "mismatch": "1", "timeout": "2", "pool_empty": "3",
             "statuses": "200:10,400:3"}
        self.assertEqual(
            B.describe_errors(f),
            "6 (non-2xx 3 (200:10,400:3), wrong body 1, timeout 2, "
            "sent without a token or code as the pool was empty 3)")

    def test_a_run_without_errors_has_zero(self):
        self.assertEqual(B.describe_errors({"non2xx": "0", "connect": "0"}), "0")
        self.assertEqual(B.errors_of(["0", "0"]), "0")
        self.assertEqual(B.errors_of(["0", "2 (timeout 2)", "1 (read 1)"]),
                         "2 (timeout 2); 1 (read 1)")


class ReadingProcAndMetrics(unittest.TestCase):
    def test_cpu_ticks_count_from_the_last_parenthesis_of_the_command_name(self):
        stat = ("4242 (postgres: a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
                "70 30 5 6 20 0 1 0 100 1000 10")
        self.assertEqual(B.proc_stat_ticks(stat), (100, 11))
        self.assertEqual(B.proc_stat_ppid(stat), 1)

    def test_passive_opens_come_from_the_tcp_lines_of_snmp(self):
        snmp = ("Ip: Forwarding DefaultTTL\nIp: 1 64\n"
                "Tcp: RtoAlgorithm RtoMin ActiveOpens PassiveOpens\nTcp: 1 200 17 42\n")
        self.assertEqual(B.tcp_passive_opens(snmp), 42)

    def test_status_fields_are_read_in_kilobytes(self):
        self.assertEqual(B.proc_status_field("Name:\toakgate\nVmRSS:\t  38816 kB\n", "VmRSS"),
                         38816)

    def test_a_metric_sums_every_label_set_or_the_chosen_ones(self):
        self.assertEqual(B.metric_sum(METRICS_AFTER, "oakgate_db_errors_total"), 5)
        self.assertEqual(B.metric_sum(METRICS_AFTER, "oakgate_db_errors_total", 'kind="query"'), 1)
        self.assertEqual(B.metric_sum(METRICS_AFTER, "oakgate_db_errors"), 0)

    def test_the_gateway_p99_is_the_bound_of_the_bucket_holding_the_runs_99th_percentile(self):
        # 1000 requests in the run: 980 under 2.5 ms (98%), 999 under 25 ms.
        self.assertEqual(B.histogram_p99(METRICS_BEFORE, METRICS_AFTER, "/oauth/token"), 25.0)
        self.assertEqual(B.bound(B.histogram_p99(METRICS_BEFORE, METRICS_AFTER,
                                                 "/oauth/token")), "≤ 25")

    def test_the_requests_of_a_route_are_its_histograms_count(self):
        self.assertEqual(B.histogram_count(METRICS_BEFORE, METRICS_AFTER, "/oauth/token"), 1000)
        self.assertEqual(B.histogram_count("", METRICS_AFTER, "/healthz"), 5)

    def test_a_run_beyond_the_last_bucket_is_infinite_and_an_idle_route_has_no_p99(self):
        after = METRICS_BEFORE.replace('le="+Inf"} 30', 'le="+Inf"} 130')
        self.assertEqual(B.histogram_p99(METRICS_BEFORE, after, "/oauth/token"), "inf")
        self.assertEqual(B.bound("inf"), "> 10000")
        self.assertEqual(B.histogram_p99(METRICS_BEFORE, METRICS_AFTER, "/healthz"), 0)
        self.assertEqual(B.bound(0), "n/a")


class Arithmetic(unittest.TestCase):
    def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(self):
        self.assertEqual(B.median([3, 1, 2]), 2)
        self.assertEqual(B.median([4, 1, 3, 2]), 2.5)
        self.assertEqual(B.median([]), 0)

    def test_an_infinite_gateway_p99_counts_as_the_largest(self):
        self.assertEqual(B.median_bound([0.25, "inf", "inf"]), "inf")
        self.assertEqual(B.median_bound([0.25, "inf", 2.5]), 2.5)

    def test_a_ratio_is_to_the_healthz_of_the_round_and_zero_without_one(self):
        self.assertAlmostEqual(B.ratio(2269, 76925), 0.0295, places=4)
        self.assertEqual(B.ratio(2269, 0), 0.0)

    def test_cpu_per_request_turns_ticks_into_microseconds(self):
        # 100 ticks of 10 ms each over 2000 requests: 500 us a request.
        self.assertEqual(B.cpu_us_per_request(100, 2000, 100), 500)
        self.assertEqual(B.cpu_us_per_request(100, 0, 100), 0)

    def test_counters_per_request_keep_unmeasured_apart_from_zero(self):
        self.assertEqual(B.per_request(6807, 2269), 3.0)
        self.assertIsNone(B.per_request(None, 2269))
        self.assertEqual(B.fmt_per_request(None), "n/a")
        self.assertEqual(B.fmt_per_request(3.0), "3.00")

    def test_refresh_pools_have_a_token_per_connection_and_spares(self):
        self.assertEqual(B.refresh_pool_size(32, 1), 40)
        self.assertEqual(B.refresh_pool_size(4, 2), 4)

    def test_code_pools_outlast_the_run_at_half_as_much_again_as_the_rate(self):
        # 5 s at 2000/s: 15000 codes and one per connection, split over 2 threads.
        self.assertEqual(B.code_pool_size(5, 2000, 32, 2), 7516)

    def test_statement_growth_leaves_out_statements_that_did_not_run(self):
        before = {"1": (10, "BEGIN"), "2": (5, "SELECT 1")}
        after = {"1": (30, "BEGIN"), "2": (5, "SELECT 1"), "3": (20, "COMMIT")}
        self.assertEqual(B.statements_delta(before, after), [(20, "BEGIN"), (20, "COMMIT")])


class Tables(unittest.TestCase):
    def test_a_saturation_row_gives_the_medians_of_the_rounds(self):
        rows = [run(2200, 0.028, commits=3.0, statements=9.0),
                run(2300, 0.030, commits=3.1, statements=9.0),
                run(2269, 0.029, "1 (timeout 1)", commits=2.9, statements=9.5)]
        self.assertEqual(
            B.saturation_row("refresh", 32, rows),
            "| token: refresh_token (rotating) | 32 | 2269 | 1.00 | 2.00 | ≤ 0.25 "
            "| 1 (timeout 1) | 0.029 | 30 | 50 | 3.00 | 9.00 |")

    def test_a_row_without_database_counters_says_not_measured(self):
        row = B.saturation_row("healthz", 32, [run(80000, 1.0)])
        self.assertTrue(row.endswith("| 1.000 | 30 | 50 | n/a | n/a |"), row)

    def test_rows_have_as_many_cells_as_their_header(self):
        sat = B.saturation_row("validate", 32, [run(1, 1.0, commits=1, statements=2)])
        paced = B.paced_row("validate", 32, 2, [run(1, 1.0)])
        self.assertEqual(sat.count("|"), B.SATURATION_HEADER.split("\n")[0].count("|"))
        self.assertEqual(paced.count("|"), B.PACED_HEADER.split("\n")[0].count("|"))

    def test_the_statements_table_escapes_pipes_and_shortens_long_queries(self):
        t = B.statements_table([(60, "SELECT a || b"), (20, "x" * 200), (5, "COMMIT")], 20,
                               limit=2)
        self.assertIn("| 3.00 | `SELECT a \\|\\| b` |", t)
        self.assertIn("x" * 137 + "...", t)
        self.assertIn("| 0.25 | (1 more) |", t)


class Settings(unittest.TestCase):
    def test_defaults_split_the_cores_and_run_every_scenario(self):
        c = B.parse_config({}, 2)
        self.assertEqual(c["threads"], 1)
        self.assertEqual(c["connections"], [32, 128])
        self.assertEqual(c["scenarios"], B.ALL_SCENARIOS)
        self.assertEqual(c["paced"], ["introspect-access", "introspect-apikey", "validate"])
        self.assertTrue(c["pg_stats"])

    def test_healthz_always_runs_first(self):
        c = B.parse_config({"BENCH_SCENARIOS": "refresh healthz code-exchange"}, 2)
        self.assertEqual(c["scenarios"], ["healthz", "refresh", "code-exchange"])

    def test_an_empty_list_turns_the_paced_and_shared_runs_off(self):
        c = B.parse_config({"BENCH_PACED": "", "BENCH_SHARED": ""}, 2)
        self.assertEqual((c["paced"], c["shared"]), ([], []))

    def test_bad_settings_are_refused_with_their_name(self):
        for env, words in (({"BENCH_SCENARIOS": "nope"}, "unknown scenario 'nope'"),
                           ({"BENCH_CONNECTIONS": "33", "BENCH_THREADS": "2"}, "not a multiple"),
                           ({"BENCH_DURATION": "0"}, "BENCH_DURATION"),
                           ({"BENCH_PACED": "healthz"}, "BENCH_PACED"),
                           ({"BENCH_SHARED_CONNECTIONS": "3"}, "BENCH_SHARED_CONNECTIONS"),
                           ({"BENCH_SECTION": "a b"}, "BENCH_SECTION")):
            with self.subTest(env=env):
                with self.assertRaisesRegex(B.ConfigError, words):
                    B.parse_config(env, 2)

    def test_the_command_line_shows_the_settings_but_no_secret(self):
        env = {"BENCH_DURATION": "5", "OAKGATE_SECRET": "s", "OAKGATE_DATABASE_URL": "u",
               "OAKGATE_BENCH_KEY": "k", "OAKGATE_THREADS": "1", "HOME": "/root"}
        self.assertEqual(B.command_line(env, []),
                         "BENCH_DURATION='5' OAKGATE_THREADS='1' tests/bench/run")


class ResultsFile(unittest.TestCase):
    OLD = ("# oakgate benchmarks\n\nold table\n\n## At saturation (x)\n\n| a |\n\n"
           "## What the gateway reported\n\nnothing\n\n"
           "## TypeScript client guard() vs wrk\n\nguard figures\n\n"
           "<!-- bluegreen_switch.py: begin -->\n## Blue/green\n<!-- bluegreen_switch.py: end -->\n")

    def test_a_new_report_replaces_the_old_one_and_keeps_other_tools_sections(self):
        new = B.merge_results(self.OLD, "# oakgate benchmarks\n\nnew table\n")
        self.assertTrue(new.startswith("# oakgate benchmarks\n\nnew table\n\n## TypeScript"), new)
        self.assertNotIn("old table", new)
        self.assertIn("guard figures", new)
        self.assertTrue(new.endswith("<!-- bluegreen_switch.py: end -->\n"))

    def test_a_section_goes_at_the_end_with_its_headings_demoted_and_the_rest_unchanged(self):
        new = B.merge_results(self.OLD, "# oakgate benchmarks\n\n## At saturation\nrows\n",
                              section="before")
        self.assertTrue(new.startswith(self.OLD))
        self.assertTrue(new.endswith(
            "<!-- tests/bench/run before: begin -->\n## oakgate benchmarks\n\n"
            "### At saturation\nrows\n<!-- tests/bench/run before: end -->\n"), new)

    def test_a_section_is_replaced_in_place(self):
        once = B.merge_results(self.OLD, "# first\n", section="s") + "trailer\n"
        twice = B.merge_results(once, "# second\n", section="s")
        self.assertNotIn("first", twice)
        self.assertIn("## second\n<!-- tests/bench/run s: end -->\ntrailer\n", twice)
        self.assertEqual(twice.count("tests/bench/run s: begin"), 1)

    def test_the_main_report_keeps_sections_written_by_the_runner_itself(self):
        once = B.merge_results(self.OLD, "# s\n", section="s")
        again = B.merge_results(once, "# oakgate benchmarks\n\nnewer\n")
        self.assertIn("<!-- tests/bench/run s: begin -->\n## s\n", again)


class GatewayNotes(unittest.TestCase):
    def test_warnings_counters_and_503s_are_reported(self):
        log = ('{"level":"warn","msg":"slow commit"}\n{"level":"info","msg":"x"}\n'
               '{"level":"error","msg":"slow commit"}\n{"level":"critical","msg":"boom"}\n')
        note = B.gateway_notes(log, METRICS_BEFORE, METRICS_AFTER, "200:10,503:4")
        self.assertEqual(
            note, "3 warning/error log lines: 2× slow commit; 1× boom; "
            "oakgate_database_unavailable_total +1; oakgate_db_errors_total +3; "
            "503 answers 4, of which 3 shed (queue full), 1 database unavailable")

    def test_a_quiet_run_has_no_note(self):
        self.assertEqual(B.gateway_notes("", METRICS_BEFORE, METRICS_BEFORE, "200:10"), "")


if __name__ == "__main__":
    unittest.main()
