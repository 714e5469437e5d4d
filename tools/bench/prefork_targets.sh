#!/usr/bin/env bash
# Side-by-side figures for prefork's targets (docs/variants/prefork.md):
# server on CPU 0, echoload on CPU 1, variants interleaved, 3 rounds.
# Usage: tools/bench/prefork_targets.sh [OUT_DIR]; the JSON files there
# hold first_echo_latency_us.p50 and counts.rate_per_s per run.
set -u
OUT=${1:-/tmp/prefork-targets}; mkdir -p "$OUT"
B=${ECHOLAB_BIN_DIR:-$(dirname "$0")/../../build/bin}
run() { # name json-out mode args -- server args
    local out=$1; shift; local mode=$1; shift; local conns=$1; shift
    taskset -c 0 "$B/$1" --port 0 "${@:2}" > "$OUT/srv.out" 2>/dev/null &
    local pid=$!
    for _ in $(seq 50); do grep -q listening "$OUT/srv.out" && break; sleep 0.1; done
    local port; port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$OUT/srv.out" | head -1)
    "$B/echoload" --mode "$mode" -c "$conns" --port "$port" --cpu 1 -d 3 --json "$out" >/dev/null 2>&1
    kill -TERM "$pid"; wait "$pid"
}
for r in 1 2 3; do
  run $OUT/conn-iterative-$r.json connect 1 iterative
  run $OUT/conn-prefork-$r.json connect 1 prefork
  run $OUT/conn-fork-$r.json connect 1 fork_per_conn
  run $OUT/tp-prefork-$r.json throughput 100 prefork --workers 100
  run $OUT/tp-pool-$r.json throughput 100 thread_pool --threads 100
done
