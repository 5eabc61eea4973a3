#include "controller/controller_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/check_names.h>
#include <prometheus/text_serializer.h>

#include <memory>
#include <string>

namespace vmbalance {
namespace {

std::string Scrape(const ControllerMetrics& metrics) {
  return prometheus::TextSerializer().Serialize(metrics.Collect());
}

TEST(ControllerMetricsTest, SchedulerSeriesAppearOnceDecided) {
  ControllerMetrics metrics;
  auto status = std::make_shared<ControllerStatus>();
  status->cpu_enabled = true;
  status->pin_changes_total = 6;
  metrics.Publish(status);
  std::string text = Scrape(metrics);
  EXPECT_NE(text.find("vmbalance_vcpu_pin_changes_total 6"), std::string::npos);
  EXPECT_NE(text.find("vmbalance_dry_run 0"), std::string::npos);
  // No decision yet: no claim about balance.
  EXPECT_EQ(text.find("vmbalance_balanced"), std::string::npos);
  EXPECT_EQ(text.find("vmbalance_memory"), std::string::npos);

  status = std::make_shared<ControllerStatus>(*status);
  status->have_cpu_decision = true;
  status->balanced = true;
  status->decision_seconds = 0.25;
  metrics.Publish(status);
  text = Scrape(metrics);
  EXPECT_NE(text.find("vmbalance_balanced 1"), std::string::npos);
  EXPECT_NE(text.find("vmbalance_decision_duration_seconds 0.25"),
            std::string::npos);
}

TEST(ControllerMetricsTest, OptOutsAndMissingDelayAreCounted) {
  ControllerMetrics metrics;
  auto status = std::make_shared<ControllerStatus>();
  status->cpu_enabled = status->have_cpu_decision = true;
  status->excluded_domains = 2;
  status->policy_off_domains = 1;
  metrics.Publish(status);
  std::string text = Scrape(metrics);
  EXPECT_NE(
      text.find(
          "vmbalance_vcpu_scheduler_excluded_domains{reason=\"exclude\"} 2"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          "vmbalance_vcpu_scheduler_excluded_domains{reason=\"policy\"} 1"),
      std::string::npos);
  // Not assessed yet: no claim about delay counters.
  EXPECT_EQ(text.find("vmbalance_vcpu_without_delay"), std::string::npos);
  status = std::make_shared<ControllerStatus>(*status);
  status->vcpus_without_delay = 5;
  metrics.Publish(status);
  EXPECT_NE(Scrape(metrics).find("vmbalance_vcpu_without_delay 5"),
            std::string::npos);
}

TEST(ControllerMetricsTest,
     CoordinatorSeriesInBytesAndStaleGuestsHaveNoTarget) {
  ControllerMetrics metrics;
  auto status = std::make_shared<ControllerStatus>();
  status->memory_enabled = true;
  status->dry_run = true;
  status->guests = {{"u1", "vm1", 1024, false, ""}, {"u2", "vm2", 0, true, ""}};
  status->balloon_grow_total = 3;
  status->balloon_shrink_total = 2;
  status->host_reserve_kib = 200 * 1024;
  status->low_mark_kib = 100 * 1024;
  status->untouched_grants_kib = 300 * 1024;
  metrics.Publish(status);
  std::string text = Scrape(metrics);
  EXPECT_NE(
      text.find(
          "vmbalance_memory_target_bytes{domain=\"vm1\",uuid=\"u1\"} 1048576"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("vmbalance_memory_target_bytes{domain=\"vm2\""),
            std::string::npos);
  EXPECT_NE(
      text.find("vmbalance_guest_stats_stale{domain=\"vm2\",uuid=\"u2\"} 1"),
      std::string::npos);
  EXPECT_NE(text.find("vmbalance_balloon_changes_total{direction=\"grow\"} 3"),
            std::string::npos);
  EXPECT_NE(
      text.find("vmbalance_balloon_changes_total{direction=\"shrink\"} 2"),
      std::string::npos);
  EXPECT_NE(text.find("vmbalance_memory_host_reserve_bytes 209715200"),
            std::string::npos);
  EXPECT_NE(text.find("vmbalance_memory_untouched_grants_bytes 314572800"),
            std::string::npos);
  EXPECT_NE(text.find("vmbalance_dry_run 1"), std::string::npos);
  EXPECT_EQ(text.find("vmbalance_vcpu_pin"), std::string::npos);
}

// One series per guest left alone, with its reason; none for the others,
// and no family at all when every guest is managed.
TEST(ControllerMetricsTest, GuestsLeftAloneHaveOneSeriesWithTheirReason) {
  ControllerMetrics metrics;
  auto status = std::make_shared<ControllerStatus>();
  status->memory_enabled = true;
  status->guests = {{"u1", "vm1", 1024, false, ""},
                    {"u2", "infra-dns", 2048, false, "exclude"},
                    {"u3", "quiet", 2048, false, "policy"},
                    {"u4", "huge", 4096, false, "hugepages"}};
  metrics.Publish(status);
  std::string text = Scrape(metrics);
  for (const char* series :
       {"vmbalance_memory_left_alone{domain=\"infra-dns\",uuid=\"u2\","
        "reason=\"exclude\"} 1",
        "vmbalance_memory_left_alone{domain=\"quiet\",uuid=\"u3\","
        "reason=\"policy\"} 1",
        "vmbalance_memory_left_alone{domain=\"huge\",uuid=\"u4\","
        "reason=\"hugepages\"} 1",
        "# TYPE vmbalance_memory_left_alone gauge"}) {
    EXPECT_NE(text.find(series), std::string::npos) << series << "\n" << text;
  }
  EXPECT_EQ(text.find("vmbalance_memory_left_alone{domain=\"vm1\""),
            std::string::npos);
  // Its size is still shown: left alone is not unknown.
  EXPECT_NE(text.find("vmbalance_memory_target_bytes{domain=\"infra-dns\""),
            std::string::npos);

  status = std::make_shared<ControllerStatus>(*status);
  status->guests.resize(1);
  metrics.Publish(status);
  EXPECT_EQ(Scrape(metrics).find("vmbalance_memory_left_alone"),
            std::string::npos);
}

TEST(ControllerMetricsTest, NamesAndLabelsAreValid) {
  ControllerMetrics metrics;
  auto status = std::make_shared<ControllerStatus>();
  status->cpu_enabled = status->memory_enabled = status->have_cpu_decision =
      true;
  status->guests = {{"u1", "vm1", 1024, false, ""},
                    {"u2", "vm2", 1024, false, "policy"}};
  metrics.Publish(status);
  for (const prometheus::MetricFamily& family : metrics.Collect()) {
    EXPECT_TRUE(prometheus::CheckMetricName(family.name)) << family.name;
    EXPECT_FALSE(family.help.empty()) << family.name;
    if (family.type == prometheus::MetricType::Counter) {
      EXPECT_EQ(family.name.substr(family.name.size() - 6), "_total");
    }
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        EXPECT_TRUE(prometheus::CheckLabelName(label.name)) << label.name;
      }
    }
  }
}

// The controller's metrics share the exporter's Collectable: a null status
// (nothing published yet by a future caller) is an empty scrape, not a crash.
TEST(ControllerMetricsTest, NullStatusIsAnEmptyScrape) {
  ControllerMetrics metrics;
  EXPECT_FALSE(metrics.Collect().empty());  // the default status: dry_run 0
  metrics.Publish(nullptr);
  EXPECT_TRUE(metrics.Collect().empty());
}

}  // namespace
}  // namespace vmbalance
