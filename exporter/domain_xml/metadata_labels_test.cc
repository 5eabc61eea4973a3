#include "exporter/domain_xml/metadata_labels.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace vmbalance {
namespace {

constexpr char kOps[] = "https://example.com/ops/1";

std::vector<MetadataLabelSpec> Specs(const std::string& text) {
  auto specs = ParseMetadataLabelSpecs(text);
  EXPECT_TRUE(specs.ok()) << specs.status().message();
  return specs.ok() ? *specs : std::vector<MetadataLabelSpec>{};
}

std::string Error(const std::string& text) {
  auto specs = ParseMetadataLabelSpecs(text);
  EXPECT_FALSE(specs.ok()) << text;
  return specs.ok() ? "" : specs.status().message();
}

TEST(MetadataLabelSpecTest, EmptyFlagNoSpecs) {
  EXPECT_TRUE(Specs("").empty());
}

TEST(MetadataLabelSpecTest, ElementTextAndAttribute) {
  auto specs = Specs(std::string("team={") + kOps + "}owner/@team,tier={" +
                     kOps + "}placement/tier");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "team");
  EXPECT_EQ(specs[0].ns, kOps);
  EXPECT_EQ(specs[0].elements, (std::vector<std::string>{"owner"}));
  EXPECT_EQ(specs[0].attribute, "team");
  EXPECT_EQ(specs[1].elements, (std::vector<std::string>{"placement", "tier"}));
  EXPECT_EQ(specs[1].attribute, "");
}

TEST(MetadataLabelSpecTest, CommaInsideNamespaceIsNotASeparator) {
  auto specs = Specs("a={urn:x,y}e,b={urn:z}f");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].ns, "urn:x,y");
  EXPECT_EQ(specs[1].ns, "urn:z");
}

TEST(MetadataLabelSpecTest, BadSpecsAreClearErrors) {
  EXPECT_NE(Error("team").find("want NAME="), std::string::npos);
  EXPECT_NE(Error("bad-name={urn:x}e").find("not a Prometheus label name"),
            std::string::npos);
  EXPECT_NE(Error("1st={urn:x}e").find("not a Prometheus label name"),
            std::string::npos);
  EXPECT_NE(Error("__x={urn:x}e").find("reserved"), std::string::npos);
  for (const char* reserved : {"domain", "uuid", "job", "instance"}) {
    EXPECT_NE(Error(std::string(reserved) + "={urn:x}e").find("reserved"),
              std::string::npos)
        << reserved;
  }
  EXPECT_NE(Error("a=urn:x/e").find("{NAMESPACE_URI}"), std::string::npos);
  EXPECT_NE(Error("a={}e").find("namespace"), std::string::npos);
  EXPECT_NE(Error("a={urn:x}").find("bad path step"), std::string::npos);
  EXPECT_NE(Error("a={urn:x}e//f").find("bad path step"), std::string::npos);
  EXPECT_NE(Error("a={urn:x}@attr").find("bad path step"), std::string::npos);
  EXPECT_NE(Error("a={urn:x}e/@attr/f").find("bad path step"),
            std::string::npos);
  EXPECT_NE(Error("a={urn:x}e[1]").find("bad path step"), std::string::npos);
  EXPECT_NE(Error("a={urn:x}e,a={urn:y}f").find("given twice"),
            std::string::npos);
  EXPECT_NE(Error("a={urn:x}e,").find("want NAME="), std::string::npos);
  EXPECT_NE(Error("a={urn:x}a/b/c/d/e/f/g/h/i").find("deeper"),
            std::string::npos);
}

TEST(MetadataLabelSpecTest, AtMostEightLabels) {
  std::string eight;
  for (int i = 0; i < 8; ++i) {
    eight +=
        (i ? "," : "") + std::string("l") + std::to_string(i) + "={urn:x}e";
  }
  EXPECT_EQ(Specs(eight).size(), 8u);
  EXPECT_NE(Error(eight + ",l8={urn:x}e").find("at most 8"), std::string::npos);
}

TEST(SanitizeLabelValueTest, WhitespaceAndControlCharacters) {
  EXPECT_EQ(SanitizeLabelValue("  web \n\t front\x01" "end  "), "web front end");
  EXPECT_EQ(SanitizeLabelValue(""), "");
  EXPECT_EQ(SanitizeLabelValue(" \n "), "");
  EXPECT_EQ(SanitizeLabelValue("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(SanitizeLabelValueTest, InvalidUtf8Replaced) {
  EXPECT_EQ(SanitizeLabelValue("a\xff"
                               "b"),
            "a?b");
  EXPECT_EQ(SanitizeLabelValue("a\xc3"), "a?");          // truncated
  EXPECT_EQ(SanitizeLabelValue("\xed\xa0\x80"), "???");  // a surrogate
}

TEST(SanitizeLabelValueTest, CutAtTheByteCapOnACharacterBoundary) {
  EXPECT_EQ(SanitizeLabelValue(std::string(500, 'x')).size(),
            kMaxMetadataValueBytes);
  // 127 ASCII bytes, then a 2-byte character that would end at byte 129.
  const std::string text = std::string(127, 'x') + "\xc3\xa9" + "yyy";
  EXPECT_EQ(SanitizeLabelValue(text), std::string(127, 'x'));
}

TEST(ReadMetadataLabelsTest, ByNamespaceNotPrefix) {
  auto doc = xml::XmlDoc::Parse(std::string(R"(<domain><metadata>
      <o:owner xmlns:o=")") + kOps +
                                R"(" team="  infra
        platform "><o:tier>gold</o:tier></o:owner>
      <x:owner xmlns:x="urn:other" team="wrong"/>
    </metadata></domain>)");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  xml::Element metadata = doc->root().Child("metadata");
  auto labels = ReadMetadataLabels(
      metadata, Specs(std::string("team={") + kOps + "}owner/@team,tier={" +
                      kOps + "}owner/tier,cost={" + kOps +
                      "}owner/@cost,other={urn:missing}owner"));
  using Pair = std::pair<std::string, std::string>;
  EXPECT_EQ(labels, (std::vector<Pair>{{"team", "infra platform"},
                                       {"tier", "gold"},
                                       {"cost", ""},
                                       {"other", ""}}));
}

}  // namespace
}  // namespace vmbalance
