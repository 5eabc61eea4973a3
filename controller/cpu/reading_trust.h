// Phase 1 of a vCPU decision, trust: whether this interval's readings can be
// judged at all, and which vCPUs may be acted on. A read that took long, or
// rates no vCPU thread could reach, mean the stamps do not match the
// counters: the policy then decides nothing and keeps them out of its
// smoothed state. A domain whose figures missed the sampling deadline is
// left where it is. Pure.
#ifndef VMBALANCE_CONTROLLER_CPU_READING_TRUST_H_
#define VMBALANCE_CONTROLLER_CPU_READING_TRUST_H_

#include <string>
#include <vector>

#include "controller/cpu/vcpu_policy_config.h"
#include "controller/cpu/vcpu_problem.h"
#include "controller/cpu/vcpu_thresholds.h"
#include "exporter/core/usage.h"

namespace vmbalance {

// Why this interval's readings cannot be trusted (one line for the log), or
// empty when they can.
std::string DistrustReason(const VcpuPolicyConfig& config, const Usage& usage);

// The vCPUs of domains read with DomainUsage::read != kComplete (a hung
// QEMU, a job held by a migration). They are not moved or pinned: libvirt
// could not answer for them in time, so a pin would likely block or fail,
// and their placement is not known for sure. What they were seen to demand
// (a valid reading, e.g. counters read from /proc in time) stays where they
// run, as load nobody moves; without a valid reading they add nothing, as
// any unread vCPU (a stopped QEMU uses no CPU at all).
struct HeldVcpus {
  std::vector<double> pcpu_demand;   // indexed by pCPU, like Usage's
  std::vector<std::string> domains;  // names, for the log
  // Domains opted out (opt_out.h): held the same way, for the metric. Not
  // in `domains`: being left alone is what the operator asked for.
  int excluded = 0;    // by --exclude
  int policy_off = 0;  // by <vmbalance:policy cpu="off"/>
};

// `usage` without the vCPUs of unreadable domains (each such domain stays,
// with no vCPUs, so that indices into usage.domains hold), and in *held
// what those vCPUs carry. Readings it drops are also not judged by
// DistrustReason: a hung guest's odd figures must not stop the others.
Usage ActionableUsage(const Usage& usage, HeldVcpus* held);

// The same, also holding the vCPUs of domains opted out of the vCPU
// scheduler (config.exclude, the domain's policy switch): never pinned,
// their load stays where it runs.
Usage ActionableUsage(const VcpuPolicyConfig& config, const Usage& usage,
                      HeldVcpus* held);

// Readings without delay counters (VcpuUsage::has_delay false: older
// kernels, other drivers): the items' demand is then their utilisation. The
// thresholds with min_gain raised by config.no_delay_gain_factor when some
// item lacks the figure (see the config for why), else `limits` unchanged.
VcpuThresholds ForMissingDelay(const VcpuPolicyConfig& config,
                               const VcpuProblem& problem,
                               VcpuThresholds limits);

// One line for the log when delay figures go missing or come back, empty
// otherwise; *missing carries the episode from one decision to the next.
std::string DelayNotice(const VcpuProblem& problem, bool* missing);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_READING_TRUST_H_
