#include "exporter/observer.h"

#include <chrono>
#include <iterator>
#include <unordered_set>
#include <utility>

#include "exporter/core/derive.h"
#include "gflags/gflags.h"
#include "glog/logging.h"

DEFINE_bool(domain_metadata_labels, false,
            "Export libvirt_domain_openstack_info{domain,uuid,instance_name,"
            "flavor,project_name,project_uuid,user_name,user_uuid} for "
            "domains whose XML carries OpenStack Nova metadata.");

namespace vmbalance {

const char* ObserverFlagsFile() { return __FILE__; }

Observer::Observer(Hypervisor* hypervisor,
                   std::shared_ptr<MetricsCollector> metrics)
    : hypervisor_(hypervisor),
      metrics_(std::move(metrics)),
      metadata_labels_(FLAGS_domain_metadata_labels) {}

std::vector<DomainHealth> Observer::FollowDomains(const Sample& sample) {
  std::unordered_set<DomainKey> present;
  std::vector<DomainHealth> health;
  health.reserve(sample.domains.size());
  for (const DomainSample& domain : sample.domains) {
    present.insert(domain.uuid);
    auto [it, added] = tracks_.try_emplace(domain.uuid);
    Track& track = it->second;
    if (!added && track.id != domain.id && domain.id >= 0) {
      ++track.health.restarts_total;
      LOG(INFO) << "domain " << domain.name << " (" << domain.uuid
                << ") restarted, id " << track.id << " -> " << domain.id
                << ": its rates and policy state start afresh";
    }
    track.id = domain.id;
    track.health.uuid = domain.uuid;
    track.health.name = domain.name;
    track.health.readable = domain.read == DomainRead::kComplete;
    if (domain.read == DomainRead::kTimedOut) {
      ++track.health.read_timeouts_total;
    }
    health.push_back(track.health);
  }
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    if (present.count(it->first) > 0) {
      it = std::next(it);
      continue;
    }
    LOG(INFO) << "domain " << it->second.health.name << " (" << it->first
              << ") gone: its series and policy state are dropped";
    it = tracks_.erase(it);
  }
  return health;
}

Observer::Observation Observer::Tick() {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<Sample> taken = hypervisor_->Take();
  const double duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  auto snapshot = std::make_shared<Snapshot>();
  snapshot->sample_duration_seconds = duration_s;
  snapshot->domain_metadata_labels = metadata_labels_;
  Observation observation;
  if (!taken.ok()) {
    ++errors_total_;
    last_good_.reset();
    if (was_up_.value_or(true)) {
      LOG(WARNING) << hypervisor_->Describe()
                   << " unreachable: " << taken.status().message();
    }
    was_up_ = false;
    snapshot->sample_errors_total = errors_total_;
    observation.status = taken.status();
  } else {
    if (!was_up_.value_or(false)) {
      LOG(INFO) << "sampling " << hypervisor_->Describe();
    }
    was_up_ = true;
    const Sample* previous = last_good_ != nullptr && last_good_->sample
                                 ? &*last_good_->sample
                                 : nullptr;
    errors_total_ += taken->errors > 0 ? taken->errors : 0;
    snapshot->libvirt_up = true;
    snapshot->usage = Derive(previous, *taken);
    snapshot->health = FollowDomains(*taken);
    snapshot->sample = std::move(taken).value();
    snapshot->sample_errors_total = errors_total_;
    observation.ok = true;
    observation.sample = snapshot->sample;
    observation.usage = snapshot->usage;
  }
  std::shared_ptr<const Snapshot> published = std::move(snapshot);
  if (observation.ok) last_good_ = published;
  if (metrics_ != nullptr) metrics_->Publish(published);
  return observation;
}

}  // namespace vmbalance
