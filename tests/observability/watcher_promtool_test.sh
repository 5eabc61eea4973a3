#!/usr/bin/env bash
# promtool over prometheus/fleet: the Watcher scrape config (with its rule
# file), the federation config, the Watcher rules and their unit tests, which
# run Watcher's own queries over the recorded series, and the README's
# metadata joins (metadata_join_test.yml). Fails without promtool.
set -euo pipefail
promtool="${PROMTOOL:-/usr/bin/promtool}"
[[ -x $promtool ]] || { echo "FAIL: promtool not found at $promtool" >&2; exit 1; }
work="$(mktemp -d "${TEST_TMPDIR:-/tmp}/fleet.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -L prometheus/fleet/*.yml "$work/"
cd "$work"
"$promtool" check config watcher_scrape.yml
"$promtool" check config federation.yml
"$promtool" check config remote_write.yml
"$promtool" check rules watcher_rules.yml
"$promtool" test rules watcher_rules_test.yml metadata_join_test.yml
echo "PASS"
