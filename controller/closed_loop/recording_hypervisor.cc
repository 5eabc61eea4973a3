#include "controller/closed_loop/recording_hypervisor.h"

namespace vmbalance {
namespace closed_loop {

StatusOr<Sample> RecordingHypervisor::Take() {
  ++takes_;
  StatusOr<Sample> sample = inner_->Take();
  if (sample.ok()) {
    for (const DomainSample& d : sample->domains) {
      last_seen_[d.uuid] = Seen{d.name, d.balloon.actual_kib.value_or(0)};
    }
  }
  return sample;
}

Status RecordingHypervisor::PinVcpu(const DomainKey& uuid, int vcpu,
                                    const CpuSet& pcpus) {
  Status status = inner_->PinVcpu(uuid, vcpu, pcpus);
  PinCall call;
  call.tick = takes_ - 1;
  call.vcpu = vcpu;
  call.ok = status.ok();
  auto seen = last_seen_.find(uuid);
  if (seen != last_seen_.end()) call.domain = seen->second.name;
  pin_calls_.push_back(call);
  return status;
}

Status RecordingHypervisor::SetMemory(const DomainKey& uuid,
                                      uint64_t memory_kib) {
  Status status = inner_->SetMemory(uuid, memory_kib);
  BalloonCall call;
  call.tick = takes_ - 1;
  call.to_kib = memory_kib;
  call.ok = status.ok();
  auto seen = last_seen_.find(uuid);
  if (seen != last_seen_.end()) {
    call.domain = seen->second.name;
    call.from_kib = seen->second.actual_kib;
  }
  calls_.push_back(call);
  return status;
}

}  // namespace closed_loop
}  // namespace vmbalance
