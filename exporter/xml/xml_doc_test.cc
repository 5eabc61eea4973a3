#include "exporter/xml/xml_doc.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace xml {
namespace {

constexpr char kDoc[] = R"(<domain xmlns:a="urn:a" xmlns:b="urn:b">
  <metadata>
    <a:tag kind="x"> one </a:tag>
    <b:tag>two</b:tag>
  </metadata>
  <vcpu>4</vcpu>
</domain>)";

TEST(XmlDocTest, FindsByLocalNameAndNamespace) {
  StatusOr<XmlDoc> doc = XmlDoc::Parse(kDoc);
  ASSERT_TRUE(doc.ok());
  Element metadata = doc->root().Child("metadata");
  EXPECT_EQ(metadata.Child("tag").Text(), "one");
  EXPECT_EQ(metadata.Child("tag", "urn:b").Text(), "two");
  EXPECT_EQ(metadata.Child("tag", "urn:a").Attr("kind"), "x");
  EXPECT_EQ(metadata.Children("tag").size(), 2u);
  EXPECT_EQ(metadata.AllChildren().size(), 2u);
  EXPECT_EQ(metadata.Child("tag", "urn:b").ns(), "urn:b");
  EXPECT_EQ(doc->root().Path({"vcpu"}).Text(), "4");
}

TEST(XmlDocTest, MissingLookupsAreEmptyNotCrashes) {
  StatusOr<XmlDoc> doc = XmlDoc::Parse(kDoc);
  ASSERT_TRUE(doc.ok());
  Element none = doc->root().Path({"nope", "deeper"});
  EXPECT_FALSE(none);
  EXPECT_FALSE(none.Child("x"));
  EXPECT_TRUE(none.Children("x").empty());
  EXPECT_EQ(none.Attr("id"), std::nullopt);
  EXPECT_EQ(none.Text(), "");
  EXPECT_EQ(none.name(), "");
}

TEST(XmlDocTest, RejectsMalformedText) {
  EXPECT_FALSE(XmlDoc::Parse("").ok());
  EXPECT_FALSE(XmlDoc::Parse("<a><b></a>").ok());
  EXPECT_FALSE(XmlDoc::Parse("not xml").ok());
}

TEST(XmlDocTest, NeverFetchesExternalEntities) {
  // An external entity must not be resolved (XML_PARSE_NONET, no NOENT).
  StatusOr<XmlDoc> doc = XmlDoc::Parse(
      "<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>&e;</a>");
  if (doc.ok()) {
    EXPECT_EQ(doc->root().Text().find("root:"), std::string::npos);
  }
}

TEST(XmlDocTest, Numbers) {
  EXPECT_EQ(Number("42"), 42u);
  EXPECT_EQ(Number(""), std::nullopt);
  EXPECT_EQ(Number("-1"), std::nullopt);
  EXPECT_EQ(Number("1e3"), std::nullopt);
  EXPECT_EQ(Number("99999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace xml
}  // namespace vmbalance
