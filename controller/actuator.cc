#include "controller/actuator.h"

#include <algorithm>

namespace vmbalance {

PinActuation ApplyPins(Hypervisor* hypervisor,
                       const std::vector<PinChange>& pins, bool dry_run) {
  PinActuation result;
  if (dry_run) return result;
  for (const PinChange& pin : pins) {
    Status status =
        hypervisor->PinVcpu(pin.uuid, pin.vcpu, CpuSet{pin.to_pcpu});
    if (status.ok()) {
      result.applied.push_back(pin);
    } else {
      result.failures.push_back(
          "pin " + pin.domain + " vcpu " + std::to_string(pin.vcpu) +
          " -> pcpu " + std::to_string(pin.to_pcpu) + ": " + status.message());
    }
  }
  return result;
}

BalloonActuation ApplyBalloons(Hypervisor* hypervisor,
                               const std::vector<BalloonChange>& changes,
                               bool dry_run) {
  BalloonActuation result;
  if (dry_run) return result;
  for (const BalloonChange& change : changes) {
    Status status = hypervisor->SetMemory(change.uuid, change.to_kib);
    if (status.ok()) {
      result.applied.push_back(change);
    } else {
      result.failures.push_back("setmem " + change.domain + " " +
                                std::to_string(change.to_kib / 1024) +
                                " MiB: " + status.message());
    }
  }
  return result;
}

int CountGrown(const BalloonActuation& actuation) {
  return static_cast<int>(std::count_if(
      actuation.applied.begin(), actuation.applied.end(),
      [](const BalloonChange& c) { return c.to_kib > c.from_kib; }));
}

}  // namespace vmbalance
