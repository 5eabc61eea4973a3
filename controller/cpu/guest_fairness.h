// GuestFairness: one interval's placement as the guests feel it. Each
// CPU-bound vCPU's run time against its max-min fair due of what the guests
// could have had, and whether capacity idles while pinned vCPUs wait. The
// vCPU policy uses it to leave vCPUs the kernel already serves fairly where
// they are, and to act at once only on stranded capacity. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_GUEST_FAIRNESS_H_
#define VMBALANCE_CONTROLLER_CPU_GUEST_FAIRNESS_H_

#include <string>
#include <vector>

#include "controller/cpu/fairness_config.h"
#include "controller/cpu/vcpu_problem.h"
#include "exporter/core/usage.h"

namespace vmbalance {

struct GuestFairness {
  // The host's busy ratio on every usable pCPU was there: without it idle
  // capacity and other work cannot be told apart, and the per-pCPU rules
  // decide alone, as before issue 12.
  bool host_known = false;
  // vCPUs without a delay figure this interval (e.g. their QEMU did not
  // answer in the previous sample): their wait is unknown, so they are not
  // judged; what they ran still counts in the capacity.
  int unjudged = 0;
  // host_known, and at least half the vCPUs have a delay figure: the
  // verdicts below mean something. Unknown means "no opinion".
  bool known = false;
  int floating = 0;  // valid managed vCPUs the kernel may move between pCPUs
  int pinned = 0;    // valid managed vCPUs pinned to one usable pCPU
  double idle = 0;   // idle time of the usable pCPUs, in pCPUs
  // What the managed vCPUs could have had: their run time plus `idle`
  // (what other work took is not theirs to have), at most one per pCPU.
  double capacity = 0;
  double pinned_wait = 0;    // summed wait of the pinned vCPUs, in pCPUs
  double floating_wait = 0;  // the same for the floating ones
  int busy = 0;              // CPU-bound vCPUs (judged)
  double min_served = 1;     // the least run / due among them (1 if none)
  std::string worst;         // "domain/vcpu" of that one, for the log
  // known, and every CPU-bound vCPU got at least min_served_ratio of its
  // due (trivially so with none).
  bool fair = false;
  // known, and capacity idles while pinned vCPUs wait (FairnessConfig).
  bool stranded = false;
  // known, and capacity idles while floating vCPUs wait as much: a kernel
  // that balanced them would have run them there, so this one does not
  // (affinity quirks, a scheduler that stopped balancing) and the guests'
  // shares, even when each looks tolerable, are not the kernel's best.
  bool kernel_strands = false;
  // host_known but not `known`: too few delay figures to tell a placement
  // that makes guests wait from one that does not. Act only on what the
  // per-pCPU rules see in consecutive readings, never at once.
  bool AmbiguousWaits() const { return host_known && !known; }
};

// The max-min fair split of `capacity` over `wants` (each capped at one
// pCPU): the smallest wants are met first, the rest share what is left.
std::vector<double> FairDues(const std::vector<double>& wants, double capacity);

// The guests' side of the current placement of `problem`'s vCPUs.
GuestFairness JudgeGuests(const FairnessConfig& config, const Usage& usage,
                          const VcpuProblem& problem);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_GUEST_FAIRNESS_H_
