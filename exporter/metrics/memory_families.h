// The exporter's memory families: the guests' balloon figures and pressure
// counters (libvirt_domain_memory_*) and the host's memory, from one Sample.
// Part of BuildMetricFamilies (metrics_collector.h). Pure.
#ifndef VMBALANCE_EXPORTER_METRICS_MEMORY_FAMILIES_H_
#define VMBALANCE_EXPORTER_METRICS_MEMORY_FAMILIES_H_

#include <vector>

#include "exporter/core/sample.h"
#include "prometheus/metric_family.h"

namespace vmbalance {

// Appends the families, in base units; a figure the Sample lacks is absent.
void AppendMemoryFamilies(const Sample& sample,
                          std::vector<prometheus::MetricFamily>* out);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_MEMORY_FAMILIES_H_
