// Which domains the vCPU scheduler leaves alone: those whose name matches
// --exclude=REGEX, and those whose domain XML carries
// <vmbalance:policy cpu="off"/>. Their vCPUs are never pinned; their load
// stays where it runs, as load nobody moves. DomainFilter is a plain value
// (the compiled pattern is shared, immutable).
#ifndef VMBALANCE_CONTROLLER_CPU_OPT_OUT_H_
#define VMBALANCE_CONTROLLER_CPU_OPT_OUT_H_

#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "exporter/core/usage.h"

namespace vmbalance {

// A regular expression (ECMAScript syntax) on domain names; it matches when
// it matches anywhere in the name (anchor with ^...$ for a whole name). The
// default matches nothing.
class DomainFilter {
 public:
  DomainFilter() = default;
  // nullopt and *error set for a pattern that does not compile.
  static std::optional<DomainFilter> Parse(const std::string& pattern,
                                           std::string* error);
  bool Matches(const std::string& name) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::shared_ptr<const std::regex> regex_;  // null: matches nothing
};

enum class CpuOptOut { kNone, kExcluded, kPolicyOff };

// Why the vCPU scheduler must leave `domain` alone, if it must. A domain
// whose XML could not be read (config nullopt) is not opted out: nothing
// says so. A policy element that could not be read already reads as off
// (the XML reader turns both switches off when in doubt).
CpuOptOut CpuOptOutOf(const DomainFilter& exclude, const DomainUsage& domain);

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_OPT_OUT_H_
