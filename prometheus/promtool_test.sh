#!/usr/bin/env bash
# Runs Debian's promtool over the repo's Prometheus files: the configuration
# (with the example target files in place, so they are parsed too), the rule
# files, and the rule unit tests. Fails if promtool is missing: a skipped
# check would read as a passed one.
set -euo pipefail

promtool="${PROMTOOL:-/usr/bin/promtool}"
if [[ ! -x "$promtool" ]]; then
  echo "FAIL: promtool not found at $promtool (apt-get install prometheus)" >&2
  exit 1
fi

src="${TEST_SRCDIR:?}/${TEST_WORKSPACE:?}/prometheus"
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/promtool.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Dereference Bazel's runfile symlinks: promtool resolves rule_files and
# file_sd globs relative to the config file.
cp -rL "$src/prometheus.yml" "$src/rules" "$work/"
mkdir "$work/targets"
cp -L "$src"/targets/examples/*.json "$work/targets/"

cd "$work"
status=0
run() {
  echo "+ promtool $*"
  if ! "$promtool" "$@"; then
    echo "FAIL: promtool $*" >&2
    status=1
  fi
}
run check config prometheus.yml
rules=()
tests=()
for f in rules/*.yml; do
  if [[ "$f" == *_test.yml ]]; then tests+=("$f"); else rules+=("$f"); fi
done
run check rules "${rules[@]}"
run test rules "${tests[@]}"
exit "$status"
