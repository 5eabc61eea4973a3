// Test helpers for the controller: a fake host that hands out scripted
// Samples and records, and may refuse, every action; and a Sample with an
// imbalanced host and a starving guest. Header-only; test-only.
#ifndef VMBALANCE_CONTROLLER_SCRIPTED_HYPERVISOR_H_
#define VMBALANCE_CONTROLLER_SCRIPTED_HYPERVISOR_H_

#include <deque>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "exporter/core/hypervisor.h"

namespace vmbalance {
namespace testing_controller {

// Hands out scripted samples; records and optionally refuses actions.
class ScriptedHypervisor : public Hypervisor {
 public:
  std::deque<StatusOr<Sample>> samples;
  bool refuse_actions = false;         // refuse every action
  std::set<DomainKey> refuse_domains;  // refuse actions on these only
  std::string refusal = "refused";     // the error a refused call returns
  std::vector<std::string> calls;

  StatusOr<Sample> Take() override {
    if (samples.empty()) return Status::Error("script exhausted");
    StatusOr<Sample> next = std::move(samples.front());
    samples.pop_front();
    return next;
  }
  Status PinVcpu(const DomainKey& uuid, int vcpu,
                 const CpuSet& pcpus) override {
    calls.push_back("pin " + uuid + "/" + std::to_string(vcpu) + "->" +
                    pcpus.ToString());
    return Answer(uuid);
  }
  Status SetMemory(const DomainKey& uuid, uint64_t kib) override {
    calls.push_back("setmem " + uuid + " " + std::to_string(kib));
    return Answer(uuid);
  }
  std::string Describe() const override { return "scripted"; }

 private:
  Status Answer(const DomainKey& uuid) const {
    if (refuse_actions || refuse_domains.count(uuid) > 0) {
      return Status::Error(refusal);
    }
    return Status::Ok();
  }
};

// Four busy one-vCPU guests all pinned to pCPU 0 of 2, `seconds` in, plus a
// guest short of memory on a roomy host.
inline Sample Imbalanced(int64_t seconds) {
  Sample sample;
  sample.monotonic_ns = seconds * 1'000'000'000;
  sample.wall_time_s = 1'700'000'000 + seconds;
  sample.host.online_pcpus = CpuSet{0, 1};
  sample.host.pcpu_count = 2;
  sample.host.memory_total_kib = 16 << 20;
  sample.host.memory_free_kib = 12 << 20;
  sample.host.memory_source = "test";
  for (int i = 0; i < 4; ++i) {
    DomainSample domain;
    domain.uuid = "00000000-0000-0000-0000-00000000000" + std::to_string(i);
    domain.name = "vm" + std::to_string(i);
    domain.id = i + 1;
    domain.state = DomainState::kRunning;
    domain.max_memory_kib = 2 << 20;
    VcpuSample vcpu;
    vcpu.cpu_time_ns = seconds * 250'000'000ull;  // a quarter of pCPU 0 each
    vcpu.delay_ns = seconds * 750'000'000ull;     // waiting the rest
    vcpu.pcpu = 0;
    vcpu.affinity = CpuSet{0};
    domain.vcpus.push_back(vcpu);
    domain.balloon.actual_kib = 512 << 10;
    domain.balloon.maximum_kib = 2 << 20;
    domain.balloon.unused_kib = (i == 0 ? 20 : 200) << 10;
    domain.balloon.available_kib = 480 << 10;
    domain.balloon.last_update_s = sample.wall_time_s;
    sample.domains.push_back(domain);
  }
  return sample;
}

}  // namespace testing_controller
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SCRIPTED_HYPERVISOR_H_
