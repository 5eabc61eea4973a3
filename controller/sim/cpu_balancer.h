// The simulated kernel's balancing of vCPUs allowed on several pCPUs
// (Scenario::balancer = linux). Linux places a waking task on an idle core
// before an idle thread and pulls tasks from busy run queues to idle ones
// within milliseconds, so over a one-second tick such vCPUs run close to
// fair. Modelled in two steps, both pure:
// - PlaceLinux: each such vCPU goes (and moves) where it expects the most
//   work done: its share of the pCPU's time, times the thread's SMT speed,
//   times remote_memory_speed outside its guest's memory cell. It moves only
//   for a gain of more than min_gain (the kernel's imbalance margins).
// - RotateGroups: vCPUs with the same allowed set are rotated by the
//   balancer across their pCPUs, so their time shares come out close to
//   max-min fair among them (linux_fairness of the way), at the cost of a
//   migration per rotation period.
#ifndef VMBALANCE_CONTROLLER_SIM_CPU_BALANCER_H_
#define VMBALANCE_CONTROLLER_SIM_CPU_BALANCER_H_

#include <vector>

#include "controller/sim/cpu_model.h"
#include "controller/sim/cpu_share.h"

namespace vmbalance {
namespace sim {

struct LinuxBalancerParams {
  double smt_yield = 1.25;
  double remote_memory_speed = 0.85;
  // A vCPU moves only when it expects this much more work done elsewhere
  // (relative): below it the kernel's imbalance checks see no gain.
  double min_gain = 0.05;
  // Passes over the vCPUs per tick: the kernel rebalances many times a
  // second, so a few passes reach what it reaches within the tick.
  int passes = 3;
};

// Updates each vCPU's pcpu. host_load: per pCPU number (may be empty);
// home_cell: per vCPU, the cell of its guest's memory, -1 unknown.
void PlaceLinux(const CoreLayout& layout, const LinuxBalancerParams& params,
                const std::vector<double>& host_load,
                const std::vector<int>& home_cell,
                std::vector<PlacedVcpu>* vcpus);

// Evens out the time shares of vCPUs with the same allowed set (of more
// than one pCPU) after ShareCpus: their total time is kept, and each moves
// `fairness` of the way to the max-min fair split of it. A vCPU whose share
// changed lost `migration_loss` of its work to cold caches.
void RotateGroups(const std::vector<PlacedVcpu>& vcpus, double fairness,
                  double migration_loss, std::vector<ShareResult>* results);

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_CPU_BALANCER_H_
