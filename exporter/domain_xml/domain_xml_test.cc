#include "exporter/domain_xml/domain_xml.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vmbalance {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in("exporter/domain_xml/testdata/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

DomainConfig Parsed(const std::string& xml) {
  StatusOr<DomainConfig> config = ParseDomainConfig(xml);
  EXPECT_TRUE(config.ok()) << config.status().message();
  return config.ok() ? *config : DomainConfig();
}

TEST(DomainConfigTest, NovaDedicatedGuest) {
  DomainConfig config = Parsed(Fixture("nova_dedicated.xml"));
  EXPECT_TRUE(config.problems.empty());
  EXPECT_TRUE(config.placement.restricted());
  EXPECT_EQ(config.placement.AllowedFor(1), (CpuSet{42}));
  EXPECT_EQ(config.placement.AllowedFor(3), (CpuSet{43}));
  EXPECT_EQ(config.placement.AllowedFor(4), std::nullopt);
  EXPECT_EQ(config.placement.memory_mode, "strict");
  EXPECT_EQ(config.placement.memory_cells, (CpuSet{0}));
  ASSERT_TRUE(config.nova.has_value());
  EXPECT_EQ(config.nova->name, "db-primary");
  EXPECT_EQ(config.nova->flavor, "c4.dedicated");
  EXPECT_EQ(config.nova->project_name, "payments");
  EXPECT_EQ(config.nova->project_uuid, "1f2e3d4c5b6a47988776655443322110");
  EXPECT_EQ(config.nova->user_name, "alice");
  EXPECT_EQ(config.policy.cpu, PolicySwitch::kDefault);
}

TEST(DomainConfigTest, OptedOutGuestWithAnExcludingCpuset) {
  DomainConfig config = Parsed(Fixture("opted_out_cpuset.xml"));
  EXPECT_TRUE(config.problems.empty());
  EXPECT_EQ(config.policy.cpu, PolicySwitch::kOff);
  EXPECT_EQ(config.policy.memory, PolicySwitch::kOn);
  EXPECT_EQ(config.placement.AllowedFor(0), (CpuSet{0, 1, 2, 4, 5, 6, 7}));
  EXPECT_EQ(config.placement.AllowedFor(1), (CpuSet{0, 1, 2, 4, 5, 6, 7}));
  EXPECT_FALSE(config.nova.has_value());
}

TEST(DomainConfigTest, AnUnconstrainedGuestHasNoConstraints) {
  DomainConfig config = Parsed("<domain><name>a</name><vcpu>2</vcpu></domain>");
  EXPECT_FALSE(config.placement.restricted());
  EXPECT_EQ(config.placement.AllowedFor(0), std::nullopt);
  EXPECT_EQ(config.placement.memory_mode, "");
  EXPECT_EQ(config.policy.cpu, PolicySwitch::kDefault);
  EXPECT_EQ(config.policy.memory, PolicySwitch::kDefault);
}

TEST(DomainConfigTest, PolicyElementInAnotherNamespaceIsNotOurs) {
  DomainConfig config = Parsed(
      "<domain><metadata><x:policy xmlns:x='urn:other' cpu='off'/>"
      "</metadata></domain>");
  EXPECT_EQ(config.policy.cpu, PolicySwitch::kDefault);
}

TEST(DomainConfigTest, AnUnreadablePolicyLeavesTheGuestAlone) {
  DomainConfig config = Parsed(
      "<domain><metadata><v:policy "
      "xmlns:v='https://vmbalance.dev/xmlns/policy/1' cpu='yes'/>"
      "</metadata></domain>");
  EXPECT_EQ(config.policy.cpu, PolicySwitch::kOff);
  EXPECT_EQ(config.policy.memory, PolicySwitch::kOff);
  ASSERT_EQ(config.problems.size(), 1u);
  EXPECT_NE(config.problems[0].find("cpu='yes'"), std::string::npos);
}

TEST(DomainConfigTest, MalformedPinsAreProblemsNotConstraints) {
  DomainConfig config = Parsed(
      "<domain><vcpu cpuset='x'>1</vcpu><cputune>"
      "<vcpupin vcpu='0' cpuset='1-'/><vcpupin vcpu='a' cpuset='1'/>"
      "</cputune></domain>");
  EXPECT_FALSE(config.placement.restricted());
  EXPECT_EQ(config.problems.size(), 4u);
}

// --domain_metadata specs are read from the same <metadata>; a Nova display
// name spanning lines becomes one label-ready line.
TEST(DomainConfigTest, OperatorNamedMetadataLabels) {
  auto specs = ParseMetadataLabelSpecs(
      "team={https://example.com/ops/1}owner/@team,"
      "nova_vcpus={http://openstack.org/xmlns/libvirt/nova/1.1}instance/"
      "flavor/vcpus");
  ASSERT_TRUE(specs.ok()) << specs.status().message();
  StatusOr<DomainConfig> config = ParseDomainConfig(
      "<domain><metadata>"
      "<o:owner xmlns:o='https://example.com/ops/1' team='infra'/>"
      "<nova:instance xmlns:nova='http://openstack.org/xmlns/libvirt/nova/1.1'>"
      "<nova:name>web\n  one</nova:name>"
      "<nova:flavor name='m1'><nova:vcpus>4</nova:vcpus></nova:flavor>"
      "</nova:instance></metadata></domain>",
      *specs);
  ASSERT_TRUE(config.ok()) << config.status().message();
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(config->metadata_labels,
            (std::vector<Pair>{{"team", "infra"}, {"nova_vcpus", "4"}}));
  ASSERT_TRUE(config->nova.has_value());
  EXPECT_EQ(config->nova->name, "web one");
  EXPECT_TRUE(Parsed(Fixture("nova_dedicated.xml")).metadata_labels.empty());
}

TEST(DomainConfigTest, NotADomain) {
  EXPECT_FALSE(ParseDomainConfig("").ok());
  EXPECT_FALSE(ParseDomainConfig("<capabilities/>").ok());
}

TEST(LibvirtCpusetTest, Syntax) {
  EXPECT_EQ(ParseLibvirtCpuset("0-3,8"), (CpuSet{0, 1, 2, 3, 8}));
  EXPECT_EQ(ParseLibvirtCpuset("0-7,^3,^5-6"), (CpuSet{0, 1, 2, 4, 7}));
  EXPECT_EQ(ParseLibvirtCpuset("^3"), std::nullopt);
  EXPECT_EQ(ParseLibvirtCpuset("1,^1"), std::nullopt);
  EXPECT_EQ(ParseLibvirtCpuset(""), std::nullopt);
  EXPECT_EQ(ParseLibvirtCpuset("1,,2"), std::nullopt);
  EXPECT_EQ(ParseLibvirtCpuset("a"), std::nullopt);
}

}  // namespace
}  // namespace vmbalance
