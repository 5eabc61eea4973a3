// The part of sampling a domain that goes through its QEMU monitor, done by
// one worker thread (DomainCallPool) so that a hung guest costs only itself.
//
// What libvirt 9.0's QEMU driver does, measured on this testbed with a guest's
// QEMU stopped by SIGSTOP (calls from virsh, 6 s timeout):
//   - Blocks (waits on the monitor, no timeout): stats groups vcpu and
//     balloon, even with VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT when no
//     other thread holds the domain's job (NOWAIT only skips the monitor
//     part when the job is taken, e.g. by another client's call stuck on the
//     same QEMU: then vcpu lacks nothing we use and balloon has only
//     current/maximum); the bulk call walks
//     domains one by one, so one hung guest stalls every guest after it. Also
//     virDomainSetMemoryFlags, virDomainMemoryStats,
//     virDomainSetMemoryStatsPeriod, and virDomainPinVcpuFlags while another
//     call holds the domain's job (it waits up to 30 s for the job; with the
//     job free it only touches cgroups and affinity and returns at once).
//   - Returns at once (no job, no monitor: the domain definition and /proc):
//     stats group state, virDomainGetInfo, virDomainGetVcpus (vCPU time, last
//     pCPU, affinity; the same vCPU time vcpu.N.time reports),
//     virDomainGetVcpusFlags, virConnectListAllDomains.
// With the domain's job held by another client (measured: QEMU stopped, then
// `virsh dump --memory-only`, which takes the async job and waits on the
// monitor; a migration holds it the same way): state, virDomainGetInfo,
// virDomainGetVcpus, the XML and the listing still answer at once; stats
// vcpu+balloon, pin and setmem wait for the job (libvirt gives up after its
// 30 s job wait); with NOWAIT the stats answer at once from bookkeeping;
// domjobinfo waits on the monitor. A dump whose target blocks in open() (a
// FIFO, a hung NFS) is worse: libvirtd's thread then holds the domain's
// lock, and every client's listing (virsh list, domstats --state) waits
// until it returns, so no sample can be taken; seen, not handled.
// libvirt 9.0's source says why for the stats groups (src/qemu/
// qemu_driver.c): qemuConnectGetAllDomainStats takes the domain's job
// (virDomainObjBeginJob, or virDomainObjBeginJobNowait with NOWAIT) when any
// requested group is marked `monitor` in qemuDomainGetStatsWorkers: balloon,
// vcpu, cpu-total, block, iothread, dirtyrate, vm; not state, interface,
// perf, memory. With the job, qemuDomainGetStatsVcpu calls
// qemuMonitorQueryStats (QEMU with query-stats) and qemuDomainGetStatsBalloon
// asks for the balloon statistics; without it, both report only what libvirt
// itself holds. virDomainGetVcpus (qemuDomainGetVcpus ->
// qemuDomainHelperGetVcpus) takes no job: /proc and the vCPU threads'
// affinity only.
// So the control loop reads those itself, and only the calls below run on a
// worker. Thread-safe: libvirt's last error is read on the calling thread.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_MONITOR_READ_H_
#define VMBALANCE_EXPORTER_LIBVIRT_MONITOR_READ_H_

#include <libvirt/libvirt.h>

#include <string>

#include "exporter/libvirt/domain_stats_params.h"

namespace vmbalance {

struct MonitorRead {
  bool ok = false;
  std::string error;        // libvirt's message when not ok
  int error_code = 0;       // virErrorNumber when not ok
  DomainStatsParams stats;  // vcpu.N.delay and balloon.* (vcpu times unused)
};

// One virDomainListGetStats(vcpu | balloon) for `dom`, without NOWAIT: with
// it, a job held even briefly by another client's call makes libvirt answer
// from its own bookkeeping (balloon current/maximum only) instead of asking
// QEMU; seen on a healthy guest while another client's stats call held its
// job. Waiting for the job is what the deadline is for. Then, when
// `stats_period_s` > 0, virDomainSetMemoryStatsPeriod (a failure there is
// logged, not an error: no balloon driver leaves the figures empty).
MonitorRead ReadMonitorStats(virDomainPtr dom, int stats_period_s);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_MONITOR_READ_H_
