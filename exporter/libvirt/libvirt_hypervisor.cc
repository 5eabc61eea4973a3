#include "exporter/libvirt/libvirt_hypervisor.h"

#include <glog/logging.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "exporter/libvirt/domain_call_pool.h"
#include "exporter/libvirt/domain_reader.h"
#include "exporter/libvirt/failure_log.h"
#include "exporter/libvirt/libvirt_errors.h"
#include "exporter/libvirt/libvirt_handles.h"
#include "exporter/libvirt/libvirt_host.h"
#include "exporter/libvirt/monitor_read.h"
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
// The loop's own listing asks for the state group only: it needs no domain
// job and no QEMU monitor, so it answers even with a guest's QEMU stopped
// (measured; see monitor_read.h). Everything that asks QEMU runs on workers.
constexpr unsigned int kListingGroups = VIR_DOMAIN_STATS_STATE;

using Clock = std::chrono::steady_clock;

std::string Seconds(Clock::duration d) {
  const auto tenths =
      std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

// What a libvirt call made on a worker returned, with libvirt's error code
// read on that worker's thread.
struct CallResult {
  Status status;
  int error_code = VIR_ERR_OK;
};

// One active domain during a Take: its own reference (the worker may outlive
// the listing), the loop's read, and its worker call.
struct DomainSlot {
  std::shared_ptr<DomainHandle> dom;
  std::string uuid;
  std::string instance;  // "<uuid>#<id>": a restart gets a new id
  DomainSample sample;
  bool counters_ok = false;
  bool period_requested = false;
  std::shared_ptr<DomainCallPool::Ticket> ticket;  // null: not started
  std::shared_ptr<MonitorRead> monitor;            // written by the worker
  std::string not_started;                         // why, when no ticket
};

int64_t NanosSinceEpoch(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             t.time_since_epoch())
      .count();
}

}  // namespace

struct LibvirtHypervisor::Impl {
  explicit Impl(std::string uri_in)
      : uri(std::move(uri_in)),
        backoff(std::chrono::seconds(1), std::chrono::seconds(30)),
        pool(std::make_unique<DomainCallPool>()) {}
  ~Impl() {
    pool.reset();  // waits briefly for running calls, detaches stuck ones
    CloseConnection();
  }

  // Closes the connection, reporting handles still holding it: every
  // domain handle should have been freed by its RAII owner by now, except
  // those of calls still stuck on workers (freed when libvirt returns).
  void CloseConnection();

  // Opens the connection when it is missing or dead and the backoff allows.
  Status EnsureConnected();
  void DropConnection(const std::string& why);
  // After a failed call: if the connection broke, drop it so the next call
  // reconnects.
  void CheckConnectionAfterFailure(int code);

  StatusOr<DomainHandle> LookUp(const DomainKey& uuid);
  int HostWidth();

  // Take's steps, in order.
  Status ReadHost(Sample* sample);
  StatusOr<std::vector<DomainSlot>> ListDomains(StatsRecordList* records);
  void StartMonitorReads(std::vector<DomainSlot>* slots);
  void ReadCounters(const StatsRecordList& records,
                    std::vector<DomainSlot>* slots, Sample* sample);
  void FinishMonitorReads(std::vector<DomainSlot>* slots,
                          Clock::time_point deadline, Sample* sample);
  // One domain's worker result into its sample (or its timeout).
  void ApplyMonitorRead(DomainSlot* slot, Sample* sample);
  void MarkTimedOut(const std::string& why, DomainSlot* slot, Sample* sample);

  // Runs `call` on a worker for `uuid` and waits up to the sample deadline.
  Status RunWithDeadline(const DomainKey& uuid, const std::string& what,
                         std::function<CallResult()> call);
  std::string BusyReason(const DomainKey& uuid);

  std::string uri;
  ConnectionHandle conn;
  ReconnectBackoff backoff;
  FailureLog failures;
  HostReader host_reader;
  int stats_period_s = 1;
  std::chrono::milliseconds sample_deadline{1000};
  int last_pcpu_count = 0;  // from the last Take; 0 when unknown
  // Whether the driver takes VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT (the
  // test driver does not): with it a worker's stats call never waits behind
  // a job another client holds on a domain (a migration, say).
  bool nowait_supported = true;
  // "<uuid>#<id>" of domain instances whose balloon period was set.
  std::set<std::string> balloon_period_set;
  std::unique_ptr<DomainCallPool> pool;
};

Status LibvirtHypervisor::Impl::EnsureConnected() {
  if (conn != nullptr) {
    if (virConnectIsAlive(conn.get()) == 1) return Status::Ok();
    DropConnection("connection is no longer alive");
  }
  const auto now = Clock::now();
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
  if (virConnectClose(conn.release()) <= 0) return;
  const int stuck = pool == nullptr ? 0 : pool->outstanding();
  if (stuck > 0) {
    LOG(WARNING) << "libvirt connection to " << uri << " closed with " << stuck
                 << " call(s) still waiting on guests; their "
                 << "handles are freed when libvirt returns";
  } else {
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

// What a worker returns for a call that failed: libvirt's error, read here,
// on the worker's thread.
CallResult FailedCall(const std::string& what) {
  CallResult result;
  result.error_code = LastLibvirtError().code;
  result.status = ErrorFromLibvirt(what);
  return result;
}

std::string Ms(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
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

int LibvirtHypervisor::Impl::HostWidth() {
  if (last_pcpu_count > 0) return last_pcpu_count;
  int present = virNodeGetCPUMap(conn.get(), nullptr, nullptr, 0);
  if (present > 0) last_pcpu_count = present;
  return present;
}

Status LibvirtHypervisor::Impl::ReadHost(Sample* sample) {
  StatusOr<HostSample> host = host_reader.Read(conn.get(), &failures);
  if (!host.ok()) {
    CheckConnectionAfterFailure(LastLibvirtError().code);
    return host.status();
  }
  sample->host = std::move(host).value();
  last_pcpu_count = sample->host.pcpu_count;
  return Status::Ok();
}

StatusOr<std::vector<DomainSlot>> LibvirtHypervisor::Impl::ListDomains(
    StatsRecordList* records) {
  virDomainStatsRecordPtr* raw = nullptr;
  const int count =
      virConnectGetAllDomainStats(conn.get(), kListingGroups, &raw,
                                  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
  records->reset(raw);
  if (count < 0) {
    Status error = ErrorFromLibvirt("virConnectGetAllDomainStats");
    CheckConnectionAfterFailure(LastLibvirtError().code);
    return error;
  }
  std::vector<DomainSlot> slots(count);
  for (int i = 0; i < count; ++i) {
    virDomainPtr dom = (*records)[i]->dom;
    if (virDomainRef(dom) == 0) {
      slots[i].dom = std::make_shared<DomainHandle>(dom);
    }
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    virDomainGetUUIDString(dom, uuid);  // cached in the handle: no round trip
    slots[i].uuid = uuid;
    slots[i].instance =
        slots[i].uuid + "#" + std::to_string(virDomainGetID(dom));
  }
  return slots;
}

std::string LibvirtHypervisor::Impl::BusyReason(const DomainKey& uuid) {
  std::optional<Clock::duration> pending = pool->PendingFor(uuid);
  if (!pending) return "";
  return "previous call still pending for " + Seconds(*pending);
}

void LibvirtHypervisor::Impl::StartMonitorReads(
    std::vector<DomainSlot>* slots) {
  for (DomainSlot& slot : *slots) {
    if (slot.dom == nullptr) continue;
    slot.not_started = BusyReason(slot.uuid);
    if (!slot.not_started.empty()) continue;
    slot.period_requested =
        stats_period_s > 0 && balloon_period_set.count(slot.instance) == 0;
    auto result = std::make_shared<MonitorRead>();
    std::shared_ptr<DomainHandle> dom = slot.dom;
    const bool nowait = nowait_supported;
    const int period = slot.period_requested ? stats_period_s : 0;
    slot.ticket = pool->Submit(slot.uuid, [result, dom, nowait, period] {
      *result = ReadMonitorStats(dom->get(), nowait, period);
    });
    slot.monitor = std::move(result);
  }
}

void LibvirtHypervisor::Impl::ReadCounters(const StatsRecordList& records,
                                           std::vector<DomainSlot>* slots,
                                           Sample* sample) {
  const auto start = Clock::now();
  for (size_t i = 0; i < slots->size(); ++i) {
    DomainSlot& slot = (*slots)[i];
    RecordRead read = ReadDomainRecord(*records[i], /*balloon=*/nullptr,
                                       sample->host.pcpu_count, &slot.sample);
    const std::string key = "reading domain " + slot.uuid;
    slot.counters_ok = read.ok;
    if (read.ok) {
      failures.Clear(key);
      continue;
    }
    // Gone between list and read, or unreadable: skip it, keep the rest.
    ++sample->errors;
    if (read.vanished) {
      LOG(WARNING) << "domain " << slot.sample.name << " (" << slot.uuid
                   << ") vanished while being read: " << read.error;
    } else {
      failures.Fail(key, slot.sample.name + ": " + read.error);
    }
  }
  const auto end = Clock::now();
  sample->monotonic_ns = NanosSinceEpoch(start + (end - start) / 2);
  sample->vcpu_read_span_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count();
  sample->wall_time_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
}

void LibvirtHypervisor::Impl::FinishMonitorReads(std::vector<DomainSlot>* slots,
                                                 Clock::time_point deadline,
                                                 Sample* sample) {
  std::vector<std::shared_ptr<DomainCallPool::Ticket>> tickets;
  for (const DomainSlot& slot : *slots) tickets.push_back(slot.ticket);
  pool->WaitUntil(tickets, deadline);
  std::set<std::string> period_set_now;
  sample->domains.reserve(slots->size());
  for (DomainSlot& slot : *slots) {
    if (!slot.counters_ok) continue;
    if (balloon_period_set.count(slot.instance) != 0 ||
        (slot.period_requested && slot.ticket != nullptr &&
         slot.ticket->started())) {
      // Tried once per instance either way; a restart (new id) tries again.
      period_set_now.insert(slot.instance);
    }
    ApplyMonitorRead(&slot, sample);
    sample->domains.push_back(std::move(slot.sample));
  }
  balloon_period_set = std::move(period_set_now);
}

void LibvirtHypervisor::Impl::ApplyMonitorRead(DomainSlot* slot,
                                               Sample* sample) {
  if (slot->ticket == nullptr || !slot->ticket->done()) {
    std::string why = slot->not_started;
    if (slot->ticket != nullptr && slot->ticket->cancelled()) {
      why = "no worker free: " + std::to_string(pool->outstanding()) +
            " call(s) still waiting on guests";
    } else if (slot->ticket != nullptr) {
      why = "QEMU did not answer within " + Ms(sample_deadline);
    } else if (why.empty()) {
      why = "no domain reference for the QEMU call";
    }
    MarkTimedOut(why, slot, sample);
    return;
  }
  const std::string key = "QEMU stats of " + slot->uuid;
  failures.Clear("QEMU of " + slot->uuid);
  const MonitorRead& read = *slot->monitor;
  if (read.nowait_refused) nowait_supported = false;
  if (!read.ok) {
    // Not a hang: the call failed (domain gone, no balloon support). The
    // CPU figures are good; the balloon stays empty, which the memory
    // policy treats as missing.
    CheckConnectionAfterFailure(read.error_code);
    failures.Fail(key, slot->sample.name + ": " + read.error);
    return;
  }
  failures.Clear(key);
  MergeMonitorStats(read.stats, &slot->sample);
}

void LibvirtHypervisor::Impl::MarkTimedOut(const std::string& why,
                                           DomainSlot* slot, Sample* sample) {
  ++sample->errors;
  slot->sample.read = DomainRead::kTimedOut;
  slot->sample.read_error = why;
  // Logged when the episode starts and when it ends, not every tick.
  failures.Fail("QEMU of " + slot->uuid,
                slot->sample.name + " (" + slot->uuid +
                    "): balloon and vCPU delay figures missing: " + why);
}

Status LibvirtHypervisor::Impl::RunWithDeadline(
    const DomainKey& uuid, const std::string& what,
    std::function<CallResult()> call) {
  std::string busy = BusyReason(uuid);
  if (!busy.empty()) {
    return Status::Error(what + ": domain busy, " + busy);
  }
  auto result = std::make_shared<CallResult>();
  auto ticket = pool->Submit(
      uuid, [result, call = std::move(call)] { *result = call(); });
  if (ticket == nullptr) return Status::Error(what + ": domain busy");
  pool->WaitUntil({ticket}, Clock::now() + sample_deadline);
  if (ticket->done()) {
    if (!result->status.ok()) CheckConnectionAfterFailure(result->error_code);
    return result->status;
  }
  if (ticket->cancelled()) {
    return Status::Error(what + ": no worker free, " +
                         std::to_string(pool->outstanding()) +
                         " call(s) still waiting on guests");
  }
  return Status::Error(what + " timed out after " + Ms(sample_deadline) +
                       "; domain marked busy");
}

LibvirtHypervisor::LibvirtHypervisor(std::string uri)
    : impl_(std::make_unique<Impl>(std::move(uri))) {
  SilenceLibvirtErrors();
}

LibvirtHypervisor::~LibvirtHypervisor() = default;

void LibvirtHypervisor::set_stats_period_seconds(int seconds) {
  impl_->stats_period_s = seconds;
}

void LibvirtHypervisor::set_sample_deadline(
    std::chrono::milliseconds deadline) {
  impl_->sample_deadline = deadline;
}

void LibvirtHypervisor::set_reconnect_backoff(std::chrono::milliseconds initial,
                                              std::chrono::milliseconds max) {
  impl_->backoff = ReconnectBackoff(initial, max);
}

StatusOr<Sample> LibvirtHypervisor::Take() {
  Impl& impl = *impl_;
  const auto deadline = Clock::now() + impl.sample_deadline;
  Status connected = impl.EnsureConnected();
  if (!connected.ok()) return connected;
  Sample sample;
  Status host = impl.ReadHost(&sample);
  if (!host.ok()) return host;
  StatsRecordList records;
  StatusOr<std::vector<DomainSlot>> slots = impl.ListDomains(&records);
  if (!slots.ok()) return slots.status();
  // Workers ask QEMU while this thread reads the counters (no QEMU involved).
  impl.StartMonitorReads(&*slots);
  impl.ReadCounters(records, &*slots, &sample);
  impl.FinishMonitorReads(&*slots, deadline, &sample);
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
  const std::string what = "pinning vCPU " + std::to_string(vcpu) + " of " +
                           uuid + " to " + pcpus.ToString();
  auto handle = std::make_shared<DomainHandle>(std::move(dom).value());
  auto cpumap =
      std::make_shared<std::vector<unsigned char>>(pcpus.ToCpumap(width));
  return impl_->RunWithDeadline(uuid, what, [handle, vcpu, cpumap, what] {
    if (PinLive(handle->get(), vcpu, cpumap.get()) < 0) {
      return FailedCall(what);
    }
    return CallResult{};
  });
}

Status LibvirtHypervisor::SetMemory(const DomainKey& uuid,
                                    uint64_t memory_kib) {
  StatusOr<DomainHandle> dom = impl_->LookUp(uuid);
  if (!dom.ok()) return dom.status();
  const std::string what = "setting memory of " + uuid + " to " +
                           std::to_string(memory_kib) + " KiB";
  auto handle = std::make_shared<DomainHandle>(std::move(dom).value());
  return impl_->RunWithDeadline(uuid, what, [handle, memory_kib, what] {
    if (virDomainSetMemoryFlags(handle->get(), memory_kib,
                                VIR_DOMAIN_AFFECT_LIVE) < 0) {
      return FailedCall(what);
    }
    return CallResult{};
  });
}

std::string LibvirtHypervisor::Describe() const { return impl_->uri; }

bool LibvirtHypervisor::connected() const {
  return impl_->conn != nullptr && virConnectIsAlive(impl_->conn.get()) == 1;
}

}  // namespace vmbalance
