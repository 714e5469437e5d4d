#!/usr/bin/env python3
"""Grades small broken servers with scripts/grade-lab and checks what a
student would read: the verdict, the points, the reasons, the JSON shape
and that a broken server is graded within a minute.

The servers are written here, in Python, the way students get them
wrong: a ready line never flushed, a server that exits at once, one that
echoes but never closes, a command that does not exist. The gallery's
zombie server checks that a failure names its gallery page.

  grade_lab_test.py --grader scripts/grade-lab --build build
"""
import argparse
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

ARGS = None
# A functional bound, not a performance figure: the issue asks for a
# broken server to be graded in at most 60 s; the margin is for a busy
# machine running other tests at the same time.
BROKEN_BOUND = 90.0

NO_FLUSH = """
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
sys.stdout.write("listening on 127.0.0.1:%d\\n" % s.getsockname()[1])
time.sleep(60)
"""

EXITS_AT_ONCE = """
import sys
sys.stderr.write("starting\\nfatal: cannot open config.txt\\n")
sys.exit(3)
"""

# Echoes every byte, then, at the client's EOF, keeps the socket open.
NEVER_CLOSES = """
import socket, sys, threading, time
port = int(sys.argv[sys.argv.index("--port") + 1])
s = socket.socket(socket.AF_INET6 if ":" in "" else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(64)
print("listening on 127.0.0.1:%d" % s.getsockname()[1], flush=True)
held = []
def serve(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = c.recv(65536)
        if not data:
            held.append(c)
            return
        c.sendall(data)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""


def grade(lab, command, *extra):
    began = time.monotonic()
    done = subprocess.run(
        [ARGS.grader, "--build", ARGS.build, *extra, lab, command],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=300)
    return done, time.monotonic() - began


class GradeLab(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="grade-lab-test-")

    def tearDown(self):
        self.tmp.cleanup()

    def server(self, name, source):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as file:
            # -E: PYTHONUNBUFFERED in the environment would flush for it.
            file.write(f"#!{sys.executable} -E\n" + textwrap.dedent(source))
        os.chmod(path, 0o755)
        return path

    def test_unflushed_ready_line_asks_about_flushing(self):
        done, seconds = grade("1", self.server("noflush", NO_FLUSH))
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("cannot grade: no ready line within 10 s", done.stdout)
        self.assertIn("Did you flush stdout?", done.stdout)
        self.assertIn("a pipe, not a terminal", done.stdout)
        self.assertIn("score: 0/26", done.stdout)
        self.assertLess(seconds, 30)

    def test_server_that_exits_shows_status_and_stderr(self):
        done, _ = grade("2", self.server("exits", EXITS_AT_ONCE))
        self.assertEqual(done.returncode, 1)
        self.assertIn("exited with status 3 before it was ready",
                      done.stdout)
        self.assertIn("fatal: cannot open config.txt", done.stdout)
        self.assertNotIn("PASS", done.stdout)

    def test_missing_command_is_named(self):
        done, _ = grade("1", os.path.join(self.tmp.name, "mine"))
        self.assertEqual(done.returncode, 1)
        self.assertIn("mine: no such file", done.stdout)
        done, _ = grade("1", "mine-that-does-not-exist --verbose")
        self.assertIn("mine-that-does-not-exist: command not found",
                      done.stdout)

    def test_not_executable_is_named(self):
        path = self.server("plain", EXITS_AT_ONCE)
        os.chmod(path, 0o644)
        done, _ = grade("1", path)
        self.assertIn("plain: not an executable file", done.stdout)

    def test_json_has_points_and_reasons_per_check(self):
        done, _ = grade("1", self.server("exits", EXITS_AT_ONCE), "--json")
        self.assertEqual(done.returncode, 1)
        lines = done.stdout.strip().splitlines()
        self.assertEqual(len(lines), 1, "one JSON line (Autolab reads the "
                         "last line)")
        report = json.loads(lines[0])
        self.assertEqual(report["score"], 0)
        self.assertEqual(report["max_score"], 26)
        self.assertFalse(report["graded"])
        self.assertIn("exited with status 3", report["output"])
        self.assertEqual(len(report["tests"]), 15)
        for test in report["tests"]:
            self.assertEqual(set(test), {"name", "score", "max_score",
                                         "status", "output"})
            self.assertEqual(test["status"], "failed")
        self.assertEqual(sum(report["scores"].values()), 0)

    def test_server_that_never_closes_is_told_why_within_bound(self):
        done, seconds = grade("1", self.server("keeps", NEVER_CLOSES),
                              "--json")
        report = json.loads(done.stdout)
        self.assertTrue(report["graded"])
        tests = {t["name"]: t for t in report["tests"]}
        echo = tests["EchoConformance.EchoesBytesBack"]
        self.assertEqual(echo["score"], 0)
        self.assertIn("never closed", echo["output"])
        self.assertIn("still holds the socket", echo["output"])
        self.assertEqual(tests["EchoConformance.RejectsBadFlagWithExitTwo"]
                         ["score"], 0, "it takes any flag")
        for test in report["tests"]:
            self.assertNotIn("Actual: false", test["output"])
            self.assertNotIn("thrown in the test body", test["output"])
            self.assertEqual(test["score"] == test["max_score"],
                             test["status"] == "passed")
        self.assertLess(report["score"], report["max_score"])
        self.assertLess(seconds, BROKEN_BOUND)

    def test_gallery_bug_is_named_and_figure_kept(self):
        server = os.path.join(ARGS.build, "gallery", "bin", "zombie_children")
        if not os.access(server, os.X_OK):
            self.skipTest("the gallery is not built")
        done, seconds = grade("2", server)
        self.assertEqual(done.returncode, 1)
        lines = done.stdout.splitlines()
        at = next(i for i, l in enumerate(lines)
                  if "LeavesNoZombiesThreadsOrDescriptors" in l)
        self.assertIn("FAIL", lines[at])
        self.assertRegex(lines[at + 1], r"[1-9][0-9]+ zombies")
        self.assertIn("docs/gallery/zombie_children.md", done.stdout)
        self.assertLess(seconds, BROKEN_BOUND)


def load_grader():
    sys.dont_write_bytecode = True  # no __pycache__ beside scripts/grade-lab
    loader = importlib.machinery.SourceFileLoader("grade_lab", ARGS.grader)
    spec = importlib.util.spec_from_loader("grade_lab", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class Reasons(unittest.TestCase):
    """The reason shown for GoogleTest failures as the suites print them."""

    def setUp(self):
        self.grader = load_grader()

    def test_exception_text_not_its_frame(self):
        failure = ('unknown file\nC++ exception with description "no ready '
                   'line within 10000 ms\nstderr: x" thrown in the test '
                   'body.')
        self.assertEqual(self.grader.reason(failure),
                         "no ready line within 10000 ms stderr: x")

    def test_verdict_of_a_helper_not_actual_false(self):
        failure = ("resources_test.cpp:48\nValue of: returns_to(srv, "
                   "before)\n  Actual: false (holdings did not return: "
                   "now 301 zombies)\nExpected: true\nafter 300 "
                   "connections")
        self.assertEqual(self.grader.reason(failure),
                         "after 300 connections: holdings did not return: "
                         "now 301 zombies")

    def test_long_reason_keeps_its_end(self):
        text = "holdings did not return " + "x" * 300 + " 301 zombies)"
        short = self.grader.shorten(text)
        self.assertLessEqual(len(short), self.grader.REASON_WIDTH)
        self.assertTrue(short.endswith("301 zombies)"))
        self.assertIn(" ... ", short)

    def test_diff_dump_is_dropped(self):
        failure = ('echo_test.cpp:70\nExpected equality of these values:\n'
                   '  client.round_trip(message, 2s)\n    Which is: ""\n'
                   '  message\nWith diff:\n@@ -1,1 +1,2 @@\n-""\n+"z\\xAE"\n'
                   "warm-up: a 4096-byte message's echo did not come back")
        self.assertEqual(self.grader.reason(failure),
                         "warm-up: a 4096-byte message's echo did not come "
                         "back")


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grader", required=True)
    parser.add_argument("--build", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    main()
