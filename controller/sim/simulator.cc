#include "controller/sim/simulator.h"

#include <utility>

#include "controller/sim/report.h"

namespace vmbalance {
namespace sim {

Simulator::Simulator(Scenario scenario, double interval_s, RefereeRules rules)
    : scenario_(std::move(scenario)),
      interval_s_(interval_s > 0 ? interval_s : 1.0),
      faults_(&scenario_),
      world_(&scenario_, interval_s_),
      sensor_(&scenario_),
      referee_(rules, world_.online().ToVector(), world_.layout().core_of,
               scenario_.tick_records ? TickRecords::kKeepAll
                                      : TickRecords::kLastOnly) {}

std::string Simulator::Describe() const { return "sim:" + scenario_.name; }

StatusOr<Sample> Simulator::Take() {
  const int64_t tick = ticks();
  referee_.Judge(tick, world_.Advance(tick, faults_));
  std::vector<std::string> frozen;
  Sample sample = sensor_.Read(world_, faults_, tick, &frozen);
  referee_.NoteFrozenStats(std::move(frozen));
  if (faults_.TakeFails(tick)) {
    return Status::Error("simulated host failure: sample of tick " +
                         std::to_string(tick) + " lost");
  }
  return sample;
}

// A call on a hung domain waits for its job as libvirt's would, and gives up.
Status Simulator::HungCall(const DomainKey& uuid, const char* call) const {
  const int index = world_.FindRunning(uuid);
  if (index < 0 || !faults_.Hung(index, ticks())) return Status::Ok();
  return Status::Error(std::string("simulated hang: ") + call +
                       " timed out: cannot acquire state change lock");
}

// Calls made after Take() of tick k act in tick k + 1 = ticks().
Status Simulator::PinVcpu(const DomainKey& uuid, int vcpu,
                          const CpuSet& pcpus) {
  if (faults_.CallsRefused(ticks())) {
    return Status::Error("simulated failure: PinVcpu refused");
  }
  if (Status hung = HungCall(uuid, "PinVcpu"); !hung.ok()) return hung;
  if (const int index = world_.FindRunning(uuid); index >= 0) {
    const std::optional<CpuSet> operator_set =
        scenario_.domains[index].config.placement.AllowedFor(vcpu);
    referee_.NotePinCall(world_.OptedOut(index),
                         operator_set && !pcpus.IsSubsetOf(*operator_set));
  }
  StatusOr<bool> changed = world_.Pin(uuid, vcpu, pcpus);
  if (!changed.ok()) return changed.status();
  if (*changed) referee_.NotePinChange();
  return Status::Ok();
}

Status Simulator::SetMemory(const DomainKey& uuid, uint64_t memory_kib) {
  if (faults_.CallsRefused(ticks())) {
    return Status::Error("simulated failure: SetMemory refused");
  }
  if (Status hung = HungCall(uuid, "SetMemory"); !hung.ok()) return hung;
  StatusOr<bool> changed = world_.SetTarget(uuid, memory_kib);
  if (!changed.ok()) return changed.status();
  if (*changed) {
    referee_.NoteBalloonChange(
        scenario_.domains[world_.FindRunning(uuid)].name);
  }
  return Status::Ok();
}

std::map<std::string, std::vector<int>> Simulator::Assignment() const {
  return world_.Assignment();
}

std::optional<GuestMemory> Simulator::Memory(const std::string& name) const {
  const int i = world_.FindRunningByName(name);
  if (i < 0) return std::nullopt;
  return world_.domains()[i].memory;
}

int Simulator::DomainId(const std::string& name) const {
  const int i = world_.FindRunningByName(name);
  return i < 0 ? -1 : world_.domains()[i].id;
}

nlohmann::json Simulator::Summary(double max_decision_seconds) const {
  return BuildSummary(world_, referee_, interval_s_, max_decision_seconds);
}

Status Simulator::WriteSummary(const std::string& path,
                               double max_decision_seconds) const {
  return WriteJson(Summary(max_decision_seconds), path);
}

}  // namespace sim
}  // namespace vmbalance
