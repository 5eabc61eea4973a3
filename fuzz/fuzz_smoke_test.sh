#!/usr/bin/env bash
# CI's short fuzzing run: builds every target in fuzz/targets.txt with clang
# (libFuzzer, ASan, UBSan) and runs each for FUZZ_SECONDS (12) from its
# committed corpus, which also replays every saved regression input. Fails
# on any crash, sanitizer report, leak, broken invariant or build failure;
# the crashing input is kept in the test's undeclared outputs.
set -euo pipefail

seconds=${FUZZ_SECONDS:-12}
runfiles=${TEST_SRCDIR:?run under bazel test}/vmbalance
# The sources listed in data are symlinks into the source tree: build from
# there so every header the parsers include is found.
src=$(cd "$(dirname "$(readlink -f "$runfiles/fuzz/targets.txt")")/.." && pwd)
tmp=${TEST_TMPDIR:-$(mktemp -d)}
artifacts=${TEST_UNDECLARED_OUTPUTS_DIR:-$tmp}

start=$SECONDS
# A target that no longer builds (a parser gained a source file that
# targets.txt lacks) fails the test, not just drops out of it.
if ! "$runfiles/fuzz/build.sh" "$src" "$tmp/build" >"$tmp/built.txt" 2>"$tmp/build.log"; then
  grep -E 'error|undefined reference' "$tmp/build.log" | head -20
  echo "FAIL: building the fuzz targets (see fuzz/targets.txt)"
  exit 1
fi
mapfile -t fuzzers <"$tmp/built.txt"
listed=$(grep -c '^[a-z]' "$src/fuzz/targets.txt")
echo "built ${#fuzzers[@]} of $listed fuzz targets in $((SECONDS - start)) s"
((${#fuzzers[@]} == listed)) || { echo "FAIL: not every target built"; exit 1; }

failed=()
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer" _fuzzer)
  work="$tmp/corpus/$name"  # new inputs go here, never into the source tree
  mkdir -p "$work"
  log="$tmp/$name.log"
  rc=0
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
    "$work" "$src/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  if ((rc != 0)); then
    failed+=("$name")
    echo "FAIL: $name (exit $rc after ${runs:-?} runs):"
    grep -E 'ERROR|SUMMARY|invariant failed|runtime error|Test unit written' \
      "$log" | head -20 || tail -20 "$log"
  else
    echo "ok: $name, ${runs:-?} runs in ${seconds} s, no crash"
  fi
done
echo "total $((SECONDS - start)) s"
((${#failed[@]} == 0)) || { echo "FAIL: ${failed[*]}"; exit 1; }
