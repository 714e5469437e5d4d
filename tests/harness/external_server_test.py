"""scripts/run-comparison --server NAME='COMMAND' end to end: a small
asyncio echo server written here (it keeps the contract: echoes every
byte, exits 0 on SIGTERM, takes its port from {port}) goes through a
quick sweep restricted to it, and must come out measured, with every byte
checked, in bench.json and in the report marked external."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("ECHOLAB_BUILD_DIR", os.path.join(ROOT, "build"))

ECHO_SERVER = '''
import asyncio, signal, sys

async def serve(reader, writer):
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()

async def main(port):
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()

asyncio.run(main(int(sys.argv[1])))
'''


class ExternalServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        bench = os.path.join(BUILD, "bin", "echo_bench")
        if not os.access(bench, os.X_OK):
            raise AssertionError(f"{bench} is not built")
        cls.dir = tempfile.mkdtemp(prefix="echolab-external-")
        server = os.path.join(cls.dir, "echo_server.py")
        with open(server, "w", encoding="utf-8") as handle:
            handle.write(ECHO_SERVER)
        out = os.path.join(cls.dir, "results")
        command = [os.path.join(ROOT, "scripts", "run-comparison"),
                   "--no-build", "--build-dir", BUILD, "--out", out,
                   "--quick", "--server",
                   f"pyecho={sys.executable} {server} {{port}}",
                   "--variants", "pyecho", "--scenarios", "throughput,accept",
                   "--conns", "1,10", "--accept-conns", "2", "--rounds", "1",
                   "--warmup", "0.1", "--duration", "0.3"]
        cls.done = subprocess.run(command, capture_output=True, text=True,
                                  timeout=240, check=False)
        cls.out = out

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as handle:
            return handle.read()

    def test_sweep_succeeds(self):
        self.assertEqual(self.done.returncode, 0, self.done.stderr)
        self.assertIn("report:", self.done.stdout)

    def test_measured_in_bench_json(self):
        data = json.loads(self.read("bench.json"))
        self.assertTrue(data["context"]["echolab_external_pyecho"]
                        .endswith("echo_server.py {port}"))
        runs = [b for b in data["benchmarks"]
                if b["name"].startswith(("echo/pyecho/", "accept/pyecho/"))]
        self.assertEqual(len(runs), 3, [b["name"] for b in runs])
        for run in runs:
            self.assertFalse(run.get("error_occurred"),
                             run.get("error_message"))
        echo = [b for b in runs if b["name"].startswith("echo/")]
        self.assertTrue(all(b["msgs_per_s"] > 0 for b in echo))
        # No registered variant ran: the sweep was restricted to it.
        self.assertFalse([b for b in data["benchmarks"]
                          if b["name"].startswith("echo/")
                          and "/pyecho/" not in b["name"]])

    def test_marked_external_in_report(self):
        report = self.read("report.md")
        self.assertIn("| `pyecho` *(external)* |", report)
        self.assertIn("- `pyecho`: `", report)
        self.assertIn("--server 'pyecho=", report)  # quoted as typed

    def test_progress_is_one_line_per_point(self):
        progress = self.read("progress.txt")
        self.assertIn("[1/3] echo     pyecho", progress)
        self.assertIn("done in", progress)
        self.assertIn("echo/pyecho/conns:1/bytes:64",
                      self.read("console.txt"))


class UsageTest(unittest.TestCase):
    """--help of both commands lists every flag; bad values exit 2 with a
    message naming the flag, before anything runs."""

    def run_bench(self, *args):
        return subprocess.run([os.path.join(BUILD, "bin", "echo_bench"),
                               *args], capture_output=True, text=True,
                              timeout=30, check=False)

    def test_echo_bench_help_lists_every_harness_flag(self):
        done = self.run_bench("--help")
        self.assertEqual(done.returncode, 0)
        for flag in ("--server-cpus", "--client-cpus", "--server",
                     "--rounds", "--quick", "--benchmark_"):
            self.assertIn(flag, done.stdout)

    def test_bad_values_exit_2_naming_the_flag(self):
        for args, flag in ((["--server", "no-command"], "--server"),
                           (["--client-cpus", "x"], "--client-cpus"),
                           (["--server-cpus", "0", "--server-cpus", "1"],
                            "--server-cpus")):
            done = self.run_bench(*args)
            self.assertEqual(done.returncode, 2, args)
            self.assertIn(flag + ":", done.stderr)

    def test_run_comparison_help_is_clean(self):
        done = subprocess.run(
            [os.path.join(ROOT, "scripts", "run-comparison"), "--help",
             "--build-dir", BUILD], capture_output=True, text=True,
            timeout=30, check=False)
        self.assertEqual(done.returncode, 0)
        self.assertTrue(done.stdout.startswith("Usage: "))
        self.assertNotIn("set -euo", done.stdout)
        self.assertIn("--server NAME='COMMAND'", done.stdout)
        self.assertIn("--server-cpus LIST", done.stdout)


if __name__ == "__main__":
    unittest.main()
