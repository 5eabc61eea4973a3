#include "exporter/libvirt/libvirt_hypervisor.h"

#include <glog/logging.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "exporter/libvirt/domain_reader.h"
#include "exporter/libvirt/failure_log.h"
#include "exporter/libvirt/libvirt_errors.h"
#include "exporter/libvirt/libvirt_handles.h"
#include "exporter/libvirt/libvirt_host.h"
#include "exporter/libvirt/reconnect_backoff.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::DomainHandle;
using libvirt_internal::ErrorFromLibvirt;
using libvirt_internal::IsConnectionError;
using libvirt_internal::IsNoDomain;
using libvirt_internal::LastLibvirtError;
using libvirt_internal::LibvirtError;
using libvirt_internal::SilenceLibvirtErrors;
using libvirt_internal::StatsRecordList;

constexpr char kConnectKey[] = "libvirt connection";
// The vCPU counters are read in a call of their own, timed, so that every
// domain's counters are read close to the sample's stamp. The balloon group
// asks each guest's QEMU over its monitor, which takes from milliseconds to
// seconds on a busy host: sharing that call, a domain read early and one read
// late would get windows that differ by as much, and their rates would be off
// by that fraction of the interval.
constexpr unsigned int kCounterGroups =
    VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_VCPU;
constexpr unsigned int kBalloonGroups = VIR_DOMAIN_STATS_BALLOON;

int64_t NanosSinceEpoch(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             t.time_since_epoch())
      .count();
}

}  // namespace

struct LibvirtHypervisor::Impl {
  explicit Impl(std::string uri_in)
      : uri(std::move(uri_in)),
        backoff(std::chrono::seconds(1), std::chrono::seconds(30)) {}
  ~Impl() { CloseConnection(); }

  // Closes the connection, reporting handles still holding it: every
  // domain handle should have been freed by its RAII owner by now.
  void CloseConnection();

  // Opens the connection when it is missing or dead and the backoff allows.
  Status EnsureConnected();
  void DropConnection(const std::string& why);
  // After a failed call: if the connection broke, drop it so the next call
  // reconnects.
  void CheckConnectionAfterFailure(int code);

  void EnableBalloonStats(virDomainPtr dom, const DomainSample& domain,
                          std::set<std::string>* seen_now);
  StatusOr<DomainHandle> LookUp(const DomainKey& uuid);
  // virConnectGetAllDomainStats over the active domains; count or -1.
  int GetAllStats(unsigned int groups, bool nowait, StatsRecordList* records);
  int HostWidth();

  std::string uri;
  ConnectionHandle conn;
  ReconnectBackoff backoff;
  FailureLog failures;
  HostReader host_reader;
  int stats_period_s = 1;
  int last_pcpu_count = 0;  // from the last Take; 0 when unknown
  // Whether the driver takes VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT (the
  // test driver does not): with it the counters call never waits behind a
  // job another client holds on a domain.
  bool nowait_supported = true;
  // "<uuid>#<id>" of domain instances whose balloon period was set.
  std::set<std::string> balloon_period_set;
};

Status LibvirtHypervisor::Impl::EnsureConnected() {
  if (conn != nullptr) {
    if (virConnectIsAlive(conn.get()) == 1) return Status::Ok();
    DropConnection("connection is no longer alive");
  }
  const auto now = std::chrono::steady_clock::now();
  if (!backoff.MayAttempt(now)) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        backoff.next_attempt() - now);
    return Status::Error("not connected to " + uri + "; next attempt in " +
                         std::to_string(wait.count()) + " ms");
  }
  virConnectPtr opened = virConnectOpen(uri.c_str());
  if (opened == nullptr) {
    Status error = ErrorFromLibvirt("cannot connect to " + uri);
    backoff.RecordFailure(now);
    failures.Fail(kConnectKey, error.message());
    return error;
  }
  conn.reset(opened);
  SilenceLibvirtErrors(conn.get());
  backoff.RecordSuccess();
  host_reader.Reset();
  balloon_period_set.clear();
  if (!failures.Clear(kConnectKey)) LOG(INFO) << "connected to " << uri;
  return Status::Ok();
}

void LibvirtHypervisor::Impl::CloseConnection() {
  if (conn == nullptr) return;
  if (virConnectClose(conn.release()) > 0) {
    LOG(ERROR) << "libvirt connection to " << uri
               << " still referenced when closed: leaked handles";
  }
}

void LibvirtHypervisor::Impl::DropConnection(const std::string& why) {
  failures.Fail(kConnectKey, uri + ": " + why);
  CloseConnection();
  // Retry at once on the next call, then back off if that fails.
}

void LibvirtHypervisor::Impl::CheckConnectionAfterFailure(int code) {
  if (conn == nullptr) return;
  if (IsConnectionError(code) && virConnectIsAlive(conn.get()) != 1) {
    DropConnection("connection lost");
  }
}

void LibvirtHypervisor::Impl::EnableBalloonStats(
    virDomainPtr dom, const DomainSample& domain,
    std::set<std::string>* seen_now) {
  std::string instance = domain.uuid + "#" + std::to_string(domain.id);
  seen_now->insert(instance);
  if (stats_period_s <= 0 || balloon_period_set.count(instance) != 0) return;
  if (virDomainSetMemoryStatsPeriod(dom, stats_period_s,
                                    VIR_DOMAIN_AFFECT_LIVE) < 0) {
    // No balloon driver or a driver without the call: its balloon figures
    // stay empty or frozen, which the memory policy treats as missing.
    LOG(WARNING) << "cannot set balloon stats period of " << domain.name << " ("
                 << domain.uuid << "): " << LastLibvirtError().message;
  }
  // Tried once per instance either way; a restart (new id) tries again.
}

namespace {

// Pins the running domain only (never its persistent config). A driver that
// refuses the LIVE flag (test:///) gets CURRENT, which means the same for a
// domain that is still active.
int PinLive(virDomainPtr dom, int vcpu, std::vector<unsigned char>* cpumap) {
  int pinned = virDomainPinVcpuFlags(
      dom, static_cast<unsigned int>(vcpu), cpumap->data(),
      static_cast<int>(cpumap->size()), VIR_DOMAIN_AFFECT_LIVE);
  if (pinned < 0 && LastLibvirtError().code == VIR_ERR_INVALID_ARG &&
      virDomainIsActive(dom) == 1) {
    pinned = virDomainPinVcpuFlags(
        dom, static_cast<unsigned int>(vcpu), cpumap->data(),
        static_cast<int>(cpumap->size()), VIR_DOMAIN_AFFECT_CURRENT);
  }
  return pinned;
}

}  // namespace

StatusOr<DomainHandle> LibvirtHypervisor::Impl::LookUp(const DomainKey& uuid) {
  Status connected = EnsureConnected();
  if (!connected.ok()) return connected;
  DomainHandle dom(virDomainLookupByUUIDString(conn.get(), uuid.c_str()));
  if (dom == nullptr) {
    LibvirtError error = LastLibvirtError();
    CheckConnectionAfterFailure(error.code);
    if (IsNoDomain(error.code) || error.code == VIR_ERR_INVALID_ARG) {
      return Status::Error("unknown domain " + uuid);
    }
    return Status::Error("looking up domain " + uuid + ": " + error.message);
  }
  return dom;
}

int LibvirtHypervisor::Impl::GetAllStats(unsigned int groups, bool nowait,
                                         StatsRecordList* records) {
  unsigned int flags = VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE;
  if (nowait && nowait_supported) {
    flags |= VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;
  }
  virDomainStatsRecordPtr* raw = nullptr;
  int count = virConnectGetAllDomainStats(conn.get(), groups, &raw, flags);
  if (count < 0 && (flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT) != 0) {
    const int code = LastLibvirtError().code;
    if (code == VIR_ERR_INVALID_ARG || code == VIR_ERR_NO_SUPPORT) {
      nowait_supported = false;
      flags &= ~VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;
      count = virConnectGetAllDomainStats(conn.get(), groups, &raw, flags);
    }
  }
  records->reset(raw);
  return count;
}

int LibvirtHypervisor::Impl::HostWidth() {
  if (last_pcpu_count > 0) return last_pcpu_count;
  int present = virNodeGetCPUMap(conn.get(), nullptr, nullptr, 0);
  if (present > 0) last_pcpu_count = present;
  return present;
}

LibvirtHypervisor::LibvirtHypervisor(std::string uri)
    : impl_(std::make_unique<Impl>(std::move(uri))) {
  SilenceLibvirtErrors();
}

LibvirtHypervisor::~LibvirtHypervisor() = default;

void LibvirtHypervisor::set_stats_period_seconds(int seconds) {
  impl_->stats_period_s = seconds;
}

void LibvirtHypervisor::set_reconnect_backoff(std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max) {
  impl_->backoff = ReconnectBackoff(initial, max);
}

StatusOr<Sample> LibvirtHypervisor::Take() {
  Impl& impl = *impl_;
  Status connected = impl.EnsureConnected();
  if (!connected.ok()) return connected;

  Sample sample;

  StatusOr<HostSample> host =
      impl.host_reader.Read(impl.conn.get(), &impl.failures);
  if (!host.ok()) {
    impl.CheckConnectionAfterFailure(LastLibvirtError().code);
    return host.status();
  }
  sample.host = std::move(host).value();
  impl.last_pcpu_count = sample.host.pcpu_count;

  StatsRecordList counters;
  const auto counters_start = std::chrono::steady_clock::now();
  const int count =
      impl.GetAllStats(kCounterGroups, /*nowait=*/true, &counters);
  const auto counters_end = std::chrono::steady_clock::now();
  if (count < 0) {
    Status error = ErrorFromLibvirt("virConnectGetAllDomainStats");
    impl.CheckConnectionAfterFailure(LastLibvirtError().code);
    return error;
  }
  sample.monotonic_ns =
      NanosSinceEpoch(counters_start + (counters_end - counters_start) / 2);
  sample.vcpu_read_span_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(counters_end -
                                                           counters_start)
          .count();
  sample.wall_time_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();

  // Balloon figures by UUID. Without them (the call failed, or a domain
  // started in between) a domain's balloon stays empty, which the memory
  // policy treats as missing; the CPU figures are still good.
  StatsRecordList balloons;
  const int balloon_count =
      impl.GetAllStats(kBalloonGroups, /*nowait=*/false, &balloons);
  std::map<std::string, const virDomainStatsRecord*> balloon_by_uuid;
  if (balloon_count < 0) {
    impl.failures.Fail("balloon stats", "virConnectGetAllDomainStats: " +
                                            LastLibvirtError().message);
  } else {
    impl.failures.Clear("balloon stats");
    for (int i = 0; i < balloon_count; ++i) {
      char uuid[VIR_UUID_STRING_BUFLEN];
      if (virDomainGetUUIDString(balloons[i]->dom, uuid) == 0) {
        balloon_by_uuid[uuid] = balloons[i];
      }
    }
  }

  std::set<std::string> seen_now;
  sample.domains.reserve(count);
  for (int i = 0; i < count; ++i) {
    DomainSample domain;
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(counters[i]->dom, uuid);
    auto balloon = balloon_by_uuid.find(uuid);
    RecordRead read = ReadDomainRecord(
        *counters[i],
        balloon == balloon_by_uuid.end() ? nullptr : balloon->second,
        sample.host.pcpu_count, &domain);
    const std::string failure_key = "reading domain " + domain.uuid;
    if (!read.ok) {
      // Gone between list and read, or unreadable: skip it, keep the rest.
      ++sample.errors;
      if (read.vanished) {
        LOG(WARNING) << "domain " << domain.name << " (" << domain.uuid
                     << ") vanished while being read: " << read.error;
      } else {
        impl.failures.Fail(failure_key, domain.name + ": " + read.error);
      }
      continue;
    }
    impl.failures.Clear(failure_key);
    impl.EnableBalloonStats(counters[i]->dom, domain, &seen_now);
    sample.domains.push_back(std::move(domain));
  }
  impl.balloon_period_set = std::move(seen_now);
  std::sort(sample.domains.begin(), sample.domains.end(),
            [](const DomainSample& a, const DomainSample& b) {
              return a.uuid < b.uuid;
            });
  return sample;
}

Status LibvirtHypervisor::PinVcpu(const DomainKey& uuid, int vcpu,
                                  const CpuSet& pcpus) {
  StatusOr<DomainHandle> dom = impl_->LookUp(uuid);
  if (!dom.ok()) return dom.status();
  if (vcpu < 0) return Status::Error("invalid vCPU " + std::to_string(vcpu));
  int width = impl_->HostWidth();
  if (width <= 0) return ErrorFromLibvirt("virNodeGetCPUMap");
  if (pcpus.Empty()) return Status::Error("empty pCPU set for " + uuid);
  if (pcpus.Last() >= width) {
    return Status::Error("pCPU " + std::to_string(pcpus.Last()) +
                         " is beyond the host's " + std::to_string(width) +
                         " pCPUs");
  }
  std::vector<unsigned char> cpumap = pcpus.ToCpumap(width);
  if (PinLive(dom->get(), vcpu, &cpumap) < 0) {
    Status error = ErrorFromLibvirt("pinning vCPU " + std::to_string(vcpu) +
                                    " of " + uuid + " to " + pcpus.ToString());
    impl_->CheckConnectionAfterFailure(LastLibvirtError().code);
    return error;
  }
  return Status::Ok();
}

Status LibvirtHypervisor::SetMemory(const DomainKey& uuid,
                                    uint64_t memory_kib) {
  StatusOr<DomainHandle> dom = impl_->LookUp(uuid);
  if (!dom.ok()) return dom.status();
  if (virDomainSetMemoryFlags(dom->get(), memory_kib, VIR_DOMAIN_AFFECT_LIVE) <
      0) {
    Status error = ErrorFromLibvirt("setting memory of " + uuid + " to " +
                                    std::to_string(memory_kib) + " KiB");
    impl_->CheckConnectionAfterFailure(LastLibvirtError().code);
    return error;
  }
  return Status::Ok();
}

std::string LibvirtHypervisor::Describe() const { return impl_->uri; }

bool LibvirtHypervisor::connected() const {
  return impl_->conn != nullptr && virConnectIsAlive(impl_->conn.get()) == 1;
}

}  // namespace vmbalance
