// How the simulated host's pCPUs serve what runs on them in one tick: each
// pCPU is shared max-min fairly among its vCPUs and its host load, and two
// SMT threads of one core share the core's throughput (both busy, they do
// smt_yield times one thread's work together, not twice). Pure functions.
#ifndef VMBALANCE_CONTROLLER_SIM_CPU_SHARE_H_
#define VMBALANCE_CONTROLLER_SIM_CPU_SHARE_H_

#include <vector>

#include "controller/sim/scenario.h"
#include "exporter/core/cpu_set.h"

namespace vmbalance {
namespace sim {

// Which online pCPUs share a core, and each pCPU's NUMA cell. Without a
// topology every online pCPU is a core of its own in cell 0.
struct CoreLayout {
  std::vector<int> core_of;  // by pCPU number; -1 offline or unknown
  std::vector<int> cell_of;  // by pCPU number; -1 offline or unknown
  std::vector<std::vector<int>> core_pcpus;  // online pCPUs of each core
  bool smt = false;  // some core has more than one online thread

  static CoreLayout Of(const Scenario& scenario, const CpuSet& online);
};

// One vCPU's claim on the pCPU it runs on this tick.
struct ShareClaim {
  int pcpu = -1;
  double want = 0;   // work it wants: fraction of one thread running alone
  double speed = 1;  // its own speed factor (remote_memory_speed off home)
};

struct ShareResult {
  double time = 0;       // fraction of the tick it ran (what vcpu.N.time shows)
  double work = 0;       // what it got done, in `want`'s units
  double wait = 0;       // fraction of the tick it waited to run
  double time_want = 0;  // time it needed: want / speeds, at most 1
  double speed = 1;      // work per unit of time it ran at
};

// A thread's speed while its core's other threads are busy `sibling_busy`
// (sum of their busy fractions) of the time: 1 alone, smt_yield / 2 with a
// sibling always busy (the two-thread model; more threads per core are
// treated as two).
double ThreadSpeed(double smt_yield, double sibling_busy);

// Shares every pCPU among the claims on it and its host load (time it
// takes, by the pCPU number; may be empty). Fills `pcpu_busy` (by pCPU
// number) with each pCPU's busy fraction. A claim that needs more time
// than it gets waits: wait = 1 - time / time_want, as a vCPU whose work
// phases stretch while its idle ones do not.
std::vector<ShareResult> ShareCpus(const CoreLayout& layout, double smt_yield,
                                   const std::vector<double>& host_load,
                                   const std::vector<ShareClaim>& claims,
                                   std::vector<double>* pcpu_busy);

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_CPU_SHARE_H_
