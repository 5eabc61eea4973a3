// Reads a DomainConfig out of a libvirt domain definition (virDomainGetXMLDesc,
// `virsh dumpxml`). Pure: text in, value out.
#ifndef VMBALANCE_EXPORTER_DOMAIN_XML_DOMAIN_XML_H_
#define VMBALANCE_EXPORTER_DOMAIN_XML_DOMAIN_XML_H_

#include <optional>
#include <string_view>
#include <vector>

#include "exporter/core/cpu_set.h"
#include "exporter/core/domain_config.h"
#include "exporter/core/status.h"
#include "exporter/domain_xml/metadata_labels.h"

namespace vmbalance {

// Fails only on text that is not a <domain> document; see
// DomainConfig::problems for the parts that could not be read. `labels`
// fills DomainConfig::metadata_labels.
StatusOr<DomainConfig> ParseDomainConfig(
    std::string_view xml, const std::vector<MetadataLabelSpec>& labels = {});

// libvirt's cpuset syntax: "0-3,8", with "^N" excluding a CPU ("0-7,^3").
std::optional<CpuSet> ParseLibvirtCpuset(std::string_view text);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_DOMAIN_XML_DOMAIN_XML_H_
