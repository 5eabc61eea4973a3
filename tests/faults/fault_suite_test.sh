#!/usr/bin/env bash
# Issue 10's fault-injection suite on real guests, judged as a user would:
# from /metrics (scraped every 0.5 s by poll_metrics.py), the guests' vCPU
# affinity in /proc and the controller's log. Phases (args, default all):
#   hung     4 busy guests all pinned to pCPU 0, `vmbalanced 1`; one guest's
#            QEMU is SIGSTOPped for 10 s and the others are pinned back onto
#            pCPU 0: the others' vCPU time must move in /metrics every ~2
#            intervals, the stopped guest be reported unreadable (timeout
#            series or a log line naming it), the scheduler move the others
#            while its affinity stays put, and all resume after SIGCONT.
#   job      one guest's domain job held by another client, as during a
#            migration or a dump: its QEMU is SIGSTOPped and `virsh dump
#            --memory-only` started on it (the dump takes the async job and
#            waits on the monitor; libvirt answers the guest's state, info,
#            vCPU times and XML at once, its stats, pins and setmem wait for
#            the job) for JOB_HOLD_S, the others pinned back onto pCPU 0: the
#            others' vCPU time must move every ~2 intervals, the held guest be
#            reported unreadable and left unpinned, libvirt_up stay 1; after
#            SIGCONT the dump ends, and the held guest is sampled and
#            readable again (no call of vmbalanced's left hung on it).
#   storm    1000 scrapes of vmbalanced, 50 at a time: all complete 200s,
#            the process alive, its RSS bounded.
#   restart  libvirtd killed (-9) and restarted 5 times: libvirt_up goes 0
#            then 1 and the guests' counters advance again within
#            FAULT_RECOVER_S; vmbalanced survives and exits 0 on SIGTERM.
#   churn    libvirt_exporter, one tiny guest destroyed and started 50 times:
#            its series go when it goes, the series count returns to its
#            baseline, the exporter's fds and RSS do not grow; then 1000
#            scrapes of the exporter, 50 at a time, as for vmbalanced.
# The controller pins and resizes every guest on the host: when guests other
# than this suite's run, it runs with --dry_run and the scheduler is judged
# by the pins it decides (the log), not applied ones.
# Env: FAULT_STOP_S (10), FAULT_JOB_HOLD_S (12: under libvirt's 30 s
#      wait for a job, so vmbalanced's calls wait on it the whole time),
#      FAULT_MAX_STALL_S (3.5), FAULT_RECOVER_S (6),
#      FAULT_CYCLES (50), FAULT_CONTROLLER_FLAGS, FAULT_CONTROLLER /
#      FAULT_EXPORTER (other binaries,
#      e.g. a build of older code to see the suite fail).
set -euo pipefail
export VMB_PREFIX=flt-
readonly RUNFILES="${TEST_SRCDIR:?run under bazel test, or set TEST_SRCDIR to a runfiles tree}/vmbalance"
readonly FAULTS="$RUNFILES/tests/faults"
readonly CHURN_PREFIX=flt-c-
readonly STOP_S=${FAULT_STOP_S:-10} MAX_STALL_S=${FAULT_MAX_STALL_S:-3.5}
readonly RECOVER_S=${FAULT_RECOVER_S:-6} CYCLES=${FAULT_CYCLES:-50}
readonly JOB_HOLD_S=${FAULT_JOB_HOLD_S:-12}
phases=("${@:-hung job storm restart churn}")
read -r -a phases <<<"${phases[*]}"
want() { [[ " ${phases[*]} " == *" $1 "* ]]; }
source "$FAULTS/fault_lib.sh"

if want hung || want job || want storm || want restart; then
  phase_start guests
  "$TESTBED/testbed.sh" up "$FAULTS/guests/busy.guests"
  "$TESTBED/testbed.sh" wait-ready 120
  mapfile -t guests < <("$TESTBED/testbed.sh" names)
  start_controller
  start_poller "$ctl_url" "${guests[@]}"
  wait_for 30 "every guest in vmbalanced's /metrics" sampled_all "${guests[@]}"
  phase_end guests
fi

if want hung; then
  phase_start hung
  stopped=${guests[0]}
  others=("${guests[@]:1}")
  event baseline
  sleep 8
  qemu=$(cat "/run/libvirt/qemu/$stopped.pid")
  event stop
  kill -STOP "$qemu"
  stopped_qemu=$qemu  # fault_cleanup sends SIGCONT whatever happens
  note "SIGSTOP $stopped (qemu $qemu) for $STOP_S s; others pinned to pCPU 0"
  for g in "${others[@]}"; do timeout 10 virsh -q -c "${VMB_CONNECT:-qemu:///system}" vcpupin "$g" 0 0 >/dev/null; done
  event repinned
  sleep "$STOP_S"
  event cont
  kill -CONT "$qemu"
  stopped_qemu=""
  sleep 8
  judge hung "$FAULTS/check_faults.py" hung "$OUT/polls.jsonl" "$OUT/events.txt" \
    "$OUT/controller.log" --stopped "$stopped" --others "$(IFS=,; echo "${others[*]}")" \
    --max_stall_s "$MAX_STALL_S" ${dry_run:+--dry_run}
  phase_end hung
fi

if want job; then
  phase_start job
  held=${guests[1]}
  others=("${guests[0]}" "${guests[@]:2}")
  event baseline
  sleep 6
  hold_job "$held"
  for g in "${others[@]}"; do timeout 10 virsh -q -c "${VMB_CONNECT:-qemu:///system}" vcpupin "$g" 0 0 >/dev/null; done
  event repinned
  sleep "$JOB_HOLD_S"
  release_job
  sleep 8
  judge job "$FAULTS/check_faults.py" job "$OUT/polls.jsonl" "$OUT/events.txt" \
    "$OUT/controller.log" --held "$held" --others "$(IFS=,; echo "${others[*]}")" \
    --max_stall_s "$MAX_STALL_S" ${dry_run:+--dry_run}
  phase_end job
fi

if want storm; then
  phase_start storm
  rss_before=$(rss_kib "$ctl_pid")
  judge storm "$FAULTS/scrape_storm.py" "$ctl_url" --total 1000 --concurrency 50
  expect_alive "$ctl_pid" vmbalanced
  expect_rss_bounded "$ctl_pid" vmbalanced "$rss_before"
  phase_end storm
fi

if want restart; then
  phase_start restart
  for i in 1 2 3 4 5; do
    restart_libvirtd "$i"
    sleep "$RECOVER_S"
    expect_alive "$ctl_pid" vmbalanced
  done
  judge restart "$FAULTS/check_faults.py" restart "$OUT/polls.jsonl" "$OUT/events.txt" \
    --guests "$(IFS=,; echo "${guests[*]}")" --recover_s "$RECOVER_S"
  phase_end restart
fi

if [[ -n ${ctl_pid:-} ]]; then
  phase=shutdown  # verdicts on the controller's exit
  stop_poller
  stop_controller_expect_0
  "$TESTBED/testbed.sh" down >/dev/null  # the churn wants the CPUs
fi

if want churn; then
  phase_start churn
  churn_guest
  phase_end churn
fi

report_phases
((failures == 0)) || fail "$failures assertion(s) failed, in phase(s): ${failed_phases[*]} (see above and $OUT)"
note "PASS"
