#include "exporter/metrics/config_families.h"

#include <string>

#include "exporter/metrics/metric_family_builder.h"

namespace vmbalance {

void AppendTopologyFamily(const HostSample& host,
                          std::vector<prometheus::MetricFamily>* out) {
  auto info = MetricFamilyBuilder::Gauge(
      "libvirt_node_pcpu_info",
      "Where the online pCPU sits (libvirt capabilities): NUMA cell, and the "
      "kernel's socket and core numbers (same socket and core: SMT "
      "siblings); value always 1.");
  for (const TopologyCpu& cpu : host.topology.cpus()) {
    if (!cpu.online) continue;
    info.Add(1, {{"pcpu", std::to_string(cpu.id)},
                 {"cell", std::to_string(cpu.cell)},
                 {"core", std::to_string(cpu.core_id)},
                 {"socket", std::to_string(cpu.socket)}});
  }
  info.AppendTo(out);
}

void AppendOpenstackInfoFamily(const Sample& sample,
                               std::vector<prometheus::MetricFamily>* out) {
  auto info = MetricFamilyBuilder::Gauge(
      "libvirt_domain_openstack_info",
      "OpenStack Nova's metadata in the domain's XML (<nova:instance>); "
      "value always 1. Only with --domain_metadata_labels.");
  for (const DomainSample& domain : sample.domains) {
    if (!domain.config || !domain.config->nova) continue;
    const NovaInstance& nova = *domain.config->nova;
    info.Add(1, {{"domain", domain.name},
                 {"uuid", domain.uuid},
                 {"instance_name", nova.name},
                 {"flavor", nova.flavor},
                 {"project_name", nova.project_name},
                 {"project_uuid", nova.project_uuid},
                 {"user_name", nova.user_name},
                 {"user_uuid", nova.user_uuid}});
  }
  info.AppendTo(out);
}

void AppendMetadataInfoFamily(const Sample& sample,
                              std::vector<prometheus::MetricFamily>* out) {
  auto info = MetricFamilyBuilder::Gauge(
      "libvirt_domain_metadata_info",
      "The domain XML <metadata> values named by --domain_metadata, one "
      "label each (absent when the domain lacks it); value always 1.");
  for (const DomainSample& domain : sample.domains) {
    if (!domain.config) continue;
    MetricLabels labels = {{"domain", domain.name}, {"uuid", domain.uuid}};
    for (const auto& [name, value] : domain.config->metadata_labels) {
      if (!value.empty()) labels.push_back({name, value});
    }
    if (labels.size() > 2) info.Add(1, labels);
  }
  info.AppendTo(out);
}

}  // namespace vmbalance
