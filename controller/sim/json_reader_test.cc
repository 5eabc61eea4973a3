#include "controller/sim/json_reader.h"

#include <gtest/gtest.h>

namespace vmbalance {
namespace sim {
namespace {

using nlohmann::json;

TEST(JsonReaderTest, ReadsPresentFieldsAndLeavesAbsentOnesAlone) {
  const json obj = json::parse(R"({"n": 0.5, "i": 3.0, "b": true, "s": "x",
      "l": [1, 2], "one": 7})");
  JsonReader r;
  double n = -1, absent = -1;
  int i = -1;
  bool b = false;
  std::string s;
  std::vector<int64_t> l, one;
  r.Number(obj, "", "n", 0, 1, &n);
  r.Number(obj, "", "missing", 0, 1, &absent);
  r.Integer(obj, "", "i", 0, 10, &i);
  r.Bool(obj, "", "b", &b);
  r.String(obj, "", "s", &s);
  r.IntList(obj, "", "l", 0, 9, &l);
  r.IntList(obj, "", "one", 0, 9, &one);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(n, 0.5);
  EXPECT_EQ(absent, -1);
  EXPECT_EQ(i, 3);
  EXPECT_TRUE(b);
  EXPECT_EQ(s, "x");
  EXPECT_EQ(l, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(one, std::vector<int64_t>{7});
}

TEST(JsonReaderTest, TheFirstFailureNamesItsFieldAndSticks) {
  const json obj = json::parse(R"({"i": 3.5, "n": "x"})");
  JsonReader r;
  int i = -1;
  double n = -1;
  r.Integer(obj, "d[1].", "i", 0, 10, &i);
  r.Number(obj, "d[1].", "n", 0, 1, &n);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error().message(), "d[1].i: expected an integer");
  EXPECT_EQ(i, -1);
}

TEST(JsonReaderTest, RangesAreChecked) {
  JsonReader r;
  int64_t v = -1;
  EXPECT_FALSE(r.ReadInteger(json(11), "x", 0, 10, &v));
  EXPECT_EQ(r.error().message(), "x: must be in [0, 10], got 11");
  EXPECT_EQ(v, -1);
}

TEST(JsonReaderTest, SeriesNeedsAscendingTicks) {
  JsonReader r;
  std::vector<SeriesPoint> out;
  r.Series(json(0.25), "c", 0, 1, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, 0.25);
  r.Series(json::parse("[[0, 0.1], [5, 0.9]]"), "c", 0, 1, &out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(r.failed());
  r.Series(json::parse("[[5, 0.1], [5, 0.9]]"), "c", 0, 1, &out);
  EXPECT_EQ(r.error().message(), "c[1]: ticks must be strictly ascending");
}

}  // namespace
}  // namespace sim
}  // namespace vmbalance
