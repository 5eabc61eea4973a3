#include "exporter/libvirt/domain_config_flags.h"

#include <iostream>
#include <string>

namespace {

bool ValidMetadataSpecs(const char* flag, const std::string& value) {
  auto specs = vmbalance::ParseMetadataLabelSpecs(value);
  if (specs.ok()) return true;
  std::cerr << gflags::ProgramInvocationShortName() << ": --" << flag << ": "
            << specs.status().message() << "\n";
  return false;
}

// 1 s .. 1 h: below 1 s the reads would be every interval anyway; above an
// hour an opt-out would wait longer than an operator would believe.
bool ValidRefresh(const char* flag, gflags::int32 value) {
  if (value >= 1 && value <= 3600) return true;
  std::cerr << gflags::ProgramInvocationShortName() << ": --" << flag
            << " must be between 1 and 3600 seconds, not " << value << "\n";
  return false;
}

}  // namespace

DEFINE_string(domain_metadata, "",
              "Labels from the domains' XML <metadata> for "
              "libvirt_domain_metadata_info{domain,uuid,NAME...}: comma "
              "separated NAME={NAMESPACE_URI}ELEMENT[/CHILD...][/@ATTRIBUTE], "
              "e.g. team={https://example.com/ops/1}owner/@team. At most 8 "
              "names; values cut to 128 bytes; domains without any of them "
              "get no series.");
DEFINE_validator(domain_metadata, &ValidMetadataSpecs);
// 60: an opt-out or new metadata shows within a minute for 3 libvirt calls
// per guest per minute (libvirt announces neither without an event
// listener).
DEFINE_int32(domain_config_refresh_seconds, 60,
             "Seconds between reads of each running guest's definition "
             "(placement, vmbalance policy, metadata labels); 1-3600.");
DEFINE_validator(domain_config_refresh_seconds, &ValidRefresh);

namespace vmbalance {

std::vector<MetadataLabelSpec> MetadataLabelSpecsFromFlags() {
  auto specs = ParseMetadataLabelSpecs(FLAGS_domain_metadata);
  return specs.ok() ? std::move(specs).value()
                    : std::vector<MetadataLabelSpec>{};
}

std::chrono::seconds ConfigRefreshFromFlags() {
  return std::chrono::seconds(FLAGS_domain_config_refresh_seconds);
}

const char* DomainConfigFlagsFile() { return __FILE__; }

}  // namespace vmbalance
