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

}  // namespace vmbalance
