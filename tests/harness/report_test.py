"""Tests of bench/report on a small made-up echo_bench run: every variant
in every table, models that cannot serve marked as such, medians and
ratios right, the computed paragraphs, the CSV and the plots."""

import csv
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT_DIR = os.environ.get("ECHOLAB_REPORT_DIR",
                            os.path.join(HERE, "..", "..", "bench", "report"))
sys.path.insert(0, REPORT_DIR)

import make_report  # noqa: E402
import results  # noqa: E402

VARIANTS = ["iterative", "thread_per_conn", "epoll_loop"]
# As echo_bench records the registry (bench/harness/server_run.cpp);
# thread_pool is registered but not measured in this run.
TRAITS = [
    {"name": "iterative", "model": "one_at_a_time", "unit": "",
     "waits_in": "accept4", "pool_flag": "", "conn_limit": 1, "needs": ""},
    {"name": "thread_per_conn", "model": "per_connection", "unit": "thread",
     "waits_in": "accept4", "pool_flag": "", "conn_limit": 0, "needs": ""},
    {"name": "thread_pool", "model": "worker_pool", "unit": "thread",
     "waits_in": "accept4", "pool_flag": "--threads", "conn_limit": 0,
     "needs": ""},
    {"name": "epoll_loop", "model": "event_loop", "unit": "",
     "waits_in": "epoll_wait", "pool_flag": "", "conn_limit": 0,
     "needs": ""}]
ROUNDS = 3


def run(name, rnd, error="", **counters):
    entry = {"name": name, "run_name": name, "run_type": "iteration",
             "repetitions": ROUNDS, "repetition_index": rnd,
             "iterations": 1, "real_time": 500.0, "cpu_time": 2.0,
             "time_unit": "ms"}
    if error:
        entry.update(error_occurred=True, error_message=error)
    entry.update(counters)
    return entry


def echo(variant, conns, rnd):
    name = f"echo/{variant}/conns:{conns}/bytes:64/iterations:1/manual_time"
    if variant == "iterative" and conns > 1:
        return run(name, rnd, "model cannot serve 100 concurrent clients")
    if conns == 1:  # wake-up bound: all alike
        rate = 10000 + 100 * rnd
    else:
        rate = {"thread_per_conn": 100000, "epoll_loop": 200000}[variant]
        rate += 1000 * rnd
    return run(name, rnd, msgs_per_s=rate, rtt_p50_us=1e6 * conns / rate,
               rtt_p90_us=200, rtt_p99_us=300, rtt_p999_us=400,
               rtt_max_us=500, rtt_mean_us=1e6 * conns / rate,
               server_cpu_us_per_msg=8.0 if variant == "thread_per_conn"
               else 4.0,
               server_cpus_busy_us_per_msg=12.0 if variant == "thread_per_conn"
               else 4.5, client_cpu_load=0.9)


def made_up_run():
    benchmarks = []
    for rnd in range(ROUNDS):
        benchmarks.append(run("floor/pingpong_cross_cpu/bytes:64/min_time:"
                              "0.300/real_time", rnd, msgs_per_s=10500))
        benchmarks[-1].update(real_time=95.0, time_unit="us")
        for unit, lap in (("threads", 500.0), ("processes", 2000.0)):
            benchmarks.append(run(f"micro/switch_{unit}/tasks:100/"
                                  "min_time:0.300/real_time", rnd, tasks=100))
            benchmarks[-1].update(real_time=lap, time_unit="us")
        benchmarks.append(run("floor/epoll_echo/conns:100/bytes:64/"
                              "iterations:1/manual_time", rnd,
                              msgs_per_s=240000, server_cpu_us_per_msg=3.5))
        for conns in (1, 100):
            benchmarks += [echo(v, conns, rnd) for v in VARIANTS]
        for v in VARIANTS:
            benchmarks.append(run(
                f"accept/{v}/conns:10/iterations:1/manual_time", rnd,
                conns_per_s=12000, connect_p50_us=20,
                first_echo_p50_us=60 if v == "epoll_loop" else 90,
                first_echo_p99_us=200, server_cpu_us_per_conn=20,
                client_cpu_load=0.97))
            benchmarks.append(run(
                f"cost/{v}/idle:100/iterations:1/manual_time", rnd,
                idle_conns=100, served=1 if v == "iterative" else 100,
                threads=101 if v == "thread_per_conn" else 1, processes=1,
                server_fds=106, rss_mib=5, rss_per_conn_kib=12,
                pss_per_conn_kib=12 if v == "thread_per_conn" else 4))
        for call, slope in (("select", 0.03), ("epoll_wait", 0.0)):
            for fds in (1, 1000):
                benchmarks.append(run(
                    f"micro/{call}/fds:{fds}/min_time:0.300/real_time", rnd))
                benchmarks[-1].update(cpu_time=1000 + slope * fds * 1000,
                                      time_unit="ns")
        for cpus in (1, 2):
            for v in VARIANTS:
                name = (f"scaling/{v}/server_cpus:{cpus}/conns:100/bytes:64/"
                        "iterations:1/manual_time")
                if v == "iterative":
                    benchmarks.append(run(name, rnd, "model cannot serve "
                                          "100 concurrent clients"))
                else:
                    rate = 100000 * (cpus if v == "thread_per_conn" else 1)
                    benchmarks.append(run(name, rnd, msgs_per_s=rate))
        benchmarks.append(run("echo/pyecho/conns:1/bytes:64/iterations:1/"
                              "manual_time", rnd, msgs_per_s=9000))
    return {"context": {"date": "2026-01-01T00:00:00",
                        "echolab_server_cpus": "0 | 0,1",
                        "echolab_client_cpus": "1",
                        "echolab_external_pyecho": "python3 echo.py {port}",
                        "echolab_cpu_model": "Test CPU", "num_cpus": 2,
                        "echolab_kernel": "Linux test",
                        "echolab_compiler": "g++ 12.2.0",
                        "echolab_pinning": "servers on CPU 0",
                        "echolab_problems": "", "load_avg": [0.1],
                        "echolab_variants": json.dumps(TRAITS)},
            "benchmarks": benchmarks}


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="echolab-report-")
        with open(os.path.join(cls.dir, "bench.json"), "w") as handle:
            json.dump(made_up_run(), handle)
        args = [cls.dir, "--command", "./scripts/run-comparison --quick"]
        if shutil.which("gnuplot") is None:
            args.append("--no-plots")
        make_report.main(args)
        with open(os.path.join(cls.dir, "report.md")) as handle:
            cls.report = handle.read()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def test_names_are_parsed(self):
        self.assertEqual(
            results.parse_name("echo/epoll_loop/conns:100/bytes:64"),
            ("echo", "epoll_loop", None, {"conns": 100, "bytes": 64}))
        self.assertEqual(
            results.base_name("micro/poll/fds:10/min_time:0.300/real_time"),
            "micro/poll/fds:10")

    def test_machine_and_command_are_quoted(self):
        self.assertIn("Test CPU, 2 CPUs online", self.report)
        self.assertIn("./scripts/run-comparison --quick", self.report)
        self.assertNotIn("Warning", self.report)

    def test_variants_table_comes_from_the_recorded_registry(self):
        section = self.report.split("## The variants", 1)[1].split("##", 1)[0]
        self.assertIn("| `iterative` | one at a time | one thread | "
                      "`accept4` |  | 1 |", section)
        self.assertIn("| `thread_per_conn` | per connection | thread |",
                      section)
        self.assertIn("| `epoll_loop` | event loop | one thread | "
                      "`epoll_wait` |", section)

    def test_every_variant_in_every_variant_table(self):
        for heading in ("### Throughput, 64", "### Server CPU",
                        "#### 10 concurrent", "### Cost of idle"):
            section = self.report.split(heading, 1)[1].split("###", 1)[0]
            for variant in VARIANTS:
                self.assertIn(f"`{variant}`", section, heading)

    def test_medians_ratios_and_cannot_serve(self):
        self.assertIn("201,000 ±0% (×1.00)", self.report)
        self.assertIn("101,000 ±1% (×0.50)", self.report)
        self.assertIn("cannot serve", self.report)

    def test_one_connection_is_called_wake_up_bound(self):
        self.assertIn("measures the machine's wake-up latency", self.report)
        self.assertIn("`iterative` cannot serve more than one", self.report)

    def test_switch_ring_prices_processes_against_threads(self):
        self.assertIn("| switch to the next of 100 blocked processes on one "
                      "CPU (per switch) | 20.0 |", self.report)
        self.assertIn("a switch costs 20.0 µs, ×4.0 the 5.00 µs between "
                      "threads", self.report)

    def test_server_cpus_busy_time_is_ranked_too(self):
        self.assertIn("The server CPUs' busy time per message at the same "
                      "point", self.report)
        self.assertIn("`epoll_loop` 4.50 µs, `thread_per_conn` 12.0 µs "
                      "(×2.67)", self.report)

    def test_ranking_by_server_cpu(self):
        self.assertIn("`epoll_loop` 4.00 µs, `thread_per_conn` 8.00 µs "
                      "(×2.00)", self.report)

    def test_readiness_growth(self):
        self.assertIn("`select` ×30.1, `epoll_wait` ×1.0", self.report)

    def test_cpu_sets_and_one_core_note(self):
        self.assertIn("| server CPUs | 0 (scaling points also on: 0,1) |",
                      self.report)
        self.assertIn("| load generator CPUs | 1 (1 thread) |", self.report)
        # No measured variant is multi-core by its traits (thread_pool is
        # in the traits but was not run), so there is nothing to hide.
        self.assertNotIn("One server CPU", self.report)

    def test_external_server_is_marked(self):
        self.assertIn("`pyecho` *(external)*", self.report)
        self.assertIn("- `pyecho`: `python3 echo.py {port}`", self.report)

    def test_scaling_section(self):
        section = self.report.split("### Scaling with server CPUs", 1)[1]
        section = section.split("##", 1)[0]
        self.assertIn("| `thread_per_conn` | 100,000 ±0% | 200,000 ±0% "
                      "| ×2.00 |", section)
        self.assertIn("`iterative` | cannot serve", section)
        self.assertIn("overlap the load generator's", section)

    def test_csv_has_every_round(self):
        with open(os.path.join(self.dir, "results.csv")) as handle:
            rows = list(csv.DictReader(handle))
        echo_rows = [r for r in rows if r["scenario"] == "echo"]
        self.assertEqual(len(echo_rows), (2 * len(VARIANTS) + 1) * ROUNDS)

    @unittest.skipIf(shutil.which("gnuplot") is None, "no gnuplot")
    def test_plots_exist_in_both_formats(self):
        for name in ("throughput_64", "accept_latency", "memory_per_conn",
                     "readiness_calls", "latency_percentiles", "scaling"):
            for ext in ("png", "svg"):
                path = os.path.join(self.dir, "plots", f"{name}.{ext}")
                self.assertGreater(os.path.getsize(path), 1000, path)
            self.assertIn(f"plots/{name}.png", self.report)


    @unittest.skipIf(shutil.which("gnuplot") is None, "no gnuplot")
    def test_plot_scripts_read_well(self):
        def script(name):
            with open(os.path.join(self.dir, "plots", name + ".gp")) as f:
                return f.read()
        throughput = script("throughput_64")
        self.assertIn("yerrorlines", throughput)  # rounds' spread
        self.assertIn("title 'iterative: cannot serve'", throughput)
        self.assertIn("set format y '%.0s%c'", throughput)  # 200k, not 2e+05
        self.assertIn("set key outside below", throughput)
        self.assertIn("'1 ms' 1000.0", script("server_cpu_64"))
        self.assertIn('"iterative\\n(served 1 of 100)"',
                      script("memory_per_conn"))


class BusyOneCoreTest(unittest.TestCase):
    """A run that began on a busy machine with one server CPU and a
    multi-core model among the variants."""

    def test_load_warning_on_top_and_one_core_note(self):
        data = made_up_run()
        data["context"].update(load_avg=[2.5, 1.0, 0.5],
                               echolab_server_cpus="0")
        traits = [dict(t) for t in TRAITS]
        traits[-1]["unit"] = "thread"  # as if epoll_loop ran a loop per core
        data["context"]["echolab_variants"] = json.dumps(traits)
        data["benchmarks"] = [b for b in data["benchmarks"]
                              if not b["name"].startswith("scaling/")]
        folder = tempfile.mkdtemp(prefix="echolab-report-")
        self.addCleanup(shutil.rmtree, folder)
        with open(os.path.join(folder, "bench.json"), "w") as handle:
            json.dump(data, handle)
        make_report.main([folder, "--no-plots", "--registry", ""])
        with open(os.path.join(folder, "report.md")) as handle:
            report = handle.read()
        first = report.split("| | |")[0]
        self.assertIn("Warning: the machine was busy", first)
        self.assertIn("load average 2.50 on 2 CPUs", first)
        self.assertIn("**One server CPU.** Every server ran on CPU 0, so "
                      "`epoll_loop` was measured on one core", report)
        self.assertIn("--server-cpus 0 --server-cpus 0,1", report)
        self.assertNotIn("### Scaling", report)

    def test_traits_from_the_build_when_the_run_has_none(self):
        data = made_up_run()
        del data["context"]["echolab_variants"]
        data["context"]["echolab_server_cpus"] = "0"
        folder = tempfile.mkdtemp(prefix="echolab-report-")
        self.addCleanup(shutil.rmtree, folder)
        with open(os.path.join(folder, "bench.json"), "w") as handle:
            json.dump(data, handle)
        registry = os.path.join(folder, "variants.json")
        with open(registry, "w") as handle:
            json.dump([{"name": "thread_per_conn", "model": "worker_pool",
                        "unit": "thread"}], handle)
        make_report.main([folder, "--no-plots", "--registry", registry])
        with open(os.path.join(folder, "report.md")) as handle:
            report = handle.read()
        self.assertIn("so `thread_per_conn` was measured on one core",
                      report)


if __name__ == "__main__":
    unittest.main()
