// MetricFamilyBuilder: builds one prometheus::MetricFamily (gauge or counter)
// sample by sample, for Collectables that rebuild their families on every
// Collect(). A plain value; not shared between threads.
#ifndef VMBALANCE_EXPORTER_METRICS_METRIC_FAMILY_BUILDER_H_
#define VMBALANCE_EXPORTER_METRICS_METRIC_FAMILY_BUILDER_H_

#include <string>
#include <utility>
#include <vector>

#include "prometheus/client_metric.h"
#include "prometheus/metric_family.h"
#include "prometheus/metric_type.h"

namespace vmbalance {

using MetricLabels = std::vector<prometheus::ClientMetric::Label>;

class MetricFamilyBuilder {
 public:
  // `name` and label names are not checked here (custom Collectables bypass
  // prometheus-cpp's checks): test them with prometheus::CheckMetricName /
  // CheckLabelName. Counter names should end in _total.
  static MetricFamilyBuilder Gauge(std::string name, std::string help) {
    return MetricFamilyBuilder(std::move(name), std::move(help),
                               prometheus::MetricType::Gauge);
  }
  static MetricFamilyBuilder Counter(std::string name, std::string help) {
    return MetricFamilyBuilder(std::move(name), std::move(help),
                               prometheus::MetricType::Counter);
  }

  // Adds one series. Labels are written in the order given.
  MetricFamilyBuilder& Add(double value, MetricLabels labels = {}) {
    prometheus::ClientMetric& metric = family_.metric.emplace_back();
    metric.label = std::move(labels);
    if (family_.type == prometheus::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    return *this;
  }

  bool empty() const { return family_.metric.empty(); }

  // Moves the family into `out` when it has at least one series (a family
  // without series would print a bare HELP/TYPE header). The builder holds no
  // series afterwards.
  void AppendTo(std::vector<prometheus::MetricFamily>* out) {
    if (!family_.metric.empty()) out->push_back(std::move(family_));
    family_.metric.clear();
  }

  const prometheus::MetricFamily& family() const { return family_; }

 private:
  MetricFamilyBuilder(std::string name, std::string help,
                      prometheus::MetricType type) {
    family_.name = std::move(name);
    family_.help = std::move(help);
    family_.type = type;
  }

  prometheus::MetricFamily family_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_METRIC_FAMILY_BUILDER_H_
