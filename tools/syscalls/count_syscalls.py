#!/usr/bin/env python3
"""Counts the system calls a variant makes per connection and per echoed
message, with `strace -f -c` on a real run over loopback.

For each variant it runs the server under strace four times: with 100 and
200 sequential connections (each: connect, one 64-byte echo, half-close,
read to EOF, close), and with one connection that echoes 1000 and 2000
64-byte messages one at a time. Differences between the two runs of a
kind cancel start-up and shutdown:

  per connection = (calls(200 conns) - calls(100 conns)) / 100
  per message    = (calls(2000 msgs) - calls(1000 msgs)) / 1000

Every call of the server process, its threads and its children counts
(-f). Prints a Markdown table per variant. The variants and their
--max-conns ceilings come from the build's registry (variants.json,
written by CMake from the echolab_add_variant calls). Needs strace
(apt-get install strace). Loopback only; each run is bounded.

  python3 tools/syscalls/count_syscalls.py --bin build/bin
  python3 tools/syscalls/count_syscalls.py --bin build/bin epoll_loop
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

MAX_CONNS = 64
MESSAGE = b"m" * 64
ROW = re.compile(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$")


def echo_run(port, conns, msgs):
    for _ in range(conns):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            for _ in range(msgs):
                s.sendall(MESSAGE)
                got = b""
                while len(got) < len(MESSAGE):
                    chunk = s.recv(len(MESSAGE) - len(got))
                    if not chunk:
                        raise RuntimeError("server closed early")
                    got += chunk
            s.shutdown(socket.SHUT_WR)
            while s.recv(4096):
                pass


def children(pid):
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path) as file:
            return [int(p) for p in file.read().split()]
    except OSError:
        return []


def traced_counts(binary, max_conns, conns, msgs):
    """{syscall: calls} of one server run under strace -f -c."""
    with tempfile.NamedTemporaryFile(prefix="strace-", suffix=".txt") as out:
        server = subprocess.Popen(
            ["strace", "-f", "-c", "-o", out.name, binary, "--port", "0",
             "--max-conns", str(max_conns)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = server.stdout.readline()
            port = int(line.rsplit(":", 1)[1])
            echo_run(port, conns, msgs)
            time.sleep(0.3)  # let children and threads finish and be reaped
        finally:
            # SIGTERM to the server itself (strace's child): it stops
            # cleanly, and strace then writes the summary and exits.
            for pid in children(server.pid):
                os.kill(pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        counts = {}
        with open(out.name) as text:
            for row in text:
                match = ROW.match(row)
                if match and match.group(3) != "total":
                    counts[match.group(3)] = int(match.group(1))
        return counts


def per_unit(small, large, units):
    names = set(small) | set(large)
    diff = {n: (large.get(n, 0) - small.get(n, 0)) / units for n in names}
    return {n: v for n, v in diff.items() if abs(v) >= 0.05}


def describe(per):
    parts = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{name} {value:.3g}" for name, value in parts)


def registry(path):
    """{name: variant} from variants.json, in registration order."""
    try:
        with open(path, encoding="utf-8") as file:
            return {v["name"]: v for v in json.load(file)}
    except (OSError, ValueError) as e:
        sys.exit(f"error: variant registry {path}: {e} (build first)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="*",
                        help="default: every registered variant")
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--registry", default="build/variants.json")
    args = parser.parse_args()
    known = registry(args.registry)
    unknown = [v for v in args.variants if v not in known]
    if unknown:
        sys.exit(f"error: not a registered variant: {', '.join(unknown)} "
                 f"(known: {', '.join(known)})")
    print("| variant | per connection | per message | total per "
          "connection / message |")
    print("|---|---|---|---|")
    for variant in args.variants or list(known):
        binary = os.path.join(args.bin, variant)
        limit = known[variant]["conn_limit"]
        max_conns = min(MAX_CONNS, limit) if limit else MAX_CONNS
        conn = per_unit(traced_counts(binary, max_conns, 100, 1),
                        traced_counts(binary, max_conns, 200, 1), 100)
        msg = per_unit(traced_counts(binary, max_conns, 1, 1000),
                       traced_counts(binary, max_conns, 1, 2000), 1000)
        print(f"| `{variant}` | {describe(conn)} | {describe(msg)} | "
              f"{sum(conn.values()):.3g} / {sum(msg.values()):.3g} |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
