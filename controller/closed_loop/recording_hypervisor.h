// RecordingHypervisor: a Hypervisor that forwards every call to another one
// and logs each SetMemory call with the tick it acted on and the balloon size
// the caller had last seen, and each PinVcpu call with its tick, so closed-loop
// tests judge every coordinator (the real Controller or a baseline) by the same
// record. Not thread-safe.
#ifndef VMBALANCE_CONTROLLER_CLOSED_LOOP_RECORDING_HYPERVISOR_H_
#define VMBALANCE_CONTROLLER_CLOSED_LOOP_RECORDING_HYPERVISOR_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "exporter/core/hypervisor.h"

namespace vmbalance {
namespace closed_loop {

struct BalloonCall {
  int64_t tick = -1;      // the tick whose sample the call acted on
  std::string domain;     // name in that sample ("" if never sampled)
  uint64_t from_kib = 0;  // balloon size in that sample
  uint64_t to_kib = 0;
  bool ok = false;  // accepted by the inner hypervisor
};

struct PinCall {
  int64_t tick = -1;   // the tick whose sample the call acted on
  std::string domain;  // name in that sample ("" if never sampled)
  int vcpu = 0;
  bool ok = false;  // accepted by the inner hypervisor
};

class RecordingHypervisor : public Hypervisor {
 public:
  // inner must outlive this object.
  explicit RecordingHypervisor(Hypervisor* inner) : inner_(inner) {}

  StatusOr<Sample> Take() override;
  Status PinVcpu(const DomainKey& uuid, int vcpu, const CpuSet& pcpus) override;
  Status SetMemory(const DomainKey& uuid, uint64_t memory_kib) override;
  std::string Describe() const override { return inner_->Describe(); }

  const std::vector<BalloonCall>& balloon_calls() const { return calls_; }
  const std::vector<PinCall>& pin_calls() const { return pin_calls_; }

 private:
  struct Seen {
    std::string name;
    uint64_t actual_kib = 0;
  };

  Hypervisor* inner_;
  int64_t takes_ = 0;  // a failed Take still spends its tick
  std::map<DomainKey, Seen> last_seen_;
  std::vector<BalloonCall> calls_;
  std::vector<PinCall> pin_calls_;
};

}  // namespace closed_loop
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CLOSED_LOOP_RECORDING_HYPERVISOR_H_
