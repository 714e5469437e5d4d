#!/usr/bin/env bash
# Why prefork trails thread_pool at 100 busy connections on one server CPU
# (docs/variants/prefork.md): both switch tasks about once per message,
# so the gap is what a switch costs between processes against one between
# threads. Per variant, 3 interleaved rounds: server on CPU 0, echoload on
# CPU 1, 100 connections, 64 B, 3 s. Prints msgs/s, task switches per
# message (every thread and child of the server, /proc/PID/task/*/status),
# and CPU 0's busy time per message (/proc/stat: user+system+irq+softirq,
# which also holds what per-process accounting misses); then the
# switch-ring micro-benchmark (echo_bench --scenarios micro).
# Usage: tools/bench/switch_cost.sh   (after building the release preset)
set -u
B=${ECHOLAB_BIN_DIR:-$(dirname "$0")/../../build/bin}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cpu0_busy() { awk '$1 == "cpu0" {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
switches() { # the server and its children, every thread
    local s=0 p t
    for p in "$1" $(pgrep -P "$1"); do
        for t in /proc/"$p"/task/*; do
            s=$((s + $(awk '/ctxt_switches/ {x += $2} END {print x}' "$t/status")))
        done
    done
    echo "$s"
}
run() { # label, binary, flags...
    local label=$1; shift
    taskset -c 0 "$B/$1" --port 0 "${@:2}" >"$OUT/srv.out" 2>/dev/null &
    local pid=$!
    for _ in $(seq 50); do grep -q listening "$OUT/srv.out" && break; sleep 0.1; done
    local port; port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$OUT/srv.out" | head -1)
    sleep 1  # every worker up
    local s0 c0 s1 c1
    s0=$(switches "$pid"); c0=$(cpu0_busy)
    "$B/echoload" -c 100 --size 64 --port "$port" --cpu 1 --warmup 0 -d 3 \
        --json "$OUT/load.json" >/dev/null 2>&1
    s1=$(switches "$pid"); c1=$(cpu0_busy)
    kill -TERM "$pid"; wait "$pid"
    python3 - "$OUT/load.json" "$label" "$((s1 - s0))" "$((c1 - c0))" \
        "$(getconf CLK_TCK)" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
counts = doc["counts"]
n = counts["completed"]
rate = counts["rate_per_s"]
switches, ticks, hz = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"{sys.argv[2]:28} {rate:9,.0f} msgs/s  {switches / n:5.2f} "
      f"switches/msg  CPU 0 busy {ticks / hz * 1e6 / n:6.2f} us/msg")
PY
}
uptime
for r in 1 2 3; do
    echo "round $r"
    run "thread_pool --threads 100" thread_pool --threads 100
    run "prefork --workers 100" prefork --workers 100
done
"$B/echo_bench" --scenarios micro --rounds 3 --benchmark_filter=switch 2>/dev/null |
    awk '/_median/ {printf "%-40s %8.2f us per switch (median of 3)\n", $1, $2 / 100}'
