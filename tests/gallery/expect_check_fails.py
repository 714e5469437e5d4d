#!/usr/bin/env python3
"""Runs one GoogleTest check against a broken gallery server and succeeds
only if that check ran and failed with the expected reason in its output.

A gallery entry whose bug the check does not catch must fail CTest, so
every way of not seeing a failure (the check passed, was skipped, was not
found, the binary is missing) is an error here.

The script makes itself a child subreaper: a broken server killed at the
end of a test leaves its own children (zombies, in one entry) to the
nearest subreaper rather than to PID 1, and they are reaped here.
"""
import argparse
import ctypes
import os
import re
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except OSError:
        pass  # only tidiness is lost


def reap_orphans():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tests", required=True, help="GoogleTest binary")
    parser.add_argument("--check", required=True, help="Suite.TestName")
    parser.add_argument("--server", required=True, help="broken server")
    parser.add_argument("--model", default="per_connection")
    parser.add_argument("--pattern", default="",
                        help="regex the failure output must contain")
    parser.add_argument("--timeout", type=float, default=50)
    args = parser.parse_args()

    if not os.access(args.server, os.X_OK):
        print(f"FAIL: {args.server} is not built (cmake --build build "
              "--target gallery)")
        return 1
    become_subreaper()
    suite, test = args.check.split(".", 1)
    full_name = f"AllVariants/{suite}.{test}/custom"
    env = dict(os.environ,
               ECHOLAB_SERVER_CMD=f"{args.server} --port {{port}}",
               ECHOLAB_SERVER_MODEL=args.model)
    command = [args.tests, f"--gtest_filter={full_name}"]
    print("ECHOLAB_SERVER_CMD='%s' ECHOLAB_SERVER_MODEL=%s %s" %
          (env["ECHOLAB_SERVER_CMD"], args.model, " ".join(command)))
    try:
        run = subprocess.run(command, env=env, capture_output=True,
                             text=True, errors="replace",
                             timeout=args.timeout)
        output = run.stdout + run.stderr
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode(errors="replace")
        print(output[-4000:])
        print(f"FAIL: {full_name} did not finish in {args.timeout} s")
        return 1
    finally:
        reap_orphans()

    print(output[-6000:])
    if f"[ RUN      ] {full_name}" not in output:
        print(f"FAIL: {full_name} did not run (renamed or filtered out?)")
        return 1
    if f"[  SKIPPED ] {full_name}" in output:
        print(f"FAIL: {full_name} was skipped, so it proves nothing")
        return 1
    if f"[  FAILED  ] {full_name}" not in output:
        print(f"FAIL: the bug was NOT caught: {full_name} passed")
        return 1
    if args.pattern and not re.search(args.pattern, output):
        print(f"FAIL: {full_name} failed, but not with /{args.pattern}/, "
              "so maybe not for the reason the gallery gives")
        return 1
    print(f"OK: {full_name} fails on {os.path.basename(args.server)}"
          + (f", with /{args.pattern}/" if args.pattern else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
