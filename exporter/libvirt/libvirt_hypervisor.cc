#include "exporter/libvirt/libvirt_hypervisor.h"

#include <glog/logging.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "exporter/libvirt/connection_opener.h"
#include "exporter/libvirt/domain_call_pool.h"
#include "exporter/libvirt/domain_config_reader.h"
#include "exporter/libvirt/domain_reader.h"
#include "exporter/libvirt/domain_stats_params.h"
#include "exporter/libvirt/failure_log.h"
#include "exporter/libvirt/libvirt_errors.h"
#include "exporter/libvirt/libvirt_handles.h"
#include "exporter/libvirt/libvirt_host.h"
#include "exporter/libvirt/monitor_read.h"
#include "exporter/libvirt/qemu_connections.h"
#include "exporter/libvirt/reconnect_backoff.h"
#include "exporter/libvirt/topology_reader.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;
using libvirt_internal::DomainHandle;
using libvirt_internal::ErrorFromLibvirt;
using libvirt_internal::IsConnectionError;
using libvirt_internal::IsNoDomain;
using libvirt_internal::LastLibvirtError;
using libvirt_internal::LibvirtError;
using libvirt_internal::QemuConnections;
using libvirt_internal::QemuLease;
using libvirt_internal::SilenceLibvirtErrors;
using libvirt_internal::StatsRecordList;

constexpr char kConnectKey[] = "libvirt connection";
// The loop's own listing asks for the state group only: it needs no domain
// job and no QEMU monitor, so it answers even with a guest's QEMU stopped
// (measured; see monitor_read.h). Everything that asks QEMU runs on workers.
// The vCPU times cannot come in this one bulk call instead of a
// virDomainGetVcpus per domain. In libvirt 9.0's src/qemu/qemu_driver.c,
// qemuConnectGetAllDomainStats takes each domain's job whenever a requested
// group is marked `monitor` in qemuDomainGetStatsWorkers (checked by
// qemuDomainGetStatsNeedMonitor): vcpu and cpu-total are, state is not.
// With the job, qemuDomainGetStatsVcpu asks QEMU (qemuMonitorQueryStats,
// after qemuDomainRefreshStatsSchema, on a QEMU with query-stats: Debian
// 12's 7.2 has it). VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT only skips
// that while another call holds the job: with the job free and the QEMU
// hung, the listing would hang on it, and every domain after it.
constexpr unsigned int kListingGroups = VIR_DOMAIN_STATS_STATE;
constexpr char kListingKey[] = "#listing";
// Host figures (node calls, /proc/meminfo): no domain involved, but libvirtd
// serves every client from one pool of workers (max_workers, 20 by default);
// callers stuck on a hung guest can fill it, and then even node calls wait
// (seen: virNodeGetCPUStats waiting with a guest stopped). So these run on a
// worker too.
constexpr char kHostKey[] = "#host";
// The host's pCPU count, asked for a pin before any Take.
constexpr char kWidthKey[] = "#width";
// The least the loop's own calls may wait (see Impl::LoopWait).
constexpr std::chrono::milliseconds kLoopCallWait{2000};

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

// What a worker read of a domain's counters (virDomainGetVcpus: no job, no
// QEMU; it still waits for the domain's lock, which libvirt holds while it
// starts or stops a QEMU).
struct CountersRead {
  RecordRead read;
  DomainSample sample;
  Clock::time_point start, end;
};

// The host reader and its failure log, shared with the worker that reads the
// host (it may be stuck in libvirt when the loop reconnects or exits).
struct HostState {
  HostReader reader;
  TopologyReader topology;  // capabilities: once per connection, on change
  FailureLog failures;
  std::atomic<bool> reset{false};  // forget the driver: a new connection
};

struct HostRead {
  StatusOr<HostSample> host = Status::Error("not read");
  int error_code = VIR_ERR_OK;
};

// The listing: one virConnectGetAllDomainStats(state). It too takes every
// domain's lock, so it runs on a worker like the rest.
struct Listing {
  StatsRecordList records;
  int count = -1;
  LibvirtError error;
};

// One active domain during a Take: its own reference (a worker may outlive
// the listing) and its two worker calls, each with its own key: counters
// under the UUID, the QEMU-bound call under "<uuid>#qemu", so that a guest
// whose QEMU hangs still gets its vCPU figures.
struct DomainSlot {
  std::shared_ptr<DomainHandle> dom;
  std::string uuid;
  std::string instance;      // "<uuid>#<id>": a restart gets a new id
  DomainSample identity;     // name, UUID, id and state from the listing
  DomainStatsParams listed;  // the listing's figures (the state)
  // What the instance's last read learned; none at its first.
  std::optional<KnownFacts> known;
  bool period_requested = false;
  std::shared_ptr<DomainCallPool::Ticket> counters_ticket, qemu_ticket;
  std::shared_ptr<CountersRead> counters;  // written by a worker
  std::shared_ptr<MonitorRead> monitor;    // written by a worker
  std::string counters_busy, qemu_busy;    // why a call was not started
};

std::string QemuKey(const std::string& uuid) { return uuid + "#qemu"; }

std::vector<DomainConfigReader::Instance> ConfigInstances(
    const std::vector<DomainSlot>& slots) {
  std::vector<DomainConfigReader::Instance> instances;
  instances.reserve(slots.size());
  for (const DomainSlot& slot : slots) {
    instances.push_back(
        {slot.uuid, slot.identity.id, slot.identity.name, slot.dom});
  }
  return instances;
}

int64_t NanosSinceEpoch(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             t.time_since_epoch())
      .count();
}

}  // namespace

struct LibvirtHypervisor::Impl {
  explicit Impl(std::string uri_in)
      : uri(std::move(uri_in)),
        opener(uri),
        backoff(std::chrono::seconds(1), std::chrono::seconds(30)),
        loop_pool(std::make_unique<DomainCallPool>()),
        pool(std::make_unique<DomainCallPool>()) {}
  ~Impl() {
    detached_calls = Outstanding();
    loop_pool.reset();  // each waits briefly for running calls and
    pool.reset();       // detaches stuck ones
    CloseConnection();
  }

  // Calls submitted to either pool and not finished; 0 once they are gone.
  int Outstanding() const {
    if (pool == nullptr || loop_pool == nullptr) return detached_calls;
    return pool->outstanding() + loop_pool->outstanding();
  }

  // A connection for one QEMU-bound call, used by no other call: a free one,
  // else one opened on first use, on the worker (QemuLease::Get), so that
  // a libvirtd that never answers holds that call, not the loop. It returns
  // to the free list when the call's last reference goes (a stuck call keeps
  // its own).
  std::shared_ptr<QemuLease> LeaseQemuConnection();
  // Closes the free QEMU connections; leased ones close when returned.
  void ResetQemuConnections();
  // Tells the QEMU connections which domains are active, so that they drop
  // the handles of the others.
  void KeepLiveDomains(const std::vector<DomainSlot>& slots);

  // Closes the connection, reporting handles still holding it: every
  // domain handle should have been freed by its RAII owner by now, except
  // those of calls still stuck on workers (freed when libvirt returns).
  void CloseConnection();

  // Opens the connection when it is missing or dead and the backoff allows.
  Status EnsureConnected();
  void DropConnection(const std::string& why);
  // After a failed call: notes a broken connection; the next call's
  // EnsureConnected drops and reopens it.
  void CheckConnectionAfterFailure(int code);

  // A reference of its own to the connection, for a worker's call: the
  // loop may drop and reopen the connection while the call is stuck.
  std::shared_ptr<ConnectionHandle> SharedConnection(
      const ConnectionHandle& which);
  // The host's pCPU count for a cpumap: from the last Take, else asked on
  // the loop's pool (virNodeGetCPUMap) within LoopWait.
  StatusOr<int> HostWidth();

  // Take's steps, in order.
  Status ReadHost(Clock::time_point deadline, Sample* sample);
  StatusOr<std::vector<DomainSlot>> ListDomains(Clock::time_point deadline);
  void FillSlot(const virDomainStatsRecord& record, DomainSlot* slot);
  void StartDomainReads(int pcpu_count, std::vector<DomainSlot>* slots);
  void StartCounters(int pcpu_count, DomainSlot* slot);
  void StartQemuRead(DomainSlot* slot);
  void FinishDomainReads(std::vector<DomainSlot>* slots,
                         Clock::time_point deadline, Sample* sample);
  // One domain's sample from what its calls returned in time; nullopt for a
  // domain to skip (gone or unreadable).
  std::optional<DomainSample> Collect(DomainSlot* slot, Sample* sample);
  bool CountersUsable(const DomainSlot& slot, Sample* sample);
  void StampCounters(const CountersRead& counters, Sample* sample);
  std::string WhyNotDone(const std::shared_ptr<DomainCallPool::Ticket>& ticket,
                         const std::string& busy);
  void MarkTimedOut(const std::string& why, DomainSample* domain,
                    Sample* sample);

  // Runs `call` on a worker under `key` and waits up to the sample deadline.
  Status RunWithDeadline(const std::string& key, const std::string& what,
                         std::function<CallResult()> call);
  // "previous call still pending for N s" while `key` has a call
  // outstanding, else empty.
  std::string BusyReason(const DomainCallPool& from, const std::string& key);
  // How long the loop's own calls (host, listing) may wait: they ask no
  // QEMU, but wait for libvirtd's locks, which a guest being started or
  // destroyed holds for a while on a loaded host. Losing the whole sample
  // costs more than a late one.
  std::chrono::milliseconds LoopWait() const {
    return std::max(sample_deadline, kLoopCallWait);
  }

  std::string uri;
  // Opens `conn` on a thread of its own, waited for up to LoopWait.
  ConnectionOpener opener;
  ConnectionHandle conn;
  // Connections for the calls that ask QEMU (stats, resize, pin), one per
  // call in flight. Measured on libvirt 9.0: while a call hangs on a stopped
  // QEMU, other calls on the same connection can hang with it (a
  // virNodeGetCPUStats; a healthy guest's stats call, issued beside it or
  // after it), never calls on another connection. So no call shares a
  // connection with another, and the loop's own calls (host, listing,
  // counters) have `conn` to themselves.
  std::shared_ptr<QemuConnections> qemu_conns =
      std::make_shared<QemuConnections>();
  ReconnectBackoff backoff;
  FailureLog failures;
  std::shared_ptr<HostState> host = std::make_shared<HostState>();
  int stats_period_s = 1;
  std::chrono::milliseconds sample_deadline{1000};
  int last_pcpu_count = 0;  // from the last Take; 0 when unknown
  // "<uuid>#<id>" of domain instances whose balloon period was set.
  std::set<std::string> balloon_period_set;
  // "<uuid>#<id>" -> what its counters read last time (vCPU count, max
  // memory), so that the next read needs no virDomainGetInfo.
  std::map<std::string, KnownFacts> known_facts;
  // Two pools, so that the loop's own calls (host figures, listing, vCPU
  // counters: no QEMU involved) never queue behind QEMU-bound calls that are
  // slow or stuck (seen: with 4 slow balloon queries in flight, every other
  // listing missed its deadline and the whole sample failed).
  std::unique_ptr<DomainCallPool> loop_pool;
  std::unique_ptr<DomainCallPool> pool;  // QEMU-bound calls, leased conns
  // Each domain instance's DomainConfig, read now and then on the loop's
  // pool: the definitions need no QEMU (measured; see the reader).
  DomainConfigReader configs{loop_pool.get(), DomainConfigReader::Options{}};
  int detached_calls = 0;  // calls left stuck when the pools went
};

Status LibvirtHypervisor::Impl::EnsureConnected() {
  if (conn != nullptr) {
    if (virConnectIsAlive(conn.get()) == 1) {
      return Status::Ok();
    }
    DropConnection("connection is no longer alive");
  }
  const auto now = Clock::now();
  if (!backoff.MayAttempt(now)) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        backoff.next_attempt() - now);
    return Status::Error("not connected to " + uri + "; next attempt in " +
                         std::to_string(wait.count()) + " ms");
  }
  // On the opener's thread: libvirt's open has no timeout, and a libvirtd
  // that accepts but never answers would hold the loop for good.
  StatusOr<ConnectionHandle> opened = opener.Open(now + LoopWait());
  if (!opened.ok()) {
    backoff.RecordFailure(Clock::now());
    failures.Fail(kConnectKey, opened.status().message());
    return opened.status();
  }
  conn = std::move(opened).value();
  ResetQemuConnections();
  backoff.RecordSuccess();
  host->reset = true;  // by the next host read, on its worker
  balloon_period_set.clear();
  if (!failures.Clear(kConnectKey)) LOG(INFO) << "connected to " << uri;
  return Status::Ok();
}

std::shared_ptr<QemuLease> LibvirtHypervisor::Impl::LeaseQemuConnection() {
  return std::make_shared<QemuLease>(qemu_conns, uri);
}

void LibvirtHypervisor::Impl::ResetQemuConnections() { qemu_conns->Reset(); }

void LibvirtHypervisor::Impl::KeepLiveDomains(
    const std::vector<DomainSlot>& slots) {
  std::map<std::string, int> live;
  for (const DomainSlot& slot : slots) live[slot.uuid] = slot.identity.id;
  qemu_conns->SetLive(std::move(live));
}

void LibvirtHypervisor::Impl::CloseConnection() {
  int still_referenced = 0;
  ResetQemuConnections();
  if (conn != nullptr && virConnectClose(conn.release()) > 0) {
    ++still_referenced;
  }
  if (still_referenced == 0) return;
  const int stuck = Outstanding();
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
  // Only noted here: the next call's EnsureConnected drops a dead
  // connection. Closing it now, in the middle of a Take, would close it
  // under the domain handles this Take still holds (and report them as
  // leaked).
  if (conn != nullptr && IsConnectionError(code) &&
      virConnectIsAlive(conn.get()) != 1) {
    failures.Fail(kConnectKey, uri + ": connection lost");
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

// The domain on the lease's connection (opened here if need be), looked up
// by virDomainLookupByUUIDString unless the connection kept its handle. On a
// worker: a lookup waits for the domain's lock.
CallResult LookUpOnWorker(QemuLease* lease, const std::string& uuid,
                          virDomainPtr* dom) {
  CallResult result;
  *dom = lease->Domain(uuid);
  if (*dom != nullptr) return CallResult{};
  if (lease->Get() == nullptr) {
    result.error_code = lease->error_code();
    result.status = Status::Error(lease->error());
    return result;
  }
  LibvirtError error = LastLibvirtError();
  result.error_code = error.code;
  if (IsNoDomain(error.code) || error.code == VIR_ERR_INVALID_ARG) {
    result.status = Status::Error("unknown domain " + uuid);
  } else {
    result.status =
        Status::Error("looking up domain " + uuid + ": " + error.message);
  }
  return result;
}

std::string Ms(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

}  // namespace

std::shared_ptr<ConnectionHandle> LibvirtHypervisor::Impl::SharedConnection(
    const ConnectionHandle& which) {
  virConnectRef(which.get());
  return std::make_shared<ConnectionHandle>(which.get());
}

StatusOr<int> LibvirtHypervisor::Impl::HostWidth() {
  if (last_pcpu_count > 0) return last_pcpu_count;
  auto result = std::make_shared<CallResult>();
  auto present = std::make_shared<int>(-1);
  std::shared_ptr<ConnectionHandle> connection = SharedConnection(conn);
  auto ticket = loop_pool->Submit(kWidthKey, [result, present, connection] {
    *present = virNodeGetCPUMap(connection->get(), nullptr, nullptr, 0);
    if (*present <= 0) *result = FailedCall("virNodeGetCPUMap");
  });
  if (ticket == nullptr) {
    return Status::Error("host pCPUs: " + BusyReason(*loop_pool, kWidthKey));
  }
  loop_pool->WaitUntil({ticket}, Clock::now() + LoopWait());
  if (!ticket->done()) {
    return Status::Error("host pCPUs: libvirt did not answer within " +
                         Ms(LoopWait()));
  }
  if (!result->status.ok()) {
    CheckConnectionAfterFailure(result->error_code);
    return result->status;
  }
  last_pcpu_count = *present;
  return *present;
}

Status LibvirtHypervisor::Impl::ReadHost(Clock::time_point deadline,
                                         Sample* sample) {
  auto result = std::make_shared<HostRead>();
  std::shared_ptr<ConnectionHandle> connection = SharedConnection(conn);
  std::shared_ptr<HostState> state = host;
  auto ticket = loop_pool->Submit(kHostKey, [result, connection, state] {
    if (state->reset.exchange(false)) {
      state->reader.Reset();
      state->topology.Reset();
    }
    result->host = state->reader.Read(connection->get(), &state->failures);
    if (!result->host.ok()) {
      result->error_code = LastLibvirtError().code;
      return;
    }
    result->host->topology =
        state->topology.Read(connection->get(), result->host->online_pcpus,
                             &state->failures, Clock::now());
  });
  if (ticket == nullptr) {
    return Status::Error("host figures: " + BusyReason(*loop_pool, kHostKey));
  }
  loop_pool->WaitUntil({ticket}, deadline);
  if (!ticket->done()) {
    return Status::Error("host figures: libvirt did not answer within " +
                         Ms(LoopWait()));
  }
  if (!result->host.ok()) {
    CheckConnectionAfterFailure(result->error_code);
    return result->host.status();
  }
  sample->host = std::move(result->host).value();
  last_pcpu_count = sample->host.pcpu_count;
  return Status::Ok();
}

StatusOr<std::vector<DomainSlot>> LibvirtHypervisor::Impl::ListDomains(
    Clock::time_point deadline) {
  auto listing = std::make_shared<Listing>();
  std::shared_ptr<ConnectionHandle> connection = SharedConnection(conn);
  auto ticket = loop_pool->Submit(kListingKey, [listing, connection] {
    virDomainStatsRecordPtr* raw = nullptr;
    listing->count =
        virConnectGetAllDomainStats(connection->get(), kListingGroups, &raw,
                                    VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
    listing->records.reset(raw);
    if (listing->count < 0) listing->error = LastLibvirtError();
  });
  if (ticket == nullptr) {
    return Status::Error("listing domains: " +
                         BusyReason(*loop_pool, kListingKey));
  }
  loop_pool->WaitUntil({ticket}, deadline);
  if (!ticket->done()) {
    return Status::Error("listing domains: libvirt did not answer within " +
                         Ms(LoopWait()));
  }
  if (listing->count < 0) {
    CheckConnectionAfterFailure(listing->error.code);
    return Status::Error("virConnectGetAllDomainStats: " +
                         listing->error.message);
  }
  std::vector<DomainSlot> slots(listing->count);
  for (int i = 0; i < listing->count; ++i) {
    FillSlot(*listing->records[i], &slots[i]);
  }
  return slots;
}

void LibvirtHypervisor::Impl::FillSlot(const virDomainStatsRecord& record,
                                       DomainSlot* slot) {
  virDomainPtr dom = record.dom;
  if (virDomainRef(dom) == 0) {
    slot->dom = std::make_shared<DomainHandle>(dom);
  }
  // Cached in the handle: no round trip.
  char uuid[VIR_UUID_STRING_BUFLEN] = "";
  virDomainGetUUIDString(dom, uuid);
  slot->uuid = uuid;
  const char* name = virDomainGetName(dom);
  const unsigned int id = virDomainGetID(dom);
  slot->identity.uuid = slot->uuid;
  slot->identity.name = name != nullptr ? name : "";
  slot->identity.id =
      id == static_cast<unsigned int>(-1) ? -1 : static_cast<int>(id);
  slot->instance = slot->uuid + "#" + std::to_string(slot->identity.id);
  slot->listed = ParseDomainStatsParams(record.params, record.nparams);
  if (slot->listed.state) {
    slot->identity.state = DomainStateFromLibvirt(*slot->listed.state);
  }
  auto known = known_facts.find(slot->instance);
  if (known != known_facts.end()) slot->known = known->second;
}

std::string LibvirtHypervisor::Impl::BusyReason(const DomainCallPool& from,
                                                const std::string& key) {
  std::optional<Clock::duration> pending = from.PendingFor(key);
  if (!pending) return "";
  return "previous call still pending for " + Seconds(*pending);
}

void LibvirtHypervisor::Impl::StartCounters(int pcpu_count, DomainSlot* slot) {
  slot->counters_busy = BusyReason(*loop_pool, slot->uuid);
  if (!slot->counters_busy.empty()) return;
  auto result = std::make_shared<CountersRead>();
  std::shared_ptr<DomainHandle> dom = slot->dom;
  slot->counters_ticket = loop_pool->Submit(
      slot->uuid,
      [result, dom, pcpu_count, listed = slot->listed, known = slot->known] {
        // The listing's state and what the last read learned: one
        // virDomainGetVcpus (plus a virDomainGetInfo at a first read).
        result->start = Clock::now();
        result->read =
            ReadDomainCounters(dom->get(), listed, pcpu_count,
                               known ? &*known : nullptr, &result->sample);
        result->end = Clock::now();
      });
  slot->counters = std::move(result);
}

void LibvirtHypervisor::Impl::StartQemuRead(DomainSlot* slot) {
  // A domain whose lock is held would hold this call too.
  slot->qemu_busy = BusyReason(*pool, QemuKey(slot->uuid));
  if (slot->qemu_busy.empty() && !slot->counters_busy.empty()) {
    slot->qemu_busy = "its vCPU read is still pending";
  }
  if (!slot->qemu_busy.empty()) return;
  slot->period_requested =
      stats_period_s > 0 && balloon_period_set.count(slot->instance) == 0;
  auto result = std::make_shared<MonitorRead>();
  std::shared_ptr<QemuLease> connection = LeaseQemuConnection();
  const int period = slot->period_requested ? stats_period_s : 0;
  slot->qemu_ticket = pool->Submit(
      QemuKey(slot->uuid), [result, connection, uuid = slot->uuid, period] {
        virDomainPtr dom = nullptr;
        CallResult found = LookUpOnWorker(connection.get(), uuid, &dom);
        if (!found.status.ok()) {
          result->error = found.status.message();
          result->error_code = found.error_code;
          return;
        }
        *result = ReadMonitorStats(dom, period);
      });
  slot->monitor = std::move(result);
}

void LibvirtHypervisor::Impl::StartDomainReads(int pcpu_count,
                                               std::vector<DomainSlot>* slots) {
  // All counters first: the pool runs calls in order, so every domain's
  // vCPU times are read close together, before any call waits on QEMU.
  for (DomainSlot& slot : *slots) {
    if (slot.dom != nullptr) StartCounters(pcpu_count, &slot);
  }
  for (DomainSlot& slot : *slots) {
    if (slot.dom != nullptr) StartQemuRead(&slot);
  }
}

void LibvirtHypervisor::Impl::FinishDomainReads(std::vector<DomainSlot>* slots,
                                                Clock::time_point deadline,
                                                Sample* sample) {
  std::vector<std::shared_ptr<DomainCallPool::Ticket>> counters, qemu;
  for (const DomainSlot& slot : *slots) {
    counters.push_back(slot.counters_ticket);
    qemu.push_back(slot.qemu_ticket);
  }
  loop_pool->WaitUntil(counters, deadline);
  pool->WaitUntil(qemu, deadline);
  std::set<std::string> period_set_now;
  std::map<std::string, KnownFacts> known_now;
  sample->domains.reserve(slots->size());
  for (DomainSlot& slot : *slots) {
    if (balloon_period_set.count(slot.instance) != 0 ||
        (slot.period_requested && slot.qemu_ticket != nullptr &&
         slot.qemu_ticket->started())) {
      // Tried once per instance either way; a restart (new id) tries again.
      period_set_now.insert(slot.instance);
    }
    std::optional<DomainSample> domain = Collect(&slot, sample);
    if (!domain) continue;
    if (slot.counters_ticket != nullptr && slot.counters_ticket->done()) {
      known_now[slot.instance] = {static_cast<int>(domain->vcpus.size()),
                                  domain->max_memory_kib};
    } else if (slot.known) {
      known_now[slot.instance] = *slot.known;
    }
    sample->domains.push_back(std::move(*domain));
  }
  balloon_period_set = std::move(period_set_now);
  known_facts = std::move(known_now);
}

std::string LibvirtHypervisor::Impl::WhyNotDone(
    const std::shared_ptr<DomainCallPool::Ticket>& ticket,
    const std::string& busy) {
  if (ticket == nullptr) return busy.empty() ? "no domain reference" : busy;
  if (ticket->cancelled()) {
    return "no worker free: " + std::to_string(Outstanding()) +
           " call(s) still waiting on libvirt";
  }
  return "no answer within " + Ms(sample_deadline);
}

std::optional<DomainSample> LibvirtHypervisor::Impl::Collect(DomainSlot* slot,
                                                             Sample* sample) {
  if (slot->counters_ticket == nullptr || !slot->counters_ticket->done()) {
    // Only what the listing said: never figures from an earlier tick.
    DomainSample domain = slot->identity;
    MarkTimedOut("vCPU figures: " +
                     WhyNotDone(slot->counters_ticket, slot->counters_busy),
                 &domain, sample);
    return domain;
  }
  if (!CountersUsable(*slot, sample)) return std::nullopt;
  DomainSample domain = std::move(slot->counters->sample);
  StampCounters(*slot->counters, sample);
  if (slot->qemu_ticket == nullptr || !slot->qemu_ticket->done()) {
    MarkTimedOut("balloon and vCPU delay figures: " +
                     WhyNotDone(slot->qemu_ticket, slot->qemu_busy),
                 &domain, sample);
    return domain;
  }
  failures.Clear("QEMU of " + domain.uuid);
  const MonitorRead& read = *slot->monitor;
  const std::string key = "QEMU stats of " + domain.uuid;
  if (!read.ok) {
    // Not a hang: the call failed (domain gone, no balloon support). The
    // CPU figures are good; the balloon stays empty, which the memory
    // policy treats as missing.
    CheckConnectionAfterFailure(read.error_code);
    failures.Fail(key, domain.name + ": " + read.error);
    return domain;
  }
  failures.Clear(key);
  MergeMonitorStats(read.stats, &domain);
  return domain;
}

bool LibvirtHypervisor::Impl::CountersUsable(const DomainSlot& slot,
                                             Sample* sample) {
  const RecordRead& read = slot.counters->read;
  const std::string key = "reading domain " + slot.uuid;
  if (read.ok) {
    failures.Clear(key);
    return true;
  }
  // Gone between list and read, or unreadable: skip it, keep the rest.
  ++sample->errors;
  if (read.vanished) {
    LOG(WARNING) << "domain " << slot.identity.name << " (" << slot.uuid
                 << ") vanished while being read: " << read.error;
  } else {
    failures.Fail(key, slot.identity.name + ": " + read.error);
  }
  return false;
}

void LibvirtHypervisor::Impl::StampCounters(const CountersRead& counters,
                                            Sample* sample) {
  // Widens the stamp's span to cover this domain's read.
  const int64_t start = NanosSinceEpoch(counters.start);
  const int64_t end = NanosSinceEpoch(counters.end);
  if (sample->vcpu_read_span_ns < 0) {  // the first
    sample->monotonic_ns = start;
    sample->vcpu_read_span_ns = end - start;
    return;
  }
  const int64_t first = std::min(sample->monotonic_ns, start);
  const int64_t last =
      std::max(sample->monotonic_ns + sample->vcpu_read_span_ns, end);
  sample->monotonic_ns = first;
  sample->vcpu_read_span_ns = last - first;
}

void LibvirtHypervisor::Impl::MarkTimedOut(const std::string& why,
                                           DomainSample* domain,
                                           Sample* sample) {
  ++sample->errors;
  domain->read = DomainRead::kTimedOut;
  domain->read_error = why;
  // Logged when the episode starts and when it ends, not every tick.
  failures.Fail("QEMU of " + domain->uuid,
                domain->name + " (" + domain->uuid + "): " + why);
}

Status LibvirtHypervisor::Impl::RunWithDeadline(
    const std::string& key, const std::string& what,
    std::function<CallResult()> call) {
  std::string busy = BusyReason(*pool, key);
  if (!busy.empty()) {
    return Status::Error(what + ": domain busy, " + busy);
  }
  auto result = std::make_shared<CallResult>();
  auto ticket =
      pool->Submit(key, [result, call = std::move(call)] { *result = call(); });
  if (ticket == nullptr) return Status::Error(what + ": domain busy");
  pool->WaitUntil({ticket}, Clock::now() + sample_deadline);
  if (ticket->done()) {
    if (!result->status.ok()) CheckConnectionAfterFailure(result->error_code);
    return result->status;
  }
  if (ticket->cancelled()) {
    return Status::Error(what + ": no worker free, " +
                         std::to_string(pool->outstanding()) +
                         " call(s) still waiting on libvirt");
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
  Status connected = impl.EnsureConnected();
  if (!connected.ok()) return connected;
  Sample sample;
  Status host = impl.ReadHost(Clock::now() + impl.LoopWait(), &sample);
  if (!host.ok()) return host;
  StatusOr<std::vector<DomainSlot>> slots =
      impl.ListDomains(Clock::now() + impl.LoopWait());
  if (!slots.ok()) return slots.status();
  impl.KeepLiveDomains(*slots);
  // Each domain's reads get the sample deadline from here on.
  const auto deadline = Clock::now() + impl.sample_deadline;
  impl.StartDomainReads(sample.host.pcpu_count, &*slots);
  impl.configs.Start(ConfigInstances(*slots), Clock::now());
  sample.monotonic_ns = NanosSinceEpoch(Clock::now());
  sample.vcpu_read_span_ns = -1;  // until a domain's counters widen it
  impl.FinishDomainReads(&*slots, deadline, &sample);
  impl.configs.Finish(deadline, &sample.domains);
  if (sample.vcpu_read_span_ns < 0) sample.vcpu_read_span_ns = 0;
  // The middle of the span in which every domain's counters were read.
  sample.monotonic_ns += sample.vcpu_read_span_ns / 2;
  sample.wall_time_s = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  std::sort(sample.domains.begin(), sample.domains.end(),
            [](const DomainSample& a, const DomainSample& b) {
              return a.uuid < b.uuid;
            });
  return sample;
}

Status LibvirtHypervisor::PinVcpu(const DomainKey& uuid, int vcpu,
                                  const CpuSet& pcpus) {
  Status connected = impl_->EnsureConnected();
  if (!connected.ok()) return connected;
  if (vcpu < 0) return Status::Error("invalid vCPU " + std::to_string(vcpu));
  StatusOr<int> host_width = impl_->HostWidth();
  if (!host_width.ok()) return host_width.status();
  const int width = *host_width;
  if (pcpus.Empty()) return Status::Error("empty pCPU set for " + uuid);
  if (pcpus.Last() >= width) {
    return Status::Error("pCPU " + std::to_string(pcpus.Last()) +
                         " is beyond the host's " + std::to_string(width) +
                         " pCPUs");
  }
  const std::string what = "pinning vCPU " + std::to_string(vcpu) + " of " +
                           uuid + " to " + pcpus.ToString();
  auto connection = impl_->LeaseQemuConnection();
  auto cpumap =
      std::make_shared<std::vector<unsigned char>>(pcpus.ToCpumap(width));
  // The job takes the domain's job in libvirt: the QEMU key.
  return impl_->RunWithDeadline(
      QemuKey(uuid), what, [connection, uuid, vcpu, cpumap, what] {
        virDomainPtr dom = nullptr;
        CallResult looked_up = LookUpOnWorker(connection.get(), uuid, &dom);
        if (!looked_up.status.ok()) return looked_up;
        if (PinLive(dom, vcpu, cpumap.get()) < 0) {
          return FailedCall(what);
        }
        return CallResult{};
      });
}

Status LibvirtHypervisor::SetMemory(const DomainKey& uuid,
                                    uint64_t memory_kib) {
  Status connected = impl_->EnsureConnected();
  if (!connected.ok()) return connected;
  const std::string what = "setting memory of " + uuid + " to " +
                           std::to_string(memory_kib) + " KiB";
  auto connection = impl_->LeaseQemuConnection();
  return impl_->RunWithDeadline(
      QemuKey(uuid), what, [connection, uuid, memory_kib, what] {
        virDomainPtr dom = nullptr;
        CallResult looked_up = LookUpOnWorker(connection.get(), uuid, &dom);
        if (!looked_up.status.ok()) return looked_up;
        if (virDomainSetMemoryFlags(dom, memory_kib, VIR_DOMAIN_AFFECT_LIVE) <
            0) {
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
