#include "exporter/libvirt/monitor_read.h"

#include <glog/logging.h>
#include <libvirt/virterror.h>

#include "exporter/libvirt/libvirt_errors.h"
#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {

using libvirt_internal::LastLibvirtError;
using libvirt_internal::LibvirtError;
using libvirt_internal::StatsRecordList;

namespace {

constexpr unsigned int kMonitorGroups =
    VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON;

void SetStatsPeriod(virDomainPtr dom, int seconds) {
  if (virDomainSetMemoryStatsPeriod(dom, seconds, VIR_DOMAIN_AFFECT_LIVE) < 0) {
    // No balloon driver or a driver without the call: its balloon figures
    // stay empty or frozen, which the memory policy treats as missing.
    const LibvirtError error = LastLibvirtError();  // before the next call
    const char* name = virDomainGetName(dom);
    LOG(WARNING) << "cannot set balloon stats period of "
                 << (name != nullptr ? name : "?") << ": " << error.message;
  }
}

}  // namespace

MonitorRead ReadMonitorStats(virDomainPtr dom, int stats_period_s) {
  MonitorRead result;
  virDomainPtr doms[] = {dom, nullptr};
  virDomainStatsRecordPtr* raw = nullptr;
  const int count = virDomainListGetStats(doms, kMonitorGroups, &raw, 0);
  StatsRecordList records(raw);
  if (count < 0) {
    LibvirtError error = LastLibvirtError();
    result.error = "virDomainListGetStats: " + error.message;
    result.error_code = error.code;
    return result;
  }
  if (count > 0) {
    result.stats =
        ParseDomainStatsParams(records[0]->params, records[0]->nparams);
  }
  result.ok = true;
  if (stats_period_s > 0) SetStatsPeriod(dom, stats_period_s);
  return result;
}

}  // namespace vmbalance
