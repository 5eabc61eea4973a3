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

int ListGetStats(virDomainPtr dom, unsigned int flags,
                 StatsRecordList* records) {
  virDomainPtr doms[] = {dom, nullptr};
  virDomainStatsRecordPtr* raw = nullptr;
  const int count = virDomainListGetStats(doms, kMonitorGroups, &raw, flags);
  records->reset(raw);
  return count;
}

void SetStatsPeriod(virDomainPtr dom, int seconds) {
  if (virDomainSetMemoryStatsPeriod(dom, seconds, VIR_DOMAIN_AFFECT_LIVE) < 0) {
    // No balloon driver or a driver without the call: its balloon figures
    // stay empty or frozen, which the memory policy treats as missing.
    const char* name = virDomainGetName(dom);
    LOG(WARNING) << "cannot set balloon stats period of "
                 << (name != nullptr ? name : "?") << ": "
                 << LastLibvirtError().message;
  }
}

}  // namespace

MonitorRead ReadMonitorStats(virDomainPtr dom, bool nowait,
                             int stats_period_s) {
  MonitorRead result;
  unsigned int flags = nowait ? VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT : 0;
  StatsRecordList records;
  int count = ListGetStats(dom, flags, &records);
  if (count < 0 && nowait) {
    const int code = LastLibvirtError().code;
    if (code == VIR_ERR_INVALID_ARG || code == VIR_ERR_NO_SUPPORT) {
      result.nowait_refused = true;  // e.g. test:///
      count = ListGetStats(dom, 0, &records);
    }
  }
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
  if (stats_period_s > 0) SetStatsPeriod(dom, stats_period_s);
  result.ok = true;
  return result;
}

}  // namespace vmbalance
