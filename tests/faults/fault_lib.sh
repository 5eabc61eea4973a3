# shellcheck shell=bash disable=SC2154
# The fault suite's shell helpers (sourced by fault_suite_test.sh):
# phases and their verdicts, the controller and the
# exporter under test, the /metrics poller, libvirtd restarts and the churn.
# A failed assertion marks its phase failed and the suite goes on, so one run
# shows every phase's verdict. Like tests/e2e/e2e_lib.sh (which Bazel does not
# export to this package), it guarantees that no guest with VMB_PREFIX is left
# and that the faults it injected are undone, even on a Bazel timeout.

readonly TESTBED="$RUNFILES/tests/testbed"
readonly CONTROLLERS="$RUNFILES/controller"
readonly OUT="${TEST_UNDECLARED_OUTPUTS_DIR:-${TEST_TMPDIR:-$(mktemp -d)}}"
readonly SUITE_STARTED=$SECONDS

note() { echo "faults: [$((SECONDS - SUITE_STARTED))s] $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# A libvirtd from this tree's tools/ when none answers (see the helper).
source "$RUNFILES/tests/shell/libvirt_for_tests.sh"
LIBVIRT_UP=$(libvirt_up_path)
readonly LIBVIRT_UP
libvirt_for_tests "${VMB_CONNECT:-qemu:///system}" ||
  fail "libvirt does not answer: run tools/libvirt_up.sh as root first"

failures=0
failed_phases=()
phase_times=()
phase=""
ctl_pid="" poller_pid="" exporter_pid="" stopped_qemu="" dry_run=""
dump_pid="" dump_file=""

# event NAME: records when a fault was injected, for check_faults.py.
event() { echo "$1 $(date +%s.%N)" >>"$OUT/events.txt"; }

phase_start() {
  phase=$1
  phase_began=$SECONDS
  note "=== phase $phase"
}
phase_end() {
  phase_times+=("$phase $((SECONDS - phase_began))s")
  note "=== phase $phase done in $((SECONDS - phase_began)) s"
}
report_phases() { note "wall time per phase: ${phase_times[*]}"; }

# soft_fail MESSAGE: the current phase failed; the suite goes on.
soft_fail() {
  echo "FAIL [$phase] $*" >&2
  failures=$((failures + 1))
  [[ " ${failed_phases[*]} " == *" $phase "* ]] || failed_phases+=("$phase")
}

# judge NAME COMMAND...: runs a checker, shows its verdict lines.
judge() {
  local name=$1
  shift
  if ! "$@" | tee "$OUT/check_$name.txt"; then
    soft_fail "$name: the assertions marked FAIL above"
  fi
}

# wait_for SECS WHAT COMMAND...: a precondition, not a verdict: fails the
# test when it does not come in time.
source "$RUNFILES/tests/shell/wait_for.sh"

# port_of LOG: the port a controller or exporter logged it serves on.
port_of() { sed -n 's/.*serving \/metrics on port \([0-9]*\).*/\1/p' "$1" | sed -n 1p; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }

expect_alive() { kill -0 "$1" 2>/dev/null || soft_fail "$2 (pid $1) died"; }

# expect_rss_bounded PID NAME BEFORE_KIB: RSS grew by at most 32 MiB (a
# storm's buffers), not without bound.
expect_rss_bounded() {
  local now
  now=$(rss_kib "$1")
  note "$2 RSS ${3} KiB -> ${now} KiB"
  ((now <= $3 + 32768)) || soft_fail "$2 RSS grew from $3 to $now KiB"
}

# Guests that are not this suite's: the controller would pin and resize them.
foreign_domains() {
  virsh -q -c "${VMB_CONNECT:-qemu:///system}" list --name |
    grep -v -e "^$VMB_PREFIX" -e '^$' || true
}

# start_controller: `vmbalanced 1` (or FAULT_CONTROLLER) serving /metrics,
# its output stamped with the time into $OUT/controller.log; sets ctl_pid,
# ctl_url and dry_run.
start_controller() {
  local others ctl=${FAULT_CONTROLLER:-$CONTROLLERS/vmbalanced}
  others=$(foreign_domains | tr '\n' ' ')
  if [[ -n $others ]]; then
    dry_run=1
    note "other guests run here ($others): controller in --dry_run, so it touches none of them"
  fi
  # shellcheck disable=SC2206  # flags are meant to split
  local cmd=("$ctl" --listen=127.0.0.1:0 ${dry_run:+--dry_run} ${FAULT_CONTROLLER_FLAGS:-} 1)
  note "controller: ${cmd[*]}"
  "${cmd[@]}" > >("$FAULTS/timestamp_lines.py" >"$OUT/controller.log") 2>&1 &
  ctl_pid=$!
  wait_for 20 "the controller's port in its log" port_known "$OUT/controller.log"
  ctl_url="http://127.0.0.1:$(port_of "$OUT/controller.log")/metrics"
}
port_known() { [[ -n $(port_of "$1") ]]; }

# stop_controller_expect_0: SIGTERM; the controller must exit 0 in 10 s.
stop_controller_expect_0() {
  kill -TERM "$ctl_pid"
  local rc=0 i
  for i in $(seq 20); do
    kill -0 "$ctl_pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$ctl_pid" 2>/dev/null; then
    soft_fail "vmbalanced did not exit within 10 s of SIGTERM"
    kill -KILL "$ctl_pid"
  fi
  wait "$ctl_pid" || rc=$?
  ((rc == 0)) || soft_fail "vmbalanced exited $rc on SIGTERM, want 0"
  note "vmbalanced exited $rc on SIGTERM"
  expect_no_leak_report "$OUT/controller.log" vmbalanced
  ctl_pid=""
}

start_poller() {
  local url=$1
  shift
  local g args=()
  for g in "$@"; do args+=(--guest "$g"); done
  "$FAULTS/poll_metrics.py" "$url" "$OUT/polls.jsonl" --period 0.5 \
    --metric libvirt_up --metric libvirt_domain_vcpu_time_seconds_total \
    --metric vmbalance_vcpu_pin_changes_total \
    --metric vmbalance_domain_read_timeouts_total \
    --metric vmbalance_domain_readable --metric vmbalance_sample_errors_total \
    "${args[@]}" &
  poller_pid=$!
}
stop_poller() {
  [[ -z $poller_pid ]] || { kill -TERM "$poller_pid" 2>/dev/null || true; wait "$poller_pid" || true; }
  poller_pid=""
}

# sampled_all GUESTS...: the last poll shows every guest's vCPU time.
sampled_all() {
  local last g
  last=$(tail -n1 "$OUT/polls.jsonl" 2>/dev/null) || return 1
  for g in "$@"; do
    [[ $last == *"libvirt_domain_vcpu_time_seconds_total{"*"domain=\\\"$g\\\""* ]] || return 1
  done
}

# The live libvirtd's pid: a killed one lingers as a zombie for a while
# here (PID 1 reaps late), and pgrep still lists it.
libvirtd_pid() {
  local pid
  for pid in $(pgrep -x libvirtd || true); do
    [[ $(ps -o stat= -p "$pid" 2>/dev/null) == Z* ]] || { echo "$pid"; return; }
  done
}

# start_libvirtd: tools/libvirt_up.sh (found beside this suite's source),
# once the killed daemon's zombie is reaped (its "already running" check
# would count the zombie); the same commands when it is not there.
start_libvirtd() {
  local deadline=$((SECONDS + 5))
  while [[ -z $(libvirtd_pid) ]] && pgrep -x libvirtd >/dev/null &&
    ((SECONDS < deadline)); do
    sleep 0.1
  done
  if [[ -z $(libvirtd_pid) ]]; then
    if [[ -x $LIBVIRT_UP ]] && ! pgrep -x libvirtd >/dev/null; then
      "$LIBVIRT_UP" >/dev/null 2>&1 || true
    else
      rm -f /run/libvirtd.pid
      libvirtd -d
    fi
  fi
  timeout 30 sh -c "until virsh -c qemu:///system list >/dev/null 2>&1; do sleep 0.2; done"
}

# restart_libvirtd N: kill -9, 1.5 s down (an outage a tick will see), up.
restart_libvirtd() {
  local pid
  pid=$(libvirtd_pid)
  [[ -n $pid ]] || fail "no libvirtd to kill"
  event "kill$1"
  kill -KILL "$pid"
  sleep 1.5
  start_libvirtd || fail "libvirtd did not answer within 30 s of restart $1"
  event "up$1"
  note "libvirtd restart $1: killed $pid, answering again as $(libvirtd_pid)"
}

# hold_job GUEST: another client takes GUEST's domain job and keeps it: its
# QEMU stopped, then `virsh dump --memory-only`, which takes the async job
# and waits on the monitor until the QEMU runs again. (A dump whose target
# blocks in open(), e.g. a FIFO, is worse: libvirtd's thread then holds the
# domain's lock too, and every client's listing waits; not done here, it
# stalls every libvirt user on the host.) Sets stopped_qemu, dump_pid.
hold_job() {
  local qemu
  qemu=$(cat "/run/libvirt/qemu/$1.pid")
  dump_file=$(mktemp /tmp/fault-job-dump.XXXXXX)
  event stop
  kill -STOP "$qemu"
  stopped_qemu=$qemu  # fault_cleanup sends SIGCONT whatever happens
  virsh -q -c "${VMB_CONNECT:-qemu:///system}" dump "$1" "$dump_file" \
    --memory-only >"$OUT/job_dump.log" 2>&1 &
  dump_pid=$!
  sleep 1
  kill -0 "$dump_pid" 2>/dev/null ||
    soft_fail "virsh dump of $1 ended at once, no job held: $(cat "$OUT/job_dump.log")"
  event job
  note "$1: QEMU $qemu stopped, virsh dump (pid $dump_pid) holding its job for $JOB_HOLD_S s"
}

# release_job: SIGCONT; the dump must have held the job until now and end
# within 30 s of it.
release_job() {
  kill -0 "$dump_pid" 2>/dev/null ||
    soft_fail "virsh dump ended before the release: the job was not held throughout ($(cat "$OUT/job_dump.log"))"
  event cont
  kill -CONT "$stopped_qemu"
  stopped_qemu=""
  local rc=0 i
  for ((i = 0; i < 60; i++)); do
    kill -0 "$dump_pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$dump_pid" 2>/dev/null; then
    soft_fail "virsh dump still running 30 s after SIGCONT"
  else
    wait "$dump_pid" || rc=$?
    ((rc == 0)) || soft_fail "virsh dump exited $rc after SIGCONT: $(cat "$OUT/job_dump.log")"
  fi
  event released
  note "job released: virsh dump exited $rc"
  dump_pid=""
  rm -f "$dump_file"
}

# fault_cleanup: whatever happened, the stopped QEMU runs again, libvirtd
# answers, and every process this suite started is gone.
fault_cleanup() {
  [[ -z $stopped_qemu ]] || kill -CONT "$stopped_qemu" 2>/dev/null || true
  [[ -z $dump_pid ]] || { sleep 2; kill -TERM "$dump_pid" 2>/dev/null || true; }
  [[ -z $dump_file ]] || rm -f "$dump_file"
  [[ -n $(libvirtd_pid) ]] || start_libvirtd || true
  stop_poller
  [[ -z $ctl_pid ]] || kill -TERM "$ctl_pid" 2>/dev/null || true
  [[ -z $exporter_pid ]] || kill -TERM "$exporter_pid" 2>/dev/null || true
  VMB_PREFIX=$CHURN_PREFIX "$TESTBED/testbed.sh" down >/dev/null 2>&1 || true
  "$TESTBED/testbed.sh" down >/dev/null 2>&1 || true
  wait 2>/dev/null || true
}
suite_exit() {
  local rc=$?
  set +e  # a failing step must not skip the rest of the cleanup
  fault_cleanup
  local left
  left=$(virsh -c "${VMB_CONNECT:-qemu:///system}" list --all --name |
    grep -c "^$VMB_PREFIX" || true)
  ((left == 0)) || { echo "FAIL: $left domain(s) left behind" >&2; rc=1; }
  note "finished with status $rc (outputs in $OUT)"
  exit "$rc"
}
trap suite_exit EXIT
trap 'exit 143' TERM  # a Bazel timeout still runs the cleanup
trap 'exit 130' INT

# Series in a scrape that are this suite's to judge: the host's (no domain
# label) and the churn guest's; other guests on a shared host come and go.
series_ours() { grep -v '^#' "$1" | grep -Evc 'domain="' || true; }
series_of() { grep -v '^#' "$1" | grep -c "domain=\"$2\"" || true; }
exporter_scrape() { curl -fsS --max-time 10 "$exp_url" >"$1"; }
# has_series GUEST yes|no: the exporter's next scrape does (not) show GUEST.
has_series() {
  exporter_scrape "$OUT/churn_scrape.txt" || return 1
  local n
  n=$(series_of "$OUT/churn_scrape.txt" "$1")
  if [[ $2 == yes ]]; then ((n > 0)); else ((n == 0)); fi
}

# churn_cycle I GUEST: one start and destroy; every 10th waits for the
# exporter to show the new instance, then to drop it with nothing left over.
churn_cycle() {
  local i=$1 g=$2 v="virsh -q -c ${VMB_CONNECT:-qemu:///system}"
  $v start "$g" >/dev/null
  if ((i % 10 == 0)); then
    wait_for_soft 10 has_series "$g" yes ||
      soft_fail "cycle $i: $g (started) not in /metrics within 10 s"
  fi
  $v destroy "$g" >/dev/null
  ((i % 10 == 0)) || return 0
  if wait_for_soft 8 has_series "$g" no; then
    local n
    n=$(series_ours "$OUT/churn_scrape.txt")
    ((n == host_series)) ||
      soft_fail "cycle $i: $n host series after destroy, want $host_series ($(grep -m1 '^libvirt_up ' "$OUT/churn_scrape.txt"): a destroy failed the whole sample?)"
  else
    soft_fail "cycle $i: $g's series still in /metrics 8 s after destroy (stale)"
  fi
  note "churn: $i cycles, exporter $(fd_count "$exporter_pid") fds, $(rss_kib "$exporter_pid") KiB RSS"
}

# churn_guest: libvirt_exporter at 1 s, one tiny guest started and destroyed
# CYCLES times: its series go with it, the exporter's fds and RSS stay put.
churn_guest() {
  VMB_PREFIX=$CHURN_PREFIX "$TESTBED/testbed.sh" up "$FAULTS/guests/churn.guests"
  local g=${CHURN_PREFIX}00 i
  "${FAULT_EXPORTER:-$RUNFILES/exporter/libvirt_exporter}" \
    --connect="${VMB_CONNECT:-qemu:///system}" --interval=1 \
    --listen=127.0.0.1:0 >"$OUT/exporter.log" 2>&1 &
  exporter_pid=$!
  wait_for 20 "the exporter's port" port_known "$OUT/exporter.log"
  exp_url="http://127.0.0.1:$(port_of "$OUT/exporter.log")/metrics"
  wait_for 20 "$g in the exporter's /metrics" has_series "$g" yes
  note "$g running: $(series_of "$OUT/churn_scrape.txt" "$g") series of its own"
  virsh -q -c "${VMB_CONNECT:-qemu:///system}" destroy "$g" >/dev/null
  wait_for 10 "$g's series to go after its first destroy (a stalled exporter tick? see $OUT/exporter.log)" has_series "$g" no
  host_series=$(series_ours "$OUT/churn_scrape.txt")
  local fds0 rss0 fds1 rss1 rc=0
  fds0=$(fd_count "$exporter_pid") rss0=$(rss_kib "$exporter_pid")
  note "baseline: $host_series host series; exporter $fds0 fds, $rss0 KiB RSS"
  for ((i = 1; i <= CYCLES; i++)); do churn_cycle "$i" "$g"; done
  expect_alive "$exporter_pid" libvirt_exporter
  fds1=$(fd_count "$exporter_pid") rss1=$(rss_kib "$exporter_pid")
  # The exporter's own storm, after the churn: same rules as vmbalanced's.
  judge exporter_storm "$FAULTS/scrape_storm.py" "$exp_url" --total 1000 --concurrency 50
  expect_alive "$exporter_pid" libvirt_exporter
  expect_rss_bounded "$exporter_pid" libvirt_exporter "$rss1"
  note "after $CYCLES cycles: exporter $fds0 -> $fds1 fds, $rss0 -> $rss1 KiB RSS"
  ((fds1 <= fds0)) || soft_fail "the exporter's fds grew from $fds0 to $fds1 over $CYCLES cycles"
  ((rss1 <= rss0 + 4096)) || soft_fail "the exporter's RSS grew from $rss0 to $rss1 KiB over $CYCLES cycles"
  kill -TERM "$exporter_pid"
  wait "$exporter_pid" || rc=$?
  exporter_pid=""
  ((rc == 0)) || soft_fail "libvirt_exporter exited $rc on SIGTERM, want 0"
  expect_no_leak_report "$OUT/exporter.log" libvirt_exporter
}

# expect_no_leak_report LOG NAME: the process did not say, on closing its
# connection, that libvirt handles were still referenced.
expect_no_leak_report() {
  if grep -q "leaked handles" "$1"; then
    soft_fail "$2 reported leaked libvirt handles on exit: $(grep -m1 'leaked handles' "$1")"
  fi
}

# wait_for_soft SECS COMMAND...: like wait_for, but returns 1 on timeout.
wait_for_soft() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}
