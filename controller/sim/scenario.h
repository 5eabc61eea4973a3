// Scenario: the description of a simulated host and its guests over time,
// parsed from a JSON file (see README-style comment below). Plain values;
// safe to copy and share between threads once built.
//
// Format (every field but a domain's "name" is optional):
//   {"name": "x", "pcpus": 4, "offline_pcpus": [3], "host_memory_mib": 4096,
//    "host_overhead_mib": 256, "noise": 0.02, "seed": 1,
//    "migrate_threshold": 0.5, "cpu_quantum_ms": 10, "last_ran_jitter": 0.3,
//    "balloon_mib_per_s": 256, "guest_kernel_mib": 64,
//    "guest_reserved_mib": 40, "epoch_s": 1700000000,
//    "fail_take_at": [7], "fail_calls_at": [9],
//    "read_span_s": 0.05, "slow_read_at": [6, 15], "slow_read_span_s": 2,
//    "qemu_overhead_mib": 48, "host_holder_mib": [[0, 20480]] | 20480,
//    "stats_period_s": 5, "lazy_backing": true, "tick_records": false,
//    "domains": [{"name": "vm1", "uuid": "...", "vcpus": 1,
//      "memory_mib": 512, "max_memory_mib": 2048,
//      "pin": [0],            // pCPU each vCPU is pinned to at start
//      "at": [2],             // where an unpinned vCPU starts running
//      "cpu": [[0, 0.9], [30, 0.2]] | 0.5 | [[[0, 0.9]], [[0, 0.1]]],
//      "mem": [[0, 150], [10, 400]] | 300,
//      "mem_workload": "profile" | "grow", "grow_mib_per_s": 39.0625,
//      "balloon_driver": true, "stats_stale_from": 20,
//      "file_read_mib_per_s": 64, "file_mib": 1024, "swap_mib": 256,
//      "start": 0, "stop": 100, "restart_at": [40] | 40,
//      // the operator's word in the domain XML (DomainSample::config):
//      "vcpupin": {"0": "0-3"}, "cpuset": "0-19",
//      "numatune": {"mode": "strict", "nodeset": "0"},
//      "policy": {"cpu": "off", "memory": "on"}, "memory_cell": 1}]}
// Topology and host load (scenario_cpu.h): "topology": {"cells": 2,
// "cores_per_cell": 4, "threads_per_core": 2} | "topology_file":
// "exporter/topology/testdata/xeon_2socket_40core_smt.xml", "smt_yield":
// 1.25, "remote_memory_speed": 0.85, "host_load": [{"pcpus": "0-1", "load":
// 0.3 | [[0, 0.1], [20, 0.5]]}], "balancer": "sticky" | "linux",
// "linux_fairness": 0.9, "migration_cost_ms": 0.5, "rotation_period_ms": 32,
// "read_jitter_s": 0.1.
#ifndef VMBALANCE_CONTROLLER_SIM_SCENARIO_H_
#define VMBALANCE_CONTROLLER_SIM_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/core/domain_config.h"
#include "exporter/core/host_topology.h"
#include "exporter/core/status.h"

namespace vmbalance {
namespace sim {

// One breakpoint of a time series: from tick `tick` on (CPU, step function)
// or at tick `tick` (memory, linear between points).
struct SeriesPoint {
  int64_t tick = 0;
  double value = 0;
};

// A step function of ticks: the value of the last point at or before t; the
// first point's value before it; 0 when empty.
double StepAt(const std::vector<SeriesPoint>& series, int64_t tick);
// Linear interpolation between points, clamped to the ends; 0 when empty.
double LinearAt(const std::vector<SeriesPoint>& series, double tick);

enum class MemWorkload {
  // The workload holds mem(t) MiB, or as much as fits (counting a failure
  // for every tick in which it wants more than the guest has).
  kProfile,
  // The course's workload: grows by grow_mib_per_s up to mem(t) (unbounded
  // when "mem" is absent); when an allocation fails it frees everything and
  // starts again.
  kGrow,
};

// A hung QEMU as vmbalance meets it (a stuck monitor, storage, a job held
// by a migration): in ticks [from_tick, from_tick + ticks) libvirt cannot
// answer for the domain within the sampling deadline. The guest itself runs
// on as the world says (a stopped QEMU would also stop its vCPUs: give it a
// cpu series of 0 over the window); only what vmbalance sees of it and may
// do to it changes (Faults::Hung).
struct HangSpec {
  int64_t from_tick = 0;
  int64_t ticks = 0;
  // false: the sample lists the domain with nothing else (a stopped QEMU's
  // first tick); true: what does not need QEMU was read in time (vCPU
  // counters, pCPU and affinity from /proc without the delay, QEMU's rss).
  bool partial = false;
};

struct DomainSpec {
  std::string name;
  std::string uuid;  // from "uuid", else DeterministicUuid(name)
  int vcpus = 1;
  int64_t memory_mib = 512;                   // balloon size at (re)start
  int64_t max_memory_mib = 512;               // defaults to memory_mib
  std::vector<int> pin;                       // empty, or one pCPU per vCPU
  std::vector<int> at;                        // empty, or initial pCPU per vCPU
  std::vector<std::vector<SeriesPoint>> cpu;  // one step series per vCPU
  std::vector<SeriesPoint> mem;               // MiB the workload wants
  MemWorkload mem_workload = MemWorkload::kProfile;
  double grow_mib_per_s = 39.0625;  // 4 KiB every 100 us
  bool balloon_driver = true;
  std::optional<int64_t> stats_stale_from;  // tick last_update freezes at
  // A file-reading workload: reads this fast into the guest's page cache,
  // which holds what is free in the guest (0: no such workload).
  double file_read_mib_per_s = 0;
  // How much distinct file data it reads: the page cache never holds more
  // (absent: more than any guest holds).
  std::optional<int64_t> file_mib;
  // Guest swap: a workload that wants more than fits pushes the rest here
  // (and pages it back as it touches it) instead of failing (0: no swap).
  int64_t swap_mib = 0;
  int64_t start = 0;
  std::optional<int64_t> stop;      // first tick it is gone
  std::vector<int64_t> restart_at;  // ascending
  std::optional<HangSpec> hang;
  // The operator's placement and vmbalance's policy switch, as the domain's
  // XML would say them; a vcpupin or cpuset also sets the affinity each vCPU
  // starts with (libvirt applies them at start). Always in the Sample.
  DomainConfig config;
  // The NUMA cell holding the guest's memory when numatune does not say:
  // absent, the cell its vCPU 0 first runs in (Linux's first touch).
  std::optional<int> memory_cell;
};

// Busy time on some pCPUs not from any guest's vCPUs (emulator and I/O
// threads, host services), a step function of the tick, per pCPU listed.
struct HostLoadSpec {
  CpuSet pcpus;
  std::vector<SeriesPoint> load;  // fraction of each pCPU's time
};

// How the simulated kernel places vCPUs allowed on several pCPUs.
enum class Balancer {
  // Scenarios written before issue 12: a vCPU stays where it started unless
  // its pCPU carries migrate_threshold more load than another (a balancer
  // far lazier than Linux; kept so those scenarios' figures stay).
  kSticky,
  // Linux as measured (cpu_balancer.h): idle cores first, each vCPU where it
  // gets the most service, and vCPUs sharing an affinity set rotated to
  // near-equal shares within the tick.
  kLinux,
};

struct Scenario {
  std::string name;
  int pcpus = 4;
  std::vector<int> offline_pcpus;
  int64_t host_memory_mib = 4096;
  int64_t host_overhead_mib = 256;
  // true: the host backs a guest's pages when the guest first touches them,
  // as a real host does (a grown balloon costs nothing until used; an
  // inflating balloon gives back touched pages it takes). false: a balloon's
  // whole size costs the host at once, the model the scenarios written
  // before issue 11 are judged by (off by default so their figures stay).
  bool lazy_backing = false;
  // false: the referee keeps only the last tick's record and the run's
  // totals (TickRecords::kLastOnly), so a long benchmark run measures the
  // controller's memory, not the simulator's. The summary is the same but
  // for its per-domain maps, which then cover the domains running at the end.
  bool tick_records = true;
  // What each running guest's QEMU process costs the host on top of the
  // guest pages it backs (its own heap, device state); rss_kib includes it.
  // 0 keeps the figures of scenarios written before it existed.
  int64_t qemu_overhead_mib = 0;
  // A host process holding this much memory (MiB, a step function of the
  // tick; empty: none), as in ../shared/notes/real-hosts.md's host that can
  // run short. The host kernel would OOM-kill it first when the host runs out.
  std::vector<SeriesPoint> host_holder_mib;
  double noise = 0;  // relative demand jitter, uniform in [-noise, +noise]
  uint64_t seed = 1;
  // An unpinned vCPU moves only when its pCPU carries at least this much
  // more load (fraction of one pCPU) than the best allowed one, without it.
  double migrate_threshold = 0.5;
  int cpu_quantum_ms = 0;  // 0: exact; 10: cpu time moves in 10 ms steps
  // Probability that a sample reports an unpinned vCPU as last run on some
  // other allowed pCPU (it ran there for part of the interval), as real
  // hosts do. The placement itself does not change.
  double last_ran_jitter = 0;
  // How fast a balloon moves, both ways. Measured with
  // tools/balloon_speed.sh on real TCG guests: a guest under memory load
  // inflated at a median 225 MiB/s (8 moves of 384-640 MiB, from the
  // setmem call to `actual` at the target), an idle one ~430, and
  // deflating was faster (330-1000). The slow case is the one the host
  // waits for when it takes memory back.
  double balloon_mib_per_s = 225;
  // Guests report their balloon statistics every this many seconds (the
  // virtio stats period); a sample shows the last report. 0: every sample
  // has a fresh report (the statistics never lag).
  double stats_period_s = 0;
  int64_t guest_kernel_mib = 64;    // in use by the guest besides workload
  int64_t guest_reserved_mib = 40;  // balloon size minus MemTotal
  int64_t epoch_s = 1700000000;     // wall clock at virtual time 0
  // Fault injection: Take() of these ticks fails (the tick still runs, its
  // sample is lost), and PinVcpu/SetMemory calls that would act in these
  // ticks (made after Take() of the tick before) fail. Ascending.
  std::vector<int64_t> fail_take_at;
  std::vector<int64_t> fail_calls_at;
  // How long reading every domain's vCPU counters takes, as on a real host:
  // domains are read one after another across that span, centred on the
  // sample's stamp, so each one's counters are from a slightly different
  // moment. Samples of the ticks in slow_read_at take slow_read_span_s (a
  // libvirtd stalling on a saturated host: a quarter of the domains are read
  // at the start of the span, the rest at its end). Ascending.
  double read_span_s = 0;
  std::vector<int64_t> slow_read_at;
  double slow_read_span_s = 0;
  // Topology: cells, cores, SMT siblings (nullopt: none given, the Sample
  // carries no topology and every pCPU is a core of its own). Given, it sets
  // pcpus and the offline pCPUs.
  std::optional<HostTopology> topology;
  // Two busy threads of one core together do this many times one thread's
  // work alone (the commonly cited SMT yield: Intel reported up to 30% more
  // throughput from Hyper-Threading on server workloads; 1.2-1.3 is the
  // usual range).
  double smt_yield = 1.25;
  // A vCPU running outside the cell that holds its guest's memory does this
  // fraction of the work it would at home (remote accesses cost 1.6-2.1x
  // local latency by the fixtures' SLIT distances; a modest round figure,
  // since how memory-bound a guest is varies).
  double remote_memory_speed = 0.85;
  std::vector<HostLoadSpec> host_load;
  Balancer balancer = Balancer::kSticky;
  // kLinux: the fraction of the unfairness between vCPUs of one affinity
  // set that the kernel's rotation removes within a tick (1: perfectly
  // fair); the rest stays as the integral placement left it.
  double linux_fairness = 0.9;
  // kLinux: what a migration costs a vCPU (the kernel's own default for how
  // long a task stays cache-hot, sysctl sched_migration_cost_ns = 0.5 ms),
  // paid once per rotation period by vCPUs the kernel rotates: rotated
  // vCPUs lose migration_cost_ms / rotation_period_ms of their work.
  double migration_cost_ms = 0.5;
  double rotation_period_ms = 32;
  // Reading noise: each vCPU's counters are read up to this far (uniform,
  // centred) from the sample's stamp, a fresh draw per vCPU and sample (a
  // saturated host preempts libvirtd between reads). 0: exact. Calibrated
  // against real hosts in the README (a saturated 2-pCPU host's per-pCPU
  // demand scatters by 0.12-0.38 per second).
  double read_jitter_s = 0;
  std::vector<DomainSpec> domains;
};

// A UUID in canonical form derived from a name (same name, same UUID).
std::string DeterministicUuid(const std::string& name);

// Parses and validates a scenario. Errors name the offending field, e.g.
// "domains[2].cpu[1]: expected [tick, value]".
// A relative "topology_file" is looked for from the working directory, then
// from `base_dir` and each of its parents.
StatusOr<Scenario> ParseScenario(const std::string& json_text,
                                 const std::string& base_dir = "");
StatusOr<Scenario> LoadScenario(const std::string& path);

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_SCENARIO_H_
