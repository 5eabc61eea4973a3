// The vCPU scheduler's policy: a pure function from (config, Usage, previous
// state) to the pins to apply this interval. It balances per-pCPU demand
// (VcpuUsage::demand: what the vCPUs would use if none waited for a pCPU),
// with as few pin changes as it can find, and
// holds still once balanced or at the best reachable placement. No I/O, no
// clocks, no globals; the caller owns the state and passes it back each call.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_H_

#include <string>
#include <vector>

#include "controller/cpu/demand_smoother.h"
#include "exporter/core/cpu_set.h"
#include "exporter/core/sample.h"
#include "exporter/core/usage.h"

namespace vmbalance {

struct VcpuPolicyConfig {
  // Balanced: std-dev of pCPU demand <= both of these.
  double max_stddev_ratio = 0.05;  // of the mean
  double max_stddev_abs = 0.05;    // absolute, fraction of one pCPU
  CpuSet allowed_pcpus;            // --pcpus; empty = all online pCPUs

  // The target never drops below the measurement resolution (one 10 ms tick
  // per 1 s interval), or an idle host would chase rounding.
  double min_stddev_floor = 0.01;
  // Mean demand per pCPU below which the host counts as idle: nothing to do.
  double idle_mean = 0.02;
  // A plan aims at this fraction of the target, leaving room for noise.
  double aim_fraction = 0.8;
  // Act on an imbalance only after it was seen this many intervals in a
  // row...
  int imbalanced_intervals = 2;
  // ...unless the std-dev is above this multiple of the target: act at once.
  double urgent_factor = 2.0;
  // Intervals without pins after acting: the next Usage still straddles the
  // old placement.
  int cooldown_intervals = 1;
  // Act only if the std-dev would drop by at least max(min_gain_abs,
  // min_gain_ratio * current std-dev). Below that the difference is within
  // measurement noise (and the shift of demand that moving itself causes):
  // the current placement counts as the best reachable.
  double min_gain_abs = 0.02;
  double min_gain_ratio = 0.1;
  // Weight of the newest demand reading in the per-vCPU moving average
  // (1 = no smoothing)...
  double demand_smoothing = 0.7;
  // ...except that a change larger than this is taken at once: a new load
  // phase, not noise.
  double demand_jump = 0.2;
  // While some vCPU has no valid reading (a domain just started or
  // restarted), its pCPU's load is unknown: wait up to this many intervals
  // for it before planning without it.
  int unknown_wait_intervals = 2;
  // Decide nothing when fewer than this fraction of the vCPUs that may run on
  // usable pCPUs have a valid reading.
  double min_valid_fraction = 0.5;
  // When acting, also pin unpinned vCPUs where they run: from then on their
  // load is attributed exactly, which removes the main source of noise.
  bool pin_unpinned = true;
  // Measurement noise: the std-dev across pCPUs must exceed the target by
  // this many times the pCPUs' measured noise (from each vCPU's reading-to-
  // reading scatter) before it counts as imbalanced, and a plan must gain at
  // least that much. Equal guests then never trade places on noise.
  double noise_factor = 2.0;
  // Readings not to trust: decide nothing that interval, and keep them out of
  // the smoothed demand and the noise estimate. When the counters took long
  // to read, one vCPU's window may differ from the interval by up to
  // Usage::window_error; past this fraction the rates are too uncertain...
  double max_window_error = 0.25;
  // ...and a vCPU thread cannot run and wait for longer than the wall time,
  // so VcpuUsage::runnable above 1 + window_error + this margin + the
  // counters' resolution means the stamps do not match the counters (a
  // stalled read).
  double impossible_demand_margin = 0.1;
  // Granularity of the vCPU time counters (libvirt reads them in clock
  // ticks): a rate over interval I can be off by 2 x this / I.
  double counter_resolution_s = 0.01;
  // Below those limits the read window still counts: the noise margin
  // (noise_factor) also grows by what the likely window error
  // (Usage::window_skew) does to each pCPU's demand. A vCPU that waited most
  // of the interval magnifies it (its demand divides by the time it did not
  // wait), by at most this.
  double max_window_amplification = 10;
  // Search breadth (pCPUs tried as sources and destinations per step).
  int candidate_bins = 4;
  // Assignments the exact fewest-changes search may try per decision; it
  // makes small hosts exact. 0 leaves only the heuristics.
  long long exact_budget = 200000;
};

// Carried between calls by the loop; default-constructed at start.
struct VcpuPolicyState {
  DemandMemory demand;        // smoothed demand per vCPU, by UUID
  int imbalanced_streak = 0;  // consecutive imbalanced intervals
  int unknown_streak = 0;     // consecutive intervals with unread vCPUs
  int cooldown = 0;           // intervals left without pins
  int intervals = 0;          // calls so far
  int actions = 0;            // calls that returned pins
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
  // judged, `balanced` means nothing, and the state was left as it was.
  bool skipped = false;
};

VcpuDecision DecideVcpuPins(const VcpuPolicyConfig& config, const Usage& usage,
                            VcpuPolicyState* state);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_H_
