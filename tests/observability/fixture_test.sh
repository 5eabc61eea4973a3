#!/usr/bin/env bash
# testdata/vmbalanced.prom passes `promtool check metrics` and names exactly
# the metrics of exported_metrics.txt, with their types.
set -euo pipefail
promtool="${PROMTOOL:-/usr/bin/promtool}"
[[ -x "$promtool" ]] || { echo "FAIL: no promtool at $promtool" >&2; exit 1; }
dir="tests/observability"
sed 's/ NOW$/ 1700000000/' "$dir/testdata/vmbalanced.prom" | "$promtool" check metrics
want="$(grep -v '^#' "$dir/exported_metrics.txt" | awk 'NF {print $1, $2}' | sort)"
got="$(awk '$1 == "#" && $2 == "TYPE" {print $3, $4}' "$dir/testdata/vmbalanced.prom" | sort)"
if [[ "$want" != "$got" ]]; then
  echo "FAIL: fixture and contract differ (< contract, > fixture):" >&2
  diff <(echo "$want") <(echo "$got") >&2 || true
  exit 1
fi
echo "PASS: $(echo "$want" | wc -l) metrics"
