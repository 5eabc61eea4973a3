// DomainConfigReader: what an operator said about each running domain
// instance (DomainConfig: placement, vmbalance's policy switch, Nova
// metadata), read from libvirt now and then rather than every interval, and
// cached per instance (UUID + id: a restart may come with another
// definition).
//
// Two definitions are read, for two reasons:
//   - the placement (<vcpu cpuset>, <cputune><vcpupin>, <numatune>) from the
//     persistent one (VIR_DOMAIN_XML_INACTIVE): the live one's <cputune>
//     also lists live pins, vmbalance's own among them, which are not the
//     operator's word. A transient domain has only the live one (said in
//     its problems).
//   - the metadata (policy switch, Nova) from the live one (flags 0):
//     `virsh metadata --live` changes only that one, and an opt-out must
//     act on the running guest.
// Measured on libvirt 9.0 with a guest's QEMU stopped (SIGSTOP) and another
// client's stats call holding its job: virDomainGetXMLDesc (live and
// inactive) answers in < 0.1 s; it needs the domain's lock, not its job or
// monitor. The reads still run on the DomainCallPool with the sample
// deadline, like every other per-domain call, because libvirtd serves all
// clients from one pool of workers that callers stuck on a hung guest can
// fill (see libvirt_hypervisor.cc). Not thread-safe: owned by the loop.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CONFIG_READER_H_
#define VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CONFIG_READER_H_

#include <libvirt/libvirt.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exporter/core/domain_config.h"
#include "exporter/core/sample.h"
#include "exporter/domain_xml/metadata_labels.h"
#include "exporter/libvirt/domain_call_pool.h"
#include "exporter/libvirt/domain_config_flags.h"
#include "exporter/libvirt/failure_log.h"
#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {

struct ConfigRead {
  std::optional<DomainConfig> config;  // nullopt when a call failed
  std::string error;                   // why, when it did
};

// Both definitions of `dom`, parsed and merged as the header says, with the
// `labels` read from the live one's metadata. Blocking (3 calls:
// virDomainIsPersistent and 2 virDomainGetXMLDesc).
ConfigRead ReadDomainConfig(virDomainPtr dom,
                            const std::vector<MetadataLabelSpec>& labels = {});

class DomainConfigReader {
 public:
  using Clock = std::chrono::steady_clock;

  // Default to the flags (domain_config_flags.h).
  struct Options {
    // Operators change a running guest's metadata (`virsh metadata --live`)
    // or its persistent pins at any time and libvirt tells nobody unless
    // one listens for events: an opt-out is seen within this long, for 3
    // calls per domain per period (0.05 calls/s per domain at 60 s).
    std::chrono::seconds refresh_every = ConfigRefreshFromFlags();
    // --domain_metadata: read into each DomainConfig::metadata_labels.
    std::vector<MetadataLabelSpec> metadata_labels =
        MetadataLabelSpecsFromFlags();
  };

  // One running domain instance as the listing saw it.
  struct Instance {
    std::string uuid;
    int id = -1;
    std::string name;  // for logs
    std::shared_ptr<libvirt_internal::DomainHandle> dom;
  };

  DomainConfigReader(DomainCallPool* pool, Options options);

  // Forgets instances not listed; then starts, on the pool, a read for each
  // listed instance never read or read `refresh_every` ago, unless one is
  // still outstanding. A failed read is retried after `refresh_every` too
  // (logged once until a read works; an earlier config is kept).
  void Start(const std::vector<Instance>& instances, Clock::time_point now);
  // Waits until `deadline` for the reads started, keeps those done (the
  // rest are picked up by a later call), and sets each domain's config from
  // the cache: nullopt for an instance not read yet.
  void Finish(Clock::time_point deadline, std::vector<DomainSample>* domains);

  size_t cached() const { return entries_.size(); }  // instances followed

 private:
  struct Entry {
    std::string name;
    std::optional<DomainConfig> config;
    bool tried = false;  // a read finished, well or not
    Clock::time_point read_at;
    std::shared_ptr<DomainCallPool::Ticket> ticket;  // outstanding read
    std::shared_ptr<ConfigRead> result;              // written by its worker
    Clock::time_point started_at;
    std::vector<std::string> logged_problems;
  };
  void Collect(const std::string& instance, Entry* entry);
  void LogProblems(const std::string& uuid, Entry* entry);

  DomainCallPool* pool_;
  Options options_;
  std::shared_ptr<const std::vector<MetadataLabelSpec>> labels_;
  std::map<std::string, Entry> entries_;  // by "<uuid>#<id>"
  FailureLog failures_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CONFIG_READER_H_
