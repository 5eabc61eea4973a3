// DomainFilter: the operator's --exclude=REGEX on domain names, which both
// controllers honour (the vCPU scheduler never pins a matching domain, the
// memory coordinator never resizes it). A plain value (the compiled pattern
// is shared, immutable); it knows nothing of samples or policies.
#ifndef VMBALANCE_CONTROLLER_DOMAIN_FILTER_H_
#define VMBALANCE_CONTROLLER_DOMAIN_FILTER_H_

#include <memory>
#include <optional>
#include <regex>
#include <string>

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

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_DOMAIN_FILTER_H_
