#include "controller/domain_filter.h"

namespace vmbalance {

std::optional<DomainFilter> DomainFilter::Parse(const std::string& pattern,
                                                std::string* error) {
  DomainFilter filter;
  filter.pattern_ = pattern;
  if (pattern.empty()) return filter;
  try {
    filter.regex_ = std::make_shared<const std::regex>(
        pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    *error = "not a regular expression: \"" + pattern + "\": " + e.what();
    return std::nullopt;
  }
  return filter;
}

bool DomainFilter::Matches(const std::string& name) const {
  return regex_ != nullptr && std::regex_search(name, *regex_);
}

}  // namespace vmbalance
