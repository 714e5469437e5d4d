#!/bin/sh
# Runs the tests that start a variant as nobody with the variants in a
# 0700 folder, as a checkout under /root is: nobody cannot enter it, and
# the tests must not depend on where the checkout lives (they run a copy).
# The copy is what a clone under ~ gives, without a second build.
#   from_private_folder.sh <bin dir> <test binary> [gtest flags]
set -eu
bin=$1
tests=$2
shift 2
private=$(mktemp -d /tmp/echolab-private-XXXXXX)
trap 'rm -rf "$private"' EXIT
chmod 700 "$private"
mkdir "$private/bin"
for file in "$bin"/*; do
    case $file in
        *_test | *_bench | *.json) ;;  # only the servers the tests start
        *) if [ -f "$file" ] && [ -x "$file" ]; then cp "$file" "$private/bin/"; fi ;;
    esac
done
cd "$private"
ECHOLAB_BIN_DIR="$private/bin" "$tests" "$@"
