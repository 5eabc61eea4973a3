#include "exporter/libvirt/domain_config_reader.h"

#include <glog/logging.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <utility>

#include "exporter/core/status.h"
#include "exporter/domain_xml/domain_xml.h"
#include "exporter/libvirt/libvirt_errors.h"

namespace vmbalance {
namespace {

using libvirt_internal::DomainHandle;
using libvirt_internal::LastLibvirtError;

StatusOr<DomainConfig> ReadDefinition(
    virDomainPtr dom, unsigned int flags, const std::string& which,
    const std::vector<MetadataLabelSpec>& labels = {}) {
  char* xml = virDomainGetXMLDesc(dom, flags);
  if (xml == nullptr) {
    return Status::Error("virDomainGetXMLDesc(" + which +
                         "): " + LastLibvirtError().message);
  }
  StatusOr<DomainConfig> parsed = ParseDomainConfig(xml, labels);
  std::free(xml);
  if (!parsed.ok()) {
    return Status::Error(which + " definition: " + parsed.status().message());
  }
  return parsed;
}

std::string InstanceKey(const std::string& uuid, int id) {
  return uuid + "#" + std::to_string(id);
}

std::string PoolKey(const std::string& uuid) { return uuid + "#config"; }

}  // namespace

ConfigRead ReadDomainConfig(virDomainPtr dom,
                            const std::vector<MetadataLabelSpec>& labels) {
  ConfigRead read;
  StatusOr<DomainConfig> persistent =
      ReadDefinition(dom, VIR_DOMAIN_XML_INACTIVE, "persistent");
  StatusOr<DomainConfig> live = ReadDefinition(dom, 0, "live", labels);
  for (const auto* part : {&persistent, &live}) {
    if (!part->ok()) {
      read.error = part->status().message();
      return read;
    }
  }
  DomainConfig merged = std::move(live).value();
  merged.placement = std::move(persistent->placement);
  // Both parses report what they could not read; a problem in either is
  // worth an operator's look, once.
  for (std::string& problem : persistent->problems) {
    if (std::find(merged.problems.begin(), merged.problems.end(), problem) ==
        merged.problems.end()) {
      merged.problems.push_back(std::move(problem));
    }
  }
  if (virDomainIsPersistent(dom) == 0) {
    merged.problems.push_back(
        "transient domain: its placement is read from the live definition, "
        "whose <cputune> includes live pins (vmbalance's own too)");
  }
  read.config = std::move(merged);
  return read;
}

DomainConfigReader::DomainConfigReader(DomainCallPool* pool, Options options)
    : pool_(pool),
      options_(options),
      labels_(std::make_shared<const std::vector<MetadataLabelSpec>>(
          options_.metadata_labels)) {}

void DomainConfigReader::Start(const std::vector<Instance>& instances,
                               Clock::time_point now) {
  std::set<std::string> listed;
  for (const Instance& instance : instances) {
    listed.insert(InstanceKey(instance.uuid, instance.id));
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    // A vanished instance; its outstanding read, if any, writes to a
    // result nobody reads any more.
    if (listed.count(it->first) != 0) {
      ++it;
      continue;
    }
    failures_.Clear("config of " + it->first);
    it = entries_.erase(it);
  }
  for (const Instance& instance : instances) {
    const std::string key = InstanceKey(instance.uuid, instance.id);
    Entry& entry = entries_[key];
    entry.name = instance.name;
    Collect(key, &entry);
    if (entry.ticket != nullptr || instance.dom == nullptr) continue;
    if (entry.tried && now - entry.read_at < options_.refresh_every) continue;
    auto result = std::make_shared<ConfigRead>();
    std::shared_ptr<DomainHandle> dom = instance.dom;
    // Shared: a read stuck in libvirt may outlive the reader (its pool
    // then detaches the worker).
    std::shared_ptr<const std::vector<MetadataLabelSpec>> labels = labels_;
    entry.ticket = pool_->Submit(PoolKey(instance.uuid), [result, dom, labels] {
      *result = ReadDomainConfig(dom->get(), *labels);
    });
    entry.result = std::move(result);
    entry.started_at = now;
  }
}

void DomainConfigReader::Finish(Clock::time_point deadline,
                                std::vector<DomainSample>* domains) {
  std::vector<std::shared_ptr<DomainCallPool::Ticket>> tickets;
  for (const auto& [key, entry] : entries_) {
    if (entry.ticket != nullptr) tickets.push_back(entry.ticket);
  }
  if (!tickets.empty()) pool_->WaitUntil(tickets, deadline);
  for (auto& [key, entry] : entries_) Collect(key, &entry);
  for (DomainSample& domain : *domains) {
    auto it = entries_.find(InstanceKey(domain.uuid, domain.id));
    domain.config = it == entries_.end() ? std::nullopt : it->second.config;
  }
}

void DomainConfigReader::Collect(const std::string& instance, Entry* entry) {
  if (entry->ticket == nullptr) return;
  if (entry->ticket->cancelled()) {  // no worker in time: next Start
    entry->ticket = nullptr;
    return;
  }
  if (!entry->ticket->done()) return;
  entry->ticket = nullptr;
  entry->tried = true;
  entry->read_at = entry->started_at;
  const std::string failure_key = "config of " + instance;
  if (!entry->result->config) {
    failures_.Fail(failure_key, "cannot read the configuration of domain " +
                                    entry->name + " (" + instance +
                                    "): " + entry->result->error);
    return;
  }
  failures_.Clear(failure_key);
  entry->config = std::move(entry->result->config);
  entry->result = nullptr;
  LogProblems(instance, entry);
}

void DomainConfigReader::LogProblems(const std::string& instance,
                                     Entry* entry) {
  const std::vector<std::string>& problems = entry->config->problems;
  if (problems == entry->logged_problems) return;
  for (const std::string& problem : problems) {
    LOG(WARNING) << "domain " << entry->name << " (" << instance
                 << "): " << problem;
  }
  entry->logged_problems = problems;
}

}  // namespace vmbalance
