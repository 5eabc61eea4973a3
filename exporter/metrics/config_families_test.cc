#include "exporter/metrics/config_families.h"

#include <string>
#include <vector>

#include "exporter/metrics/metrics_collector.h"
#include "exporter/topology/capabilities_xml.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/check_names.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Two cores of two threads; pCPU 3 offline.
constexpr char kCapabilities[] = R"(<capabilities><host><topology>
  <cells num='1'><cell id='0'><memory unit='KiB'>1024</memory><cpus num='4'>
    <cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>
    <cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1'/>
    <cpu id='2' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>
    <cpu id='3'/>
  </cpus></cell></cells></topology></host></capabilities>)";

std::string Render(const std::vector<prometheus::MetricFamily>& families) {
  for (const auto& family : families) {
    EXPECT_TRUE(prometheus::CheckMetricName(family.name)) << family.name;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        EXPECT_TRUE(prometheus::CheckLabelName(label.name)) << label.name;
      }
    }
  }
  return prometheus::TextSerializer().Serialize(families);
}

TEST(ConfigFamiliesTest, OnePcpuInfoPerOnlinePcpu) {
  HostSample host;
  StatusOr<HostTopology> topology = ParseCapabilitiesTopology(kCapabilities);
  ASSERT_TRUE(topology.ok()) << topology.status().message();
  host.topology = *topology;
  std::vector<prometheus::MetricFamily> families;
  AppendTopologyFamily(host, &families);
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].metric.size(), 3u);  // not the offline pCPU 3
  const std::string text = Render(families);
  EXPECT_THAT(text, HasSubstr("libvirt_node_pcpu_info{pcpu=\"2\",cell=\"0\","
                              "core=\"0\",socket=\"0\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("pcpu=\"3\"")));
}

TEST(ConfigFamiliesTest, NoTopologyNoSeries) {
  std::vector<prometheus::MetricFamily> families;
  AppendTopologyFamily(HostSample{}, &families);
  EXPECT_TRUE(families.empty());
}

TEST(ConfigFamiliesTest, OpenstackInfoOnlyForDomainsWithNovaMetadata) {
  Sample sample;
  DomainSample nova_guest;
  nova_guest.name = "instance-000012ab";
  nova_guest.uuid = "11111111-2222-3333-4444-555555555555";
  nova_guest.config = DomainConfig{};
  nova_guest.config->nova = NovaInstance{
      "db-primary", "c4.dedicated", "payments", "1f2e", "alice", "9a0c"};
  DomainSample plain = nova_guest;
  plain.name = "plain";
  plain.config->nova.reset();
  DomainSample unread = nova_guest;
  unread.name = "unread";
  unread.config.reset();
  sample.domains = {nova_guest, plain, unread};
  std::vector<prometheus::MetricFamily> families;
  AppendOpenstackInfoFamily(sample, &families);
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].metric.size(), 1u);
  EXPECT_THAT(Render(families),
              HasSubstr("libvirt_domain_openstack_info{domain=\"instance-"
                        "000012ab\",uuid=\"11111111-2222-3333-4444-"
                        "555555555555\",instance_name=\"db-primary\",flavor="
                        "\"c4.dedicated\",project_name=\"payments\","
                        "project_uuid=\"1f2e\",user_name=\"alice\",user_uuid="
                        "\"9a0c\"} 1"));
}

// BuildMetricFamilies: the topology always, the Nova labels only when asked.
TEST(ConfigFamiliesTest, OpenstackInfoIsOptIn) {
  Snapshot snapshot;
  snapshot.libvirt_up = true;
  snapshot.sample = Sample{};
  StatusOr<HostTopology> topology = ParseCapabilitiesTopology(kCapabilities);
  ASSERT_TRUE(topology.ok());
  snapshot.sample->host.topology = *topology;
  DomainSample guest;
  guest.name = "g";
  guest.uuid = "u";
  guest.config = DomainConfig{};
  guest.config->nova = NovaInstance{"web-1", "m1", "p", "pu", "u", "uu"};
  snapshot.sample->domains = {guest};
  std::string text = Render(BuildMetricFamilies(snapshot));
  EXPECT_THAT(text, HasSubstr("libvirt_node_pcpu_info{"));
  EXPECT_THAT(text, Not(HasSubstr("libvirt_domain_openstack_info")));
  snapshot.domain_metadata_labels = true;
  text = Render(BuildMetricFamilies(snapshot));
  EXPECT_THAT(text, HasSubstr("libvirt_domain_openstack_info{domain=\"g\""));
}

// One series per domain with any named metadata, carrying only the values it
// has; nothing for a domain with none of them or with no config read.
TEST(ConfigFamiliesTest, MetadataInfoOnlyForDomainsWithNamedMetadata) {
  Sample sample;
  DomainSample tagged;
  tagged.name = "web-1";
  tagged.uuid = "u1";
  tagged.config = DomainConfig{};
  tagged.config->metadata_labels = {{"team", "infra"}, {"tier", ""}};
  DomainSample untagged = tagged;
  untagged.name = "web-2";
  untagged.config->metadata_labels = {{"team", ""}, {"tier", ""}};
  DomainSample unread = tagged;
  unread.name = "web-3";
  unread.config.reset();
  sample.domains = {tagged, untagged, unread};
  std::vector<prometheus::MetricFamily> families;
  AppendMetadataInfoFamily(sample, &families);
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].metric.size(), 1u);
  const std::string text = Render(families);
  EXPECT_THAT(text, HasSubstr("libvirt_domain_metadata_info{domain=\"web-1\","
                              "uuid=\"u1\",team=\"infra\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("tier=")));
}

// Without --domain_metadata no config carries labels: no family at all.
TEST(ConfigFamiliesTest, NoMetadataSpecsNoMetadataFamily) {
  Snapshot snapshot;
  snapshot.libvirt_up = true;
  snapshot.sample = Sample{};
  DomainSample guest;
  guest.name = "g";
  guest.uuid = "u";
  guest.config = DomainConfig{};
  snapshot.sample->domains = {guest};
  EXPECT_THAT(Render(BuildMetricFamilies(snapshot)),
              Not(HasSubstr("libvirt_domain_metadata_info")));
  snapshot.sample->domains[0].config->metadata_labels = {{"team", "a"}};
  EXPECT_THAT(Render(BuildMetricFamilies(snapshot)),
              HasSubstr("libvirt_domain_metadata_info{domain=\"g\",uuid=\"u\","
                        "team=\"a\"} 1"));
}

}  // namespace
}  // namespace vmbalance
