// Reads the typed parameters of one virConnectGetAllDomainStats record into
// plain values. Scans by parameter NAME ("vcpu.3.time", "balloon.unused"),
// never by position or tag number, and leaves absent figures empty. Pure and
// thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_STATS_PARAMS_H_
#define VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_STATS_PARAMS_H_

#include <libvirt/libvirt.h>

#include <cstdint>
#include <map>
#include <optional>

#include "exporter/core/sample.h"

namespace vmbalance {

struct DomainStatsParams {
  std::optional<int> state;               // state.state (virDomainState)
  std::optional<int> vcpu_current;        // vcpu.current
  std::map<int, uint64_t> vcpu_time_ns;   // vcpu.N.time, keyed by N
  std::map<int, uint64_t> vcpu_delay_ns;  // vcpu.N.delay, keyed by N
  BalloonSample balloon;                  // balloon.*
};

DomainStatsParams ParseDomainStatsParams(const virTypedParameter* params,
                                         int count);

// virDomainState number to DomainState; kUnknown for anything unexpected.
DomainState DomainStateFromLibvirt(int state);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_STATS_PARAMS_H_
