#include "exporter/libvirt/meminfo.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace vmbalance {
namespace {

using ::testing::HasSubstr;

// The head of a real /proc/meminfo (6.1 kernel, 24 GiB host).
constexpr char kMeminfo[] =
    "MemTotal:       24523584 kB\n"
    "MemFree:          402116 kB\n"
    "MemAvailable:    3512404 kB\n"
    "Buffers:          101232 kB\n"
    "Cached:          3305828 kB\n";

TEST(MeminfoTest, ReadsMemAvailable) {
  StatusOr<uint64_t> kib = ParseMemAvailableKib(kMeminfo);
  ASSERT_TRUE(kib.ok()) << kib.status().message();
  EXPECT_EQ(*kib, 3512404u);
}

TEST(MeminfoTest, LastLineWithoutNewlineAndCarriageReturn) {
  EXPECT_EQ(*ParseMemAvailableKib("MemFree: 1 kB\nMemAvailable: 7 kB"), 7u);
  EXPECT_EQ(*ParseMemAvailableKib("MemAvailable:\t8 kB\r\n"), 8u);
}

TEST(MeminfoTest, OnlyTheWholeKeyAtTheStartOfALineCounts) {
  // A key that merely contains the name is another figure.
  StatusOr<uint64_t> kib =
      ParseMemAvailableKib("XMemAvailable: 5 kB\nMemAvailable: 6 kB\n");
  EXPECT_EQ(*kib, 6u);
}

TEST(MeminfoTest, BadInputIsAnErrorNotACrash) {
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"", "no MemAvailable line"},
           {"MemTotal: 100 kB\nMemFree: 50 kB\n", "no MemAvailable line"},
           {"MemAvailable:", "no number"},
           {"MemAvailable: kB\n", "no number"},
           {"MemAvailable: -5 kB\n", "no number"},
           {"MemAvailable: 99999999999999999999999 kB\n", "out of range"},
           {"MemAvailable: 12\n", "unit is '', not kB"},
           {"MemAvailable: 12 MB\n", "unit is 'MB', not kB"},
           {"MemAvailable: 12kB junk\n", "not kB"},
       }) {
    StatusOr<uint64_t> kib = ParseMemAvailableKib(c.text);
    EXPECT_FALSE(kib.ok()) << c.text;
    EXPECT_THAT(kib.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(MeminfoTest, ReadsAFileAndNamesItInErrors) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string path = dir + "/meminfo";
  std::ofstream(path) << kMeminfo;
  EXPECT_EQ(*ReadMemAvailableKib(path), 3512404u);

  std::ofstream(path) << "MemTotal: 1 kB\n";
  StatusOr<uint64_t> short_file = ReadMemAvailableKib(path);
  ASSERT_FALSE(short_file.ok());
  EXPECT_THAT(short_file.status().message(), HasSubstr(path));

  StatusOr<uint64_t> missing = ReadMemAvailableKib(dir + "/no/such/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot open"));
}

}  // namespace
}  // namespace vmbalance
