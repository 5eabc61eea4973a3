// The vCPU scheduler's policy: a pure function from (config, Usage, previous
// state) to the pins to apply this interval. It balances per-pCPU demand
// (VcpuUsage::demand: what the vCPUs would use if none waited for a pCPU),
// with as few pin changes as it can find, and holds still once balanced or at
// the best reachable placement. No I/O, no clocks, no globals; the caller
// owns the state, passes it back each call, and reports through CommitPins
// which pins really took effect.
//
// A decision runs in phases, each in its own file: trust the readings
// (reading_trust.h), assess the current placement (vcpu_assessment.h) with
// the thresholds computed once for it (vcpu_thresholds.h), plan
// (vcpu_plan.h), gate (vcpu_gate.h). A domain whose figures missed the
// sampling deadline (DomainUsage::read) is left where it is, its load held
// there and its smoothed demand kept for when it is readable again
// (ActionableUsage in reading_trust.h).
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_H_

#include <string>
#include <vector>

#include "controller/cpu/demand_smoother.h"
#include "controller/cpu/vcpu_policy_config.h"
#include "exporter/core/cpu_set.h"
#include "exporter/core/sample.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// Carried between calls by the loop; default-constructed at start.
// DecideVcpuPins updates what it observes (smoothed demand, streaks, the
// interval count); CommitPins what follows from pins that took effect.
struct VcpuPolicyState {
  DemandMemory demand;  // smoothed demand per vCPU, by UUID
  // Consecutive imbalanced intervals since the last balanced verdict or
  // applied pins; intervals held back by the cooldown or by unread vCPUs do
  // not count.
  int imbalanced_streak = 0;
  int unknown_streak = 0;  // consecutive intervals with unread vCPUs
  int intervals = 0;       // DecideVcpuPins calls so far, skipped included
  // The call (counted by `intervals`) whose pins were last applied; 0: none.
  // The cooldown runs from it.
  int last_pins_interval = 0;
  int actions = 0;  // calls whose pins were applied, at least in part
  // Some managed vCPU's reading had no delay figure at the last decision
  // that assessed them (an episode, logged once: DelayNotice).
  bool delay_missing = false;
};

struct PinChange {
  DomainKey uuid;
  std::string domain;
  int vcpu = 0;
  CpuSet from;  // affinity before
  int to_pcpu = -1;
};

struct VcpuDecision {
  std::vector<PinChange> pins;  // to apply this interval (empty when balanced)
  bool balanced = false;        // meets the target, or is the best reachable
  bool at_optimum = false;  // no reachable assignment is meaningfully better
  double mean = 0, stddev = 0;      // of pCPU demand as the policy sees it,
                                    // before the pins, over usable pCPUs
  std::vector<double> pcpu_demand;  // indexed by pCPU
  std::string reason;               // one line for the log

  double target_stddev = 0;   // the balance threshold used this interval
  double noise_margin = 0;    // noise_factor x measured per-pCPU noise, plus
                              // what this interval's read window can do
  double planned_stddev = 0;  // after the pins, as planned (= stddev if none)
  double best_stddev = -1;    // lowest std-dev the search found; -1 unplanned
  int migrations = 0;  // pins that move a vCPU to another pCPU; the other
                       // pins fix an unpinned vCPU where it already runs
  std::string method;  // which search produced the plan
  // The readings were not trusted (see max_window_error): nothing was
  // judged and `balanced` means nothing. mean, stddev and pcpu_demand are
  // the Usage's own figures. The smoothed demand, its noise estimate and
  // the streaks were left as they were; only the interval was counted (so
  // a cooldown still runs out).
  bool skipped = false;
  // Domains left alone by the operator's wish: --exclude, and the domain's
  // <vmbalance:policy cpu="off"/>.
  int excluded_domains = 0;
  int policy_off_domains = 0;
  // Managed vCPUs whose reading had no delay figure (-1: not assessed).
  int vcpus_without_delay = -1;
  // A line to log once (e.g. delay counters went missing), empty otherwise.
  std::string notice;
};

VcpuDecision DecideVcpuPins(const VcpuPolicyConfig& config, const Usage& usage,
                            VcpuPolicyState* state);

// Records the pins the actuator really applied: only they start a cooldown
// and count as actions. Refused or dry-run pins leave the state as it was.
void CommitPins(const std::vector<PinChange>& applied, VcpuPolicyState* state);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_H_
