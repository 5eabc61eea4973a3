// Faults: the scenario's schedule of what goes wrong, as pure queries by
// tick: samples lost, calls refused, counter reads that stall, balloon
// statistics that stop updating, domains that hang (libvirt cannot answer
// for them in time), and domains that appear, vanish or restart. Reads the
// scenario it is given (which must outlive it) and keeps no state, so the same
// tick always gets the same answer.
#ifndef VMBALANCE_CONTROLLER_SIM_FAULTS_H_
#define VMBALANCE_CONTROLLER_SIM_FAULTS_H_

#include <cstddef>
#include <cstdint>

#include "controller/sim/scenario.h"

namespace vmbalance {
namespace sim {

class Faults {
 public:
  explicit Faults(const Scenario* scenario) : scenario_(scenario) {}

  // Take() of this tick fails (the tick still runs; its sample is lost).
  bool TakeFails(int64_t tick) const;
  // PinVcpu/SetMemory calls that would act in this tick are refused.
  bool CallsRefused(int64_t tick) const;
  // This tick's counters are read over the slow span, stalling early.
  bool SlowRead(int64_t tick) const;
  // How long reading every domain's vCPU counters takes this tick.
  double ReadSpanS(int64_t tick) const;
  // Domain `index`'s guest stopped updating its balloon statistics.
  bool StatsFrozen(size_t index, int64_t tick) const;
  // Domain `index` runs during this tick (start <= tick < stop).
  bool Runs(size_t index, int64_t tick) const;
  // Domain `index` is restarted (a new qemu process) at this tick.
  bool RestartsAt(size_t index, int64_t tick) const;
  // Domain `index` is hung in this tick (DomainSpec::hang): its sample is
  // read kTimedOut and calls on it time out.
  bool Hung(size_t index, int64_t tick) const;

 private:
  const Scenario* scenario_;
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_FAULTS_H_
