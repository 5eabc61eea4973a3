// Simulator: a deterministic host behind the Hypervisor seam, for tests and
// benchmarks. A thin facade over its parts: the World (ground truth, one
// tick at a time), the Sensor (the Samples libvirt would give), the Faults
// (what the scenario makes go wrong, when), the Referee (judging each tick
// by the truth, under RefereeRules) and the report (Summary). Same
// scenario + same calls => same samples, bit for bit.
// Not thread-safe: one control loop owns it. Not copyable (its parts point
// at its scenario).
//
// Time: Take() call k (k = 0, 1, ...) simulates tick k, the interval
// [k*I, (k+1)*I), with the pins and balloon targets in force at the call,
// and returns the sample taken at its end (monotonic_ns = (k+1)*I). So the
// first Take() already shows one interval of cpu time. A domain runs during
// tick k when start <= k < stop; scenario ticks ("cpu", "mem") are absolute.
#ifndef VMBALANCE_CONTROLLER_SIM_SIMULATOR_H_
#define VMBALANCE_CONTROLLER_SIM_SIMULATOR_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "controller/sim/faults.h"
#include "controller/sim/memory_model.h"
#include "controller/sim/referee.h"
#include "controller/sim/scenario.h"
#include "controller/sim/sensor.h"
#include "controller/sim/world.h"
#include "exporter/core/hypervisor.h"

namespace vmbalance {
namespace sim {

class Simulator : public Hypervisor {
 public:
  // interval_s > 0: the virtual length of one tick. `rules`: what the
  // referee calls balanced and short of memory (the SPEC's by default).
  Simulator(Scenario scenario, double interval_s,
            RefereeRules rules = RefereeRules());
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  StatusOr<Sample> Take() override;
  Status PinVcpu(const DomainKey& uuid, int vcpu, const CpuSet& pcpus) override;
  Status SetMemory(const DomainKey& uuid, uint64_t memory_kib) override;
  std::string Describe() const override;  // "sim:<scenario name>"

  const Scenario& scenario() const { return scenario_; }
  int64_t ticks() const { return referee_.ticks(); }
  // Empty when the scenario turned tick_records off.
  const std::vector<TickRecord>& records() const { return referee_.records(); }
  const RefereeRules& rules() const { return referee_.rules(); }

  // Ground truth now (after the last Take).
  // Current pCPU of each vCPU, by domain name, of running domains.
  std::map<std::string, std::vector<int>> Assignment() const;
  // A running domain's memory state, by name; nullopt when not running.
  std::optional<GuestMemory> Memory(const std::string& name) const;
  // Current id of a running domain, by name; -1 when not running.
  int DomainId(const std::string& name) const;

  int pin_changes() const { return referee_.pin_changes(); }
  int balloon_changes() const { return referee_.balloon_changes(); }
  int guest_oom_kills() const { return referee_.guest_oom_kills(); }
  int workload_alloc_failures() const {
    return referee_.workload_alloc_failures();
  }

  // The run so far as JSON; keys in controller/sim/report.h.
  nlohmann::json Summary(double max_decision_seconds) const;
  // Writes Summary() as indented JSON.
  Status WriteSummary(const std::string& path,
                      double max_decision_seconds) const;

 private:
  // An error when `uuid` is hung in the tick calls now act in, else OK.
  Status HungCall(const DomainKey& uuid, const char* call) const;
  Scenario scenario_;
  double interval_s_;
  Faults faults_;
  World world_;
  Sensor sensor_;
  Referee referee_;
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_SIMULATOR_H_
