#include "controller/memory/backing_rule.h"

namespace vmbalance {

BackingRule BackingRuleFor(const DomainSample& domain) {
  BackingRule rule;
  if (!domain.config || !domain.config->memory_backing) return rule;
  const MemoryBacking& backing = *domain.config->memory_backing;
  if (backing.hugepages) {
    rule.leave_alone =
        "hugepage-backed: its memory comes from the host's hugepage pool, "
        "which ballooning does not return to MemAvailable";
    rule.kind = "hugepages";
    rule.counts_against_available = false;
    return rule;
  }
  if (backing.locked) {
    rule.leave_alone =
        "memory locked (<locked/>): a balloon would take memory from the "
        "guest and free nothing on the host";
    rule.kind = "locked";
    return rule;
  }
  rule.host_page_cache = backing.FileBacked();
  return rule;
}

BackingRule MemoryRuleFor(const DomainFilter& exclude,
                          const DomainSample& domain) {
  BackingRule rule = BackingRuleFor(domain);
  if (!rule.leave_alone.empty()) return rule;
  // Only what the coordinator does changes; the accounting stays the
  // backing's. An opted-out guest on ordinary memory can still touch all of
  // its balloon's actual size (and reach an in-flight target) at the host's
  // cost, so, like a locked guest, its untouched memory stays committed in
  // the host budget: leaving it out, as for a hugepage guest, would let
  // grants to others spend memory the host already owes it. A file-backed
  // one's RAM stays host page cache, still taken off host available.
  if (exclude.Matches(domain.name)) {
    rule.leave_alone = "excluded by --exclude=" + exclude.pattern();
    rule.kind = "exclude";
  } else if (domain.config &&
             domain.config->policy.memory == PolicySwitch::kOff) {
    rule.leave_alone =
        "opted out in its domain XML (<vmbalance:policy memory=\"off\"/>, "
        "or a policy element that could not be read)";
    rule.kind = "policy";
  }
  return rule;
}

}  // namespace vmbalance
