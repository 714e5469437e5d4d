#!/bin/sh
# Runs the EchoConformance and ServerFaults suites against one server
# command instead of the echolab variants. See docs/conformance.md.
#
#   tests/conformance/run_against.sh 'python3 my_server.py' [gtest flags]
#   tests/conformance/run_against.sh 'java -jar echo.jar --port {port}'
#
# Environment: ECHOLAB_BUILD_DIR (default: build in the repository),
# ECHOLAB_SERVER_MODEL (one_at_a_time | worker_pool | per_connection),
# ECHOLAB_NO_BUILD=1 to run the suites as built, without rebuilding.
# Exit status: 0 when every test passed (or was skipped), 1 otherwise,
# 2 for a usage error.
set -u

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 'SERVER COMMAND [--port {port}]' [gtest flags]" >&2
    exit 2
fi
ECHOLAB_SERVER_CMD=$1
export ECHOLAB_SERVER_CMD
shift

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${ECHOLAB_BUILD_DIR:-$root/build}
if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "$0: no build in $build; configure one first:" >&2
    echo "  cmake -S $root -B $build" >&2
    exit 2
fi
# The check_custom_server target has built them already.
if [ -z "${ECHOLAB_NO_BUILD:-}" ]; then
    cmake --build "$build" --target echo_conformance_test \
        server_faults_test >/dev/null || exit 2
fi

status=0
for suite in echo_conformance_test server_faults_test; do
    "$build/bin/$suite" "$@" || status=1
done
exit $status
