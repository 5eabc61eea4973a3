#include "controller/actuator.h"

namespace vmbalance {

ActuationResult ApplyPins(Hypervisor* hypervisor,
                          const std::vector<PinChange>& pins, bool dry_run) {
  ActuationResult result;
  if (dry_run) return result;
  for (const PinChange& pin : pins) {
    Status status =
        hypervisor->PinVcpu(pin.uuid, pin.vcpu, CpuSet{pin.to_pcpu});
    if (status.ok()) {
      ++result.applied;
    } else {
      result.failures.push_back(
          "pin " + pin.domain + " vcpu " + std::to_string(pin.vcpu) +
          " -> pcpu " + std::to_string(pin.to_pcpu) + ": " + status.message());
    }
  }
  return result;
}

ActuationResult ApplyBalloons(Hypervisor* hypervisor,
                              const std::vector<BalloonChange>& changes,
                              bool dry_run) {
  ActuationResult result;
  if (dry_run) return result;
  for (const BalloonChange& change : changes) {
    Status status = hypervisor->SetMemory(change.uuid, change.to_kib);
    if (status.ok()) {
      ++result.applied;
      if (change.to_kib > change.from_kib) {
        ++result.grown;
      } else {
        ++result.shrunk;
      }
    } else {
      result.failures.push_back("setmem " + change.domain + " " +
                                std::to_string(change.to_kib / 1024) +
                                " MiB: " + status.message());
    }
  }
  return result;
}

}  // namespace vmbalance
