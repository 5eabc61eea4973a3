#include "exporter/domain_xml/domain_xml.h"

#include <string>
#include <utility>

#include "exporter/domain_xml/memory_backing.h"
#include "exporter/xml/xml_doc.h"

namespace vmbalance {
namespace {

using xml::Element;

constexpr std::string_view kNovaNamespacePrefix =
    "http://openstack.org/xmlns/libvirt/nova/";

// Reads a cpuset attribute into *out; a malformed one is a problem and
// leaves *out unset.
void ReadCpuset(const Element& node, const char* attr, const std::string& what,
                std::optional<CpuSet>* out,
                std::vector<std::string>* problems) {
  std::optional<std::string> text = node.Attr(attr);
  if (!text) return;
  *out = ParseLibvirtCpuset(*text);
  if (!*out) problems->push_back("bad " + what + " '" + *text + "'");
}

OperatorPlacement ReadPlacement(const Element& domain,
                                std::vector<std::string>* problems) {
  OperatorPlacement p;
  Element vcpu = domain.Child("vcpu");
  ReadCpuset(vcpu, "cpuset", "<vcpu cpuset>", &p.vcpu_cpuset, problems);
  p.numad = vcpu.Attr("placement").value_or("") == "auto";
  for (const Element& pin : domain.Path({"cputune"}).Children("vcpupin")) {
    std::optional<uint64_t> index = xml::Number(pin.Attr("vcpu").value_or(""));
    std::optional<CpuSet> cpus;
    ReadCpuset(pin, "cpuset", "<vcpupin cpuset>", &cpus, problems);
    if (!index || *index > (1u << 16) || !cpus) {
      problems->push_back("unreadable <vcpupin>");
      continue;
    }
    p.vcpupin[static_cast<int>(*index)] = *cpus;
  }
  Element memory = domain.Path({"numatune", "memory"});
  p.memory_mode = memory ? memory.Attr("mode").value_or("strict") : "";
  ReadCpuset(memory, "nodeset", "<numatune nodeset>", &p.memory_cells,
             problems);
  return p;
}

PolicySwitch ReadSwitch(const Element& policy, const char* attr,
                        std::vector<std::string>* problems) {
  std::optional<std::string> value = policy.Attr(attr);
  if (!value) return PolicySwitch::kDefault;
  if (*value == "on") return PolicySwitch::kOn;
  if (*value == "off") return PolicySwitch::kOff;
  problems->push_back(std::string("vmbalance policy ") + attr + "='" + *value +
                      "' is neither on nor off: leaving the guest alone");
  return PolicySwitch::kOff;
}

DomainPolicy ReadPolicy(const Element& metadata,
                        std::vector<std::string>* problems) {
  DomainPolicy policy;
  Element element = metadata.Child("policy", kPolicyNamespace);
  if (!element) return policy;
  const size_t before = problems->size();
  policy.cpu = ReadSwitch(element, "cpu", problems);
  policy.memory = ReadSwitch(element, "memory", problems);
  if (problems->size() != before) {
    policy.cpu = policy.memory = PolicySwitch::kOff;
  }
  return policy;
}

std::optional<NovaInstance> ReadNova(const Element& metadata) {
  for (const Element& child : metadata.Children("instance")) {
    if (child.ns().rfind(kNovaNamespacePrefix, 0) != 0) continue;
    NovaInstance nova;
    // Sanitised here: these become label values (a display name may be
    // long or span lines).
    nova.name = SanitizeLabelValue(child.Child("name").Text());
    nova.flavor =
        SanitizeLabelValue(child.Child("flavor").Attr("name").value_or(""));
    Element owner = child.Child("owner");
    nova.project_name = SanitizeLabelValue(owner.Child("project").Text());
    nova.project_uuid =
        SanitizeLabelValue(owner.Child("project").Attr("uuid").value_or(""));
    nova.user_name = SanitizeLabelValue(owner.Child("user").Text());
    nova.user_uuid =
        SanitizeLabelValue(owner.Child("user").Attr("uuid").value_or(""));
    return nova;
  }
  return std::nullopt;
}

}  // namespace

std::optional<CpuSet> ParseLibvirtCpuset(std::string_view text) {
  CpuSet include;
  CpuSet exclude;
  bool any = false;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    const bool negative = !item.empty() && item[0] == '^';
    if (negative) item.remove_prefix(1);
    std::optional<CpuSet> part = CpuSet::Parse(item);
    if (!part || part->Empty()) return std::nullopt;
    if (negative) {
      exclude = exclude.Union(*part);
    } else {
      include = include.Union(*part);
      any = true;
    }
  }
  if (!any) return std::nullopt;
  CpuSet result = include.Difference(exclude);
  if (result.Empty()) return std::nullopt;
  return result;
}

StatusOr<DomainConfig> ParseDomainConfig(
    std::string_view text, const std::vector<MetadataLabelSpec>& labels) {
  StatusOr<xml::XmlDoc> doc = xml::XmlDoc::Parse(text);
  if (!doc.ok()) return Status::Error("domain XML: " + doc.status().message());
  Element domain = doc->root();
  if (domain.name() != "domain") {
    return Status::Error("domain XML: root element is <" + domain.name() +
                         ">, not <domain>");
  }
  DomainConfig config;
  config.placement = ReadPlacement(domain, &config.problems);
  Element metadata = domain.Child("metadata");
  config.policy = ReadPolicy(metadata, &config.problems);
  config.nova = ReadNova(metadata);
  config.memory_backing = ReadMemoryBacking(domain, &config.problems);
  config.metadata_labels = ReadMetadataLabels(metadata, labels);
  return config;
}

}  // namespace vmbalance
