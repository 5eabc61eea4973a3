// Sample: everything vmbalance knows about a host at one instant. One Sample is
// taken per interval and is the only thing that crosses from I/O (libvirt or
// the simulator) into the pure logic. Plain structs, immutable once taken.
#ifndef VMBALANCE_EXPORTER_CORE_SAMPLE_H_
#define VMBALANCE_EXPORTER_CORE_SAMPLE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/core/domain_config.h"
#include "exporter/core/host_topology.h"

namespace vmbalance {

// A domain's UUID in canonical text form. Names and ids change; UUIDs do not.
using DomainKey = std::string;

enum class DomainState {
  kUnknown,
  kRunning,
  kBlocked,
  kPaused,
  kShutdown,
  kShutoff,
  kCrashed,
  kSuspended
};

struct VcpuSample {
  int index = 0;
  uint64_t cpu_time_ns = 0;          // cumulative (vcpu.N.time)
  std::optional<uint64_t> delay_ns;  // cumulative run-queue wait (vcpu.N.delay)
  int pcpu = -1;                     // pCPU it last ran on; -1 unknown
  CpuSet affinity;                   // pCPUs it may run on
};

// The guest's balloon driver figures. libvirt speaks KiB. Every field is
// optional: a guest without a balloon driver, or before its first report,
// has none of them.
struct BalloonSample {
  std::optional<uint64_t> actual_kib;       // balloon size (balloon.current)
  std::optional<uint64_t> maximum_kib;      // balloon.maximum
  std::optional<uint64_t> unused_kib;       // free in the guest
  std::optional<uint64_t> available_kib;    // total usable by the guest kernel
  std::optional<uint64_t> usable_kib;       // reclaimable without swapping
  std::optional<uint64_t> rss_kib;          // qemu process RSS on the host
  std::optional<uint64_t> disk_caches_kib;  // guest page cache (reclaimable)
  std::optional<uint64_t> major_faults;     // cumulative (balloon.major_fault)
  std::optional<uint64_t> swap_in_kib;      // cumulative (balloon.swap_in)
  std::optional<uint64_t> swap_out_kib;     // cumulative (balloon.swap_out)
  std::optional<int64_t> last_update_s;  // guest's report time, epoch seconds
};

// Whether a domain's figures were all read in time this tick. A domain whose
// libvirt calls missed the sampling deadline (a hung or stopped QEMU, a job
// held by a migration) stays in the Sample, so that policies keep their state
// for it and leave it alone, but carries only what was read in time: never
// earlier figures passed off as new.
enum class DomainRead {
  kComplete,  // everything the source offers for this domain was read
  kTimedOut,  // a call missed the deadline; vcpus and balloon may be partial
};

struct DomainSample {
  DomainKey uuid;
  std::string name;
  int id = -1;  // changes when the domain restarts
  DomainState state = DomainState::kUnknown;
  uint64_t max_memory_kib = 0;    // the ceiling a balloon may grow to
  std::vector<VcpuSample> vcpus;  // index order
  BalloonSample balloon;
  DomainRead read = DomainRead::kComplete;
  std::string read_error;  // why, when read != kComplete (for logs)
  // What the operator said in the domain's XML (pins, NUMA binding,
  // vmbalance's policy switch, Nova metadata); nullopt when the source has
  // not read it (yet). Read per domain instance and refreshed now and then,
  // not every interval: it changes only when an operator edits the domain.
  std::optional<DomainConfig> config;
};

struct PcpuSample {
  int index = 0;
  uint64_t busy_ns = 0;  // cumulative user+kernel+iowait-free busy time
  uint64_t idle_ns = 0;  // cumulative idle time
};

struct HostSample {
  CpuSet online_pcpus;
  int pcpu_count = 0;             // width: highest pCPU number + 1
  std::vector<PcpuSample> pcpus;  // online ones, ascending; may be empty
  uint64_t memory_total_kib = 0;
  uint64_t memory_free_kib = 0;  // free + reclaimable, as the host sees it
  std::string memory_source;     // e.g. "virNodeGetMemoryStats"
  // The kernel's own estimate of memory available to new work without
  // swapping (MemAvailable in /proc/meminfo), when the connection is to this
  // very host; unset for remote URIs and drivers that cannot tell. Unlike
  // free + buffers + cached it leaves out shmem/tmpfs and unreclaimable
  // cache, which is where guest memory backed by shared files sits.
  std::optional<uint64_t> memory_available_kib;
  // NUMA cells, cores and SMT siblings (libvirt's capabilities); empty when
  // the source could not tell, in which case HostTopology::Flat(online_pcpus)
  // is the assumption to make.
  HostTopology topology;
};

struct Sample {
  // When the vCPU counters were read; deltas of this give wall time. A
  // source that reads domains one after another stamps the middle of the
  // read and says how long it took: each domain's counters were read within
  // monotonic_ns +- vcpu_read_span_ns / 2.
  int64_t monotonic_ns = 0;
  int64_t vcpu_read_span_ns = 0;
  int64_t wall_time_s = 0;  // epoch seconds; compared with last_update_s
  HostSample host;
  std::vector<DomainSample> domains;  // sorted by uuid
  // Per-domain read failures while taking this sample: domains skipped
  // (vanished, unreadable) plus domains kept with read != kComplete.
  int errors = 0;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_SAMPLE_H_
