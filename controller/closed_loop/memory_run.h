// One closed-loop memory run: a memory coordinator (vmbalance through the
// real Controller, or a baseline) drives the simulator over one scenario
// file, and MemoryRun keeps what a test or the comparison table judges it
// by. Test-only; each run owns its simulator, so runs are independent.
#ifndef VMBALANCE_CONTROLLER_CLOSED_LOOP_MEMORY_RUN_H_
#define VMBALANCE_CONTROLLER_CLOSED_LOOP_MEMORY_RUN_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/closed_loop/recording_hypervisor.h"

namespace vmbalance {
namespace closed_loop {

enum class Coordinator {
  kVmbalance,        // the production path: Controller, memory policy only
  kVmbalanceDryRun,  // the same, with --dry_run
  kFixedThresholds,  // DecideFixedThresholds (baseline_policies.h)
  kMomLike,          // DecideMomLike (baseline_policies.h)
  kNone,             // samples every tick and never resizes anything
};

const char* CoordinatorName(Coordinator coordinator);

struct MemoryRunSpec {
  std::string scenario;  // file name under controller/sim/testdata
  Coordinator coordinator = Coordinator::kVmbalance;
  int ticks = 150;
  double interval_s = 1.0;
};

struct MemoryRun {
  std::string error;  // non-empty when the scenario could not be loaded
  // Simulator::Summary of the run: the ground truth.
  nlohmann::json summary;
  // The SPEC's host reserve, the line every coordinator is judged against.
  int64_t reserve_mib = 0;
  std::vector<BalloonCall> balloon_calls;
  // Host free memory at the end of each tick (may be negative: overcommit).
  std::vector<int64_t> host_free_mib;
  // Ticks in which a guest's workload held less than it wanted, by guest
  // name: allocation failures, attributed to the guest (the simulator only
  // counts them per host).
  std::map<std::string, int> guest_alloc_failures;

  int resize_calls() const;
  int alloc_failures() const;
  int guest_kills() const;
  int64_t min_host_free_mib() const;
};

MemoryRun RunMemoryScenario(const MemoryRunSpec& spec);

}  // namespace closed_loop
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CLOSED_LOOP_MEMORY_RUN_H_
