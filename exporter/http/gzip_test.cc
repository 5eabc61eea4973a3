#include "exporter/http/gzip.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vmbalance {
namespace {

// Long and repetitive, as an exposition is: deflate back-references span
// well past one 32 KiB window.
std::string Exposition(int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i) {
    text += "libvirt_domain_vcpu_time_seconds_total{domain=\"vm" +
            std::to_string(i) + "\",vcpu=\"0\"} " + std::to_string(i * 0.37) +
            "\n";
  }
  return text;
}

// Each text deflated on its own (at alternating levels), then framed.
std::string Joined(const std::vector<std::string>& texts) {
  std::vector<DeflatedPart> parts;
  for (size_t i = 0; i < texts.size(); ++i) {
    const auto part = Deflate(texts[i], i % 2 ? 6 : 1);
    EXPECT_TRUE(part.has_value());
    if (!part) return "";
    parts.push_back(*part);
  }
  std::vector<const DeflatedPart*> pointers;
  for (const DeflatedPart& part : parts) pointers.push_back(&part);
  return GzipJoin(pointers);
}

TEST(GzipTest, PartsInflateToTheirConcatenation) {
  const std::string head =
      "# TYPE exposer_scrapes_total counter\n"
      "exposer_scrapes_total 3\n";
  const std::string exporter = Exposition(5000);
  const std::string controller = Exposition(700);
  const std::optional<std::string> plain =
      Gunzip(Joined({head, exporter, controller}));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, head + exporter + controller);
}

TEST(GzipTest, EmptyPartsAndNoPartsAreFine) {
  EXPECT_EQ(Gunzip(Joined({})), std::optional<std::string>(""));
  EXPECT_EQ(Gunzip(Joined({"", ""})), std::optional<std::string>(""));
  EXPECT_EQ(Gunzip(Joined({"", "abc"})), std::optional<std::string>("abc"));
  EXPECT_EQ(Gunzip(Joined({"abc", ""})), std::optional<std::string>("abc"));
}

TEST(GzipTest, CompressesTheBody) {
  const std::string text = Exposition(5000);
  const auto part = Deflate(text, 6);
  ASSERT_TRUE(part.has_value());
  EXPECT_LT(part->deflated.size(), text.size() / 4);
  EXPECT_EQ(part->size, text.size());
}

TEST(GzipTest, GunzipRejectsDamage) {
  std::string gzip = Joined({"head\n", Exposition(100)});
  EXPECT_FALSE(Gunzip(gzip.substr(0, gzip.size() - 1)).has_value());
  gzip[gzip.size() - 6] ^= 1;  // the crc32
  EXPECT_FALSE(Gunzip(gzip).has_value());
  EXPECT_FALSE(Gunzip("not gzip").has_value());
}

TEST(AcceptsGzipTest, ReadsTheHeaderAsHttpDoes) {
  EXPECT_FALSE(AcceptsGzip(nullptr));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip(" x-gzip "));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));  // named explicitly: refused
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
}

}  // namespace
}  // namespace vmbalance
