// TopologyConfig: the thresholds of the vCPU policy's topology rules (cores
// before threads, a guest within the NUMA cell that holds its memory), each
// with the reason for its default. Plain value; read only by the policy.
#ifndef VMBALANCE_CONTROLLER_CPU_TOPOLOGY_CONFIG_H_
#define VMBALANCE_CONTROLLER_CPU_TOPOLOGY_CONFIG_H_

namespace vmbalance {

struct TopologyConfig {
  // A vCPU is busy when its demand is at least this fraction of one pCPU.
  // SMT siblings share one core's execution units: two busy threads get
  // about 0.6 of a core each, so a vCPU that wants half a pCPU or more
  // loses measurably once its sibling is busy too; below that, the sibling's
  // idle cycles leave it room.
  double busy_vcpu_demand = 0.5;
  // A core is idle when the load on all its usable threads together (base
  // load included) is below this. Half the busy threshold, so that demand
  // readings scattering by 0.1-0.2 cannot make a core flip between idle and
  // holding a busy vCPU: a core only counts as idle when a busy vCPU moved
  // there would clearly have it nearly to itself.
  double idle_core_load = 0.25;
  // On a host with several NUMA cells, each guest without a memory binding
  // gets a home cell (the one most of its vCPUs are on now, else the one
  // with the most room); a vCPU that moves, moves into its home cell. Off
  // by default: where an unbound guest's memory lives is not in the Sample
  // (the kernel's NUMA balancing moves it after the threads), and homes
  // constrain every vCPU, which made a light-load 10,000-vCPU decision on a
  // 2-cell host take 380 ms instead of 30 and an all-in-one-cell start need
  // 9968 pin changes instead of 5292. Guests bound by <numatune> are kept in
  // their cells either way.
  bool home_cells = false;
  // A guest gets a home cell only while the cell's demand stays within its
  // fair share (the placed mean times its pCPUs, less its base load) plus
  // this much per pCPU. Below the balance target's absolute part (0.05), so
  // the homes alone never make the balance target unreachable; guests that
  // fit nowhere keep every cell and fill the gaps.
  double cell_fill_slack = 0.02;
};

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_TOPOLOGY_CONFIG_H_
