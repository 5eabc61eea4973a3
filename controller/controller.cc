#include "controller/controller.h"

#include <chrono>
#include <utility>

#include "glog/logging.h"

namespace vmbalance {

Controller::Controller(Hypervisor* hypervisor, ControllerOptions options,
                       std::shared_ptr<MetricsCollector> exporter_metrics,
                       std::shared_ptr<ControllerMetrics> controller_metrics)
    : hypervisor_(hypervisor),
      options_(std::move(options)),
      observer_(hypervisor, std::move(exporter_metrics)),
      controller_metrics_(std::move(controller_metrics)) {
  status_.cpu_enabled = options_.cpu;
  status_.memory_enabled = options_.memory;
  status_.dry_run = options_.dry_run;
  status_.low_mark_kib = options_.memory_config.min_unused_kib;
}

TickReport Controller::Tick() {
  TickReport report;
  Observer::Observation observation = observer_.Tick();
  report.sampled = observation.ok;
  if (!observation.ok) report.sample_error = observation.status.message();
  report.sample = std::move(observation.sample);
  report.usage = std::move(observation.usage);

  // Never act on data we do not have: no sample, no decision. The vCPU
  // policy also needs a second sample (rates), the memory policy does not.
  if (options_.cpu && report.usage.has_value()) RunVcpuPolicy(&report);
  if (options_.memory && report.sample.has_value()) RunMemoryPolicy(&report);
  if (controller_metrics_ != nullptr) {
    controller_metrics_->Publish(
        std::make_shared<const ControllerStatus>(status_));
  }
  return report;
}

void Controller::RunVcpuPolicy(TickReport* report) {
  const auto start = std::chrono::steady_clock::now();
  VcpuDecision decision =
      DecideVcpuPins(options_.vcpu, *report->usage, &vcpu_state_);
  report->vcpu_decision_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (report->vcpu_decision_seconds > max_decision_seconds_) {
    max_decision_seconds_ = report->vcpu_decision_seconds;
  }
  report->pins = ApplyPins(hypervisor_, decision.pins, options_.dry_run);
  CommitPins(report->pins.applied, &vcpu_state_);

  status_.have_cpu_decision = true;
  // A skipped interval judged nothing: the last verdict stands.
  if (!decision.skipped) status_.balanced = decision.balanced;
  status_.decision_seconds = report->vcpu_decision_seconds;
  status_.pin_changes_total += report->pins.applied.size();
  status_.pin_failures_total += report->pins.failures.size();
  status_.excluded_domains = decision.excluded_domains;
  status_.policy_off_domains = decision.policy_off_domains;
  if (decision.vcpus_without_delay >= 0) {
    status_.vcpus_without_delay = decision.vcpus_without_delay;
  }
  // Said once per episode by the policy (delay counters gone or back).
  if (!decision.notice.empty()) LOG(WARNING) << decision.notice;
  report->vcpu = std::move(decision);
}

void Controller::RunMemoryPolicy(TickReport* report) {
  MemoryDecision decision =
      DecideBalloons(options_.memory_config, *report->sample, &memory_state_);
  report->balloons =
      ApplyBalloons(hypervisor_, decision.changes, options_.dry_run);
  CommitBalloons(report->balloons.applied, &memory_state_);
  LogStaleChanges(*report->sample, decision);

  status_.guests.clear();
  for (const GuestMemoryStatus& guest : decision.guests) {
    status_.guests.push_back(GuestTarget{guest.uuid, guest.domain,
                                         guest.target_kib, guest.stale,
                                         guest.left_alone});
  }
  status_.host_reserve_kib = decision.host_reserve_kib;
  status_.untouched_grants_kib = decision.unbacked_kib;
  const int grown = CountGrown(report->balloons);
  status_.balloon_grow_total += grown;
  status_.balloon_shrink_total += report->balloons.applied.size() - grown;
  status_.balloon_failures_total += report->balloons.failures.size();
  report->memory = std::move(decision);
}

void Controller::LogStaleChanges(const Sample& sample,
                                 const MemoryDecision& decision) {
  std::map<DomainKey, std::string> now;
  for (size_t i = 0; i < decision.guests.size(); ++i) {
    const GuestMemoryStatus& guest = decision.guests[i];
    // A guest not read in time is the source's to log; its episode of
    // stale statistics, if any, goes on.
    if (sample.domains[i].read != DomainRead::kComplete) {
      if (stale_guests_.count(guest.uuid)) now[guest.uuid] = guest.domain;
      continue;
    }
    // Stale statistics, a memory backing no balloon can help (hugepages,
    // locked), or the operator's opt-out: either way the guest is left
    // alone, logged once per episode.
    if (!guest.stale && guest.left_alone.empty()) continue;
    now[guest.uuid] = guest.domain;
    if (stale_guests_.count(guest.uuid) == 0) {
      LOG(WARNING) << "memory of " << guest.domain << " (" << guest.uuid
                   << ") left alone: " << guest.why_skipped;
    }
  }
  for (const auto& [uuid, name] : stale_guests_) {
    if (now.count(uuid) > 0) continue;
    LOG(INFO) << "memory of " << name << " (" << uuid
              << ") managed again (fresh statistics, a new memory backing, "
                 "the opt-out lifted, or the domain is gone)";
  }
  stale_guests_ = std::move(now);
}

}  // namespace vmbalance
