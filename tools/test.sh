#!/usr/bin/env bash
# The README's test command: set up the host, then run every test, real
# guests and a real Prometheus included. Extra arguments go to `bazel test`
# (e.g. --test_tag_filters=-realguest to skip the real-guest tests locally).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tools/setup.sh
exec bazel test --nocache_test_results --test_output=errors \
  --test_summary=terse "$@" //...
