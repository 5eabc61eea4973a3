// VcpuPolicyConfig: every threshold and search limit of the vCPU policy, each
// with the reason for its default. Plain value; the flags fill it once at
// start (controller/policy_flags.cc) and the policy only reads it.
#ifndef VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_CONFIG_H_
#define VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_CONFIG_H_

#include <vector>

#include "controller/cpu/fairness_config.h"
#include "controller/cpu/opt_out.h"
#include "controller/cpu/topology_config.h"
#include "exporter/core/cpu_set.h"

namespace vmbalance {

struct VcpuPolicyConfig {
  // Balanced: std-dev of pCPU demand <= both of these (the SPEC's two
  // readings of the course's rule).
  double max_stddev_ratio = 0.05;  // of the mean
  double max_stddev_abs = 0.05;    // absolute, fraction of one pCPU
  CpuSet allowed_pcpus;            // --pcpus; empty = all online pCPUs
  // --exclude: domains whose name matches are never pinned (nor are those
  // whose XML says <vmbalance:policy cpu="off"/>); their load stays where it
  // runs.
  DomainFilter exclude;

  // Host load: each usable pCPU's busy time not explained by the guests'
  // vCPUs (emulator and I/O threads, host services) counts as load nobody
  // moves, less this much of one pCPU. The busy time and the vCPU counters
  // are read at different moments, so their difference scatters by a few
  // hundredths on a steady host and by up to ~0.1 when loads change; taking
  // this off every pCPU (not a cut-off, so a load near it does not flip in
  // and out) keeps that scatter from ever planning a pin, while a host
  // service using 0.8 of a pCPU still counts 0.7.
  double host_load_floor = 0.1;
  // Without delay counters (older kernels, other drivers) a vCPU's demand is
  // its utilisation, which understates what it wants on a crowded pCPU (8
  // busy vCPUs on one pCPU read 1/8 each). Moving load off a crowded pCPU
  // onto idle ones is still right, but how much to move is not known, so a
  // plan must then gain this many times the usual minimum: only an
  // unambiguous imbalance is acted on.
  double no_delay_gain_factor = 2.0;

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
  // ...unless the std-dev is above this multiple of the target (plus the
  // noise margin): act at once.
  double urgent_factor = 2.0;
  // Intervals without pins after pins were applied: the next Usage still
  // straddles the old placement.
  int cooldown_intervals = 1;
  // Act only if the std-dev would drop by at least max(min_gain_abs,
  // min_gain_ratio * current std-dev, noise margin). Below that the
  // difference is within measurement noise (and the shift of demand that
  // moving itself causes): the current placement counts as the best
  // reachable. min_gain_abs also marks a balanced host as at its optimum.
  double min_gain_abs = 0.02;
  double min_gain_ratio = 0.1;
  // Weight of the newest demand reading in the per-vCPU moving average
  // (1 = no smoothing)...
  double demand_smoothing = 0.7;
  // ...except that a change larger than this is taken at once: a new load
  // phase, not noise.
  double demand_jump = 0.2;
  // Weight of the newest squared reading-to-average gap in each vCPU's noise
  // estimate: below demand_smoothing, so a few quiet readings do not talk
  // the noise down.
  double noise_weight = 0.3;
  // While some vCPU has no valid reading (a domain just started or
  // restarted), its pCPU's load is unknown: wait up to this many intervals
  // for it before planning without it.
  int unknown_wait_intervals = 2;
  // Decide nothing when fewer than this fraction of the vCPUs that may run on
  // usable pCPUs have a valid reading.
  double min_valid_fraction = 0.5;
  // When acting for the per-pCPU balance, also pin unpinned vCPUs where they
  // run: the plan's sums count on them staying, and from then on their load
  // is attributed exactly, which removes the main source of noise. A plan
  // earned by the cores or by a vCPU to place pins only what it moves.
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

  // Search. Breadth: pCPUs tried as sources and destinations per local
  // search step; more finds better plans on big hosts, slower.
  int candidate_bins = 4;
  // Items of a pCPU tried per step: all of them up to this many (small hosts
  // get the full search)...
  int search_full_scan = 24;
  // ...beyond that the ones nearest the demand that would even the loads,
  // this many on each side: the best moves are there, and big hosts stay
  // fast (10,000 vCPUs decide in well under a second).
  int search_neighbours = 4;
  // Swaps on crowded pCPUs: about this many items of one side are each paired
  // with the other side's nearest, for the same reason.
  int search_swap_samples = 64;
  // Caps for the sticky placements the planner also tries: a vCPU stays on
  // its pCPU while that pCPU's load is within mean + slack x aim. Several
  // slacks trade changes for balance; the planner keeps the cheapest plan.
  std::vector<double> sticky_slacks = {0.0, 0.5, 1.0, 2.0};
  // When even the target is out of reach, a plan within this std-dev of the
  // lowest found counts as the best reachable (fewest changes wins): finer
  // than any gain worth a pin (min_gain_abs).
  double optimum_tolerance = 1e-3;
  // Assignments the exact fewest-changes search may try per decision; it
  // makes small hosts exact. 0 leaves only the heuristics.
  long long exact_budget = 200000;
  // The guests'-side judgement (do no harm), fairness_config.h.
  FairnessConfig fairness;
  // Cores before SMT threads and NUMA cells, topology_config.h.
  TopologyConfig topology;
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_VCPU_POLICY_CONFIG_H_
