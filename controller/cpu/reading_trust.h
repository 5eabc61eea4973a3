// Phase 1 of a vCPU decision, trust: whether this interval's readings can be
// judged at all. A read that took long, or rates no vCPU thread could reach,
// mean the stamps do not match the counters: the policy then decides
// nothing and keeps them out of its smoothed state. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_READING_TRUST_H_
#define VMBALANCE_CONTROLLER_CPU_READING_TRUST_H_

#include <string>

#include "controller/cpu/vcpu_policy_config.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// Why this interval's readings cannot be trusted (one line for the log), or
// empty when they can.
std::string DistrustReason(const VcpuPolicyConfig& config, const Usage& usage);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_READING_TRUST_H_
