#!/usr/bin/env bash
# check_small_host.py on made-up runs: a good run passes, and each thing it
# guards (host available at the reserve, a dead holder, a host OOM kill, a
# guest OOM kill of something other than the workload, a guest reboot, no
# growth) fails it on its own.
set -euo pipefail
check="${TEST_SRCDIR:-.}/vmbalance/tests/e2e/check_small_host.py"
[[ -x $check ]] || check="$(dirname "$0")/check_small_host.py"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# A good run, written fresh into $dir before each case.
good_run() {
  rm -rf "${dir:?}"/*
  mkdir "$dir/consoles"
  printf 'time_s,mem_available_mib,mem_free_mib,holder_alive\n0.0,3000,2400,1\n0.5,900,300,1\n1.0,700,200,1\n' >"$dir/host.csv"
  printf 'time_s,g0_actual_mib,g0_unused_mib,g1_actual_mib,g1_unused_mib\n1,512,100,512,90\n2,1300,100,1000,90\n' >"$dir/monitor.csv"
  printf '  host total 24105 MiB  free 3000 MiB  reserve 482 MiB\n' >"$dir/controller.log"
  printf '[1.0] boot\n' >"$dir/dmesg_before.txt"
  printf '[1.0] boot\n[9.0] something harmless\n' >"$dir/dmesg_after.txt"
  for g in g0 g1; do
    printf 'vmb: guest %s up after 1.0 s\nmem_worker: low (free 90 MiB, avail 20 MiB), freeing 300 MiB\n' "$g" >"$dir/consoles/$g.console.log"
  done
  echo '[  50.1] Out of memory: Killed process 77 (mem_worker) total-vm:1kB' >>"$dir/consoles/g1.console.log"
}

run() {
  "$check" "$dir/host.csv" "$dir/monitor.csv" "$dir/controller.log" \
    "$dir/dmesg_before.txt" "$dir/dmesg_after.txt" "$dir/consoles" \
    --min_growth_mib=1024 >"$dir/out.txt"
}

good_run
run || { cat "$dir/out.txt"; echo "FAIL: the good run failed"; exit 1; }
grep -qx 'g1_guest_oom_kills=1' "$dir/out.txt" || { echo "FAIL: guest OOM kill not counted"; exit 1; }

expect_fail() {
  local what=$1
  if run; then
    cat "$dir/out.txt"
    echo "FAIL: $what passed"
    exit 1
  fi
  grep -q '^FAIL:' "$dir/out.txt"
  echo "ok: $what fails: $(grep -m1 '^FAIL:' "$dir/out.txt")"
}

good_run; echo '1.5,482,100,1' >>"$dir/host.csv"; expect_fail "host available at the reserve"
good_run; echo '1.5,3000,100,0' >>"$dir/host.csv"; expect_fail "a dead holder"
good_run; echo '[10.0] Out of memory: Killed process 9 (python3)' >>"$dir/dmesg_after.txt"; expect_fail "a host OOM kill"
good_run; echo 'Out of memory: Killed process 1 (sh)' >>"$dir/consoles/g0.console.log"; expect_fail "a guest OOM kill of PID 1's shell"
good_run; echo 'vmb: guest g0 up after 1.0 s' >>"$dir/consoles/g0.console.log"; expect_fail "a guest reboot"
good_run; echo 'Kernel panic - not syncing: System is deadlocked on memory' >>"$dir/consoles/g0.console.log"; expect_fail "a guest panic"
good_run; printf 'time_s,g0_actual_mib,g0_unused_mib,g1_actual_mib,g1_unused_mib\n1,512,100,512,90\n2,600,100,600,90\n' >"$dir/monitor.csv"; expect_fail "too little growth"
good_run; : >"$dir/controller.log"; expect_fail "no reserve in the controller log"
echo PASS
