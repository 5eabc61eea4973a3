#include "exporter/libvirt/domain_config_flags.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace {

// gflags runs the validators on every set, command line included; a refused
// value leaves the flag as it was (SetCommandLineOption returns "").
TEST(DomainConfigFlagsTest, BadValuesAreRefused) {
  EXPECT_EQ(gflags::SetCommandLineOption("domain_metadata", "bad-name={u}e"),
            "");
  EXPECT_EQ(gflags::SetCommandLineOption("domain_metadata", "team=owner"), "");
  EXPECT_EQ(FLAGS_domain_metadata, "");
  EXPECT_EQ(gflags::SetCommandLineOption("domain_config_refresh_seconds", "0"),
            "");
  EXPECT_EQ(
      gflags::SetCommandLineOption("domain_config_refresh_seconds", "3601"),
      "");
  EXPECT_EQ(ConfigRefreshFromFlags(), std::chrono::seconds(60));
}

TEST(DomainConfigFlagsTest, GoodValuesReachTheReader) {
  EXPECT_NE(gflags::SetCommandLineOption("domain_metadata",
                                         "team={urn:ops}owner/@team"),
            "");
  ASSERT_EQ(MetadataLabelSpecsFromFlags().size(), 1u);
  EXPECT_EQ(MetadataLabelSpecsFromFlags()[0].name, "team");
  EXPECT_NE(gflags::SetCommandLineOption("domain_config_refresh_seconds", "2"),
            "");
  EXPECT_EQ(ConfigRefreshFromFlags(), std::chrono::seconds(2));
  gflags::SetCommandLineOption("domain_metadata", "");
  gflags::SetCommandLineOption("domain_config_refresh_seconds", "60");
}

}  // namespace
}  // namespace vmbalance
