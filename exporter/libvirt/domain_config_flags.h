// The flags of DomainConfigReader, shared by every binary that reads guests'
// definitions (libvirt_exporter, the controllers): which <metadata> elements
// become labels of libvirt_domain_metadata_info (--domain_metadata, see
// exporter/domain_xml/metadata_labels.h for the syntax and bounds), and how
// often each guest's definition is read again
// (--domain_config_refresh_seconds). Bad values are refused while the command
// line is parsed (gflags validators): the binary prints why and exits non-zero.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CONFIG_FLAGS_H_
#define VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CONFIG_FLAGS_H_

#include <chrono>
#include <vector>

#include "exporter/domain_xml/metadata_labels.h"
#include "gflags/gflags.h"

DECLARE_string(domain_metadata);
DECLARE_int32(domain_config_refresh_seconds);

namespace vmbalance {

// The specs of --domain_metadata (none when empty; the validator has
// already refused a bad value).
std::vector<MetadataLabelSpec> MetadataLabelSpecsFromFlags();
std::chrono::seconds ConfigRefreshFromFlags();

// The file defining these flags, for ShortHelp's `flag_files`.
const char* DomainConfigFlagsFile();

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_DOMAIN_CONFIG_FLAGS_H_
