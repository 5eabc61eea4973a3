// What a guest's memory backing (DomainConfig::memory_backing, from its
// domain XML) and the operator's opt-out let the memory coordinator do with
// its balloon, and which host figure pays for its memory. Pure.
//
// - Hugepages: the guest's RAM comes from the host's hugepage pool, which
//   the kernel keeps apart from MemAvailable (HugePages_Total is reserved at
//   boot or by the operator). Inflating its balloon returns nothing to
//   MemAvailable and growing it costs MemAvailable nothing, so the
//   coordinator leaves it alone and keeps it out of the host's accounts.
// - Locked (<locked/>): QEMU mlocks all guest memory, so a balloon frees
//   nothing on the host (madvise cannot drop locked pages) while the guest
//   loses the memory: left alone; its memory stays counted (it is all
//   resident, so it owes the host no untouched grant).
// - File-backed (a file under libvirt's memory_backing_dir, shared access
//   without memfd): the guest's RAM is host page cache, which MemAvailable
//   counts as reclaimable, though the host gets it back only by writing
//   guest RAM to the file. Managed as usual (QEMU punches holes for a
//   balloon), but what the host backs of it is taken off host available.
// - memfd or shared anonymous memory is shmem: MemAvailable already leaves
//   it out; nothing changes.
// - Opted out (--exclude, <vmbalance:policy memory="off"/>): left alone
//   like a locked guest, and its memory is accounted by its backing, which
//   the opt-out does not change (MemoryRuleFor).
#ifndef VMBALANCE_CONTROLLER_MEMORY_BACKING_RULE_H_
#define VMBALANCE_CONTROLLER_MEMORY_BACKING_RULE_H_

#include <string>

#include "controller/domain_filter.h"
#include "exporter/core/sample.h"

namespace vmbalance {

struct BackingRule {
  // Non-empty: the coordinator leaves the balloon alone, and this says why;
  // `kind` names the reason for a label: the backing ("hugepages",
  // "locked") or the operator's opt-out ("exclude", "policy").
  std::string leave_alone;
  std::string kind;
  // False: its memory is not in MemAvailable (hugepages): its grants,
  // in-flight targets and untouched memory are left out of the host budget.
  bool counts_against_available = true;
  // True: its backed memory is host page cache that MemAvailable counts as
  // available; the host budget takes it off.
  bool host_page_cache = false;
};

// The rule for a domain; the default (managed as usual) when its config was
// not read or says nothing about its memory backing.
BackingRule BackingRuleFor(const DomainSample& domain);

// BackingRuleFor's rule, also left alone when the operator opted the domain
// out of the memory coordinator: its name matches `exclude` ("exclude"), or
// its config says memory="off" ("policy"; an unreadable policy element
// already reads as off). A domain whose config was not read is not opted
// out: nothing says so. A backing that rules ballooning out keeps its own
// reason (it would hold with the opt-out lifted); exclude comes before
// policy, as for the vCPU scheduler.
BackingRule MemoryRuleFor(const DomainFilter& exclude,
                          const DomainSample& domain);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_MEMORY_BACKING_RULE_H_
