// Info series for what libvirt says about the host's layout and about the
// guests' owners, from one Sample: where each online pCPU sits
// (libvirt_node_pcpu_info, one per pCPU), each domain's OpenStack Nova
// metadata (libvirt_domain_openstack_info, opt-in) and the metadata the
// operator named (libvirt_domain_metadata_info, --domain_metadata). Value
// always 1; join on `pcpu` or on `domain`/`uuid`. Pure.
#ifndef VMBALANCE_EXPORTER_METRICS_CONFIG_FAMILIES_H_
#define VMBALANCE_EXPORTER_METRICS_CONFIG_FAMILIES_H_

#include <vector>

#include "exporter/core/sample.h"
#include "prometheus/metric_family.h"

namespace vmbalance {

// libvirt_node_pcpu_info{pcpu,cell,core,socket}: one series per online pCPU
// of a known topology (none while it is unknown). `core` and `socket` are
// the kernel's numbers (core_id is unique within a socket): pCPUs with the
// same socket and core are SMT siblings.
void AppendTopologyFamily(const HostSample& host,
                          std::vector<prometheus::MetricFamily>* out);

// libvirt_domain_openstack_info{domain,uuid,instance_name,flavor,
// project_name,project_uuid,user_name,user_uuid}: one series per domain
// whose config carries Nova metadata, none for the others. Cardinality is
// one per domain: every label is fixed for an instance's life.
void AppendOpenstackInfoFamily(const Sample& sample,
                               std::vector<prometheus::MetricFamily>* out);

// libvirt_domain_metadata_info{domain,uuid,NAME...}: one series per domain
// with at least one of the --domain_metadata values, carrying the non-empty
// ones; none for the others (so none without the flag). Bounded: at most 8
// names, values of at most 128 bytes, one series per domain.
void AppendMetadataInfoFamily(const Sample& sample,
                              std::vector<prometheus::MetricFamily>* out);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_CONFIG_FAMILIES_H_
