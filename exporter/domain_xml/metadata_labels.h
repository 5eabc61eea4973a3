// Operator-named labels from a domain's <metadata>: which element or
// attribute of which XML namespace becomes which Prometheus label of
// libvirt_domain_metadata_info. The spec is parsed from the --domain_metadata
// flag; the values are read from each domain's XML. Pure.
//
// A spec is NAME={NAMESPACE_URI}ELEMENT[/CHILD...][/@ATTRIBUTE]: the first
// ELEMENT is the child of <metadata> in NAMESPACE_URI (whatever prefix the
// XML uses), each CHILD a descendant by local name; the value is the last
// element's text, or its ATTRIBUTE. Several specs are comma separated:
//   team={https://example.com/ops/1}owner/@team,tier={https://example.com/ops/1}tier
#ifndef VMBALANCE_EXPORTER_DOMAIN_XML_METADATA_LABELS_H_
#define VMBALANCE_EXPORTER_DOMAIN_XML_METADATA_LABELS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/core/status.h"
#include "exporter/xml/xml_doc.h"

namespace vmbalance {

// Bounds on what operators' metadata can add to every scrape: the labels
// per series (8 is more than the Nova family's 6 and keeps a series short),
// the bytes per value (128: names and ids fit; a description pasted into
// metadata is cut, not exported whole), and the path depth (Nova's deepest
// useful value is 3 levels down).
inline constexpr size_t kMaxMetadataLabels = 8;
inline constexpr size_t kMaxMetadataValueBytes = 128;
inline constexpr size_t kMaxMetadataPathSteps = 8;

struct MetadataLabelSpec {
  std::string name;                   // the Prometheus label
  std::string ns;                     // the namespace URI of `elements[0]`
  std::vector<std::string> elements;  // local names, from <metadata> down
  std::string attribute;              // "" for the last element's text
};

// The specs of the flag's text ("" -> none). An error names the bad spec
// and why: an invalid or reserved label name (domain, uuid, job, instance,
// __*), a name given twice, more than kMaxMetadataLabels, no {namespace},
// an empty or bad path step.
StatusOr<std::vector<MetadataLabelSpec>> ParseMetadataLabelSpecs(
    std::string_view text);

// A label value fit for export: control characters and runs of whitespace
// become one space, ends trimmed, cut to kMaxMetadataValueBytes on a UTF-8
// character boundary.
std::string SanitizeLabelValue(std::string_view text);

// (name, value) for each spec, in spec order, values sanitised; "" for a
// spec whose element or attribute the domain's <metadata> lacks.
std::vector<std::pair<std::string, std::string>> ReadMetadataLabels(
    const xml::Element& metadata, const std::vector<MetadataLabelSpec>& specs);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_DOMAIN_XML_METADATA_LABELS_H_
