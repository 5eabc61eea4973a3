#!/usr/bin/env bash
# A longer fuzzing campaign than CI's: builds one target of fuzz/targets.txt
# (or all) with clang + libFuzzer + ASan/UBSan and runs it for SECONDS,
# starting from its committed corpus. New inputs collect in a work directory
# outside the tree; FUZZ_MERGE=1 afterwards minimises them into
# fuzz/corpus/TARGET (commit that). A crash stops the run with exit 1 and
# names the saved input: add it to the corpus as a regression seed once fixed.
#
#   tools/fuzz.sh TARGET|all SECONDS
# Env: FUZZ_WORK (/tmp/vmbalance-fuzz), FUZZ_MERGE (0), FUZZ_JOBS (2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

usage() { echo "usage: tools/fuzz.sh TARGET|all SECONDS (targets: $1)" >&2; exit 2; }
targets=$(sed -n 's/^\([a-z_]*\) .*/\1/p' fuzz/targets.txt | tr '\n' ' ')
(($# == 2)) || usage "$targets"
target=$1 seconds=$2
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage "$targets"
if [[ $target == all ]]; then
  set -- $targets
elif [[ " $targets " == *" $target "* ]]; then
  set -- "$target"
else
  usage "$targets"
fi

work=${FUZZ_WORK:-/tmp/vmbalance-fuzz}
mkdir -p "$work"
mapfile -t fuzzers < <(fuzz/build.sh "$root" "$work/build" "$@")
status=0
for fuzzer in "${fuzzers[@]}"; do
  name=$(basename "$fuzzer" _fuzzer)
  mkdir -p "$work/corpus/$name" "$work/crashes"
  echo "fuzz: $name for ${seconds}s (new inputs: $work/corpus/$name)"
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$work/crashes/$name-" \
      "$work/corpus/$name" "fuzz/corpus/$name" 2>"$work/$name.log"; then
    echo "fuzz: $name CRASHED; see $work/$name.log and $work/crashes/" >&2
    grep -E 'ERROR|SUMMARY|invariant failed|runtime error' "$work/$name.log" >&2 || true
    status=1
    continue
  fi
  sed -n 's/^stat::number_of_executed_units: */fuzz: runs: /p' "$work/$name.log"
  grep -E '^#[0-9]+[[:space:]]+DONE' "$work/$name.log" | tail -1 || true
  if [[ ${FUZZ_MERGE:-0} == 1 ]]; then
    "$fuzzer" -merge=1 "fuzz/corpus/$name" "$work/corpus/$name" 2>>"$work/$name.log"
    echo "fuzz: merged into fuzz/corpus/$name ($(ls "fuzz/corpus/$name" | wc -l) files)"
  fi
done
exit "$status"
