// Which domains the vCPU scheduler leaves alone: those whose name matches
// --exclude=REGEX, and those whose domain XML carries
// <vmbalance:policy cpu="off"/>. Their vCPUs are never pinned; their load
// stays where it runs, as load nobody moves. DomainFilter
// (controller/domain_filter.h) is shared with the memory coordinator.
#ifndef VMBALANCE_CONTROLLER_CPU_OPT_OUT_H_
#define VMBALANCE_CONTROLLER_CPU_OPT_OUT_H_

#include "controller/domain_filter.h"
#include "exporter/core/usage.h"

namespace vmbalance {

enum class CpuOptOut { kNone, kExcluded, kPolicyOff };

// Why the vCPU scheduler must leave `domain` alone, if it must. A domain
// whose XML could not be read (config nullopt) is not opted out: nothing
// says so. A policy element that could not be read already reads as off
// (the XML reader turns both switches off when in doubt).
CpuOptOut CpuOptOutOf(const DomainFilter& exclude, const DomainUsage& domain);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_OPT_OUT_H_
