#include "exporter/cli.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

DEFINE_int32(cli_test_only, 7, "A flag this test defines.");

namespace vmbalance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ParseIntervalSecondsTest, AcceptsPlainPositiveNumbers) {
  for (const auto& [text, seconds] :
       std::vector<std::pair<std::string, double>>{{"5", 5},
                                                   {"0.5", 0.5},
                                                   {"2.", 2},
                                                   {"1e1", 10},
                                                   {"86400", 86400},
                                                   {"0.01", 0.01}}) {
    StatusOr<double> parsed = ParseIntervalSeconds(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().message();
    EXPECT_DOUBLE_EQ(*parsed, seconds) << text;
  }
}

TEST(ParseIntervalSecondsTest, RejectsBadInput) {
  for (const char* text :
       {"", "0", "0.0", "-1", "-0.5", "abc", "5s", " 5", "5 ", "inf", "-inf",
        "nan", "NaN", "1e400", "0x10", "86401", "1e9", "0.001", "1,5"}) {
    StatusOr<double> parsed = ParseIntervalSeconds(text);
    EXPECT_FALSE(parsed.ok()) << "'" << text << "' was accepted";
    EXPECT_FALSE(parsed.status().message().empty());
  }
}

TEST(ParseIntervalSecondsTest, MessagesSayWhatIsWrong) {
  EXPECT_THAT(ParseIntervalSeconds("").status().message(),
              HasSubstr("missing"));
  EXPECT_THAT(ParseIntervalSeconds("-3").status().message(),
              HasSubstr("positive"));
  EXPECT_THAT(ParseIntervalSeconds("soon").status().message(),
              HasSubstr("not a number"));
}

TEST(ParseListenAddressTest, Normalises) {
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {":9177", "0.0.0.0:9177"},
           {"9177", "0.0.0.0:9177"},
           {"127.0.0.1:9177", "127.0.0.1:9177"},
           {"localhost:80", "127.0.0.1:80"},
           {"0.0.0.0:0", "0.0.0.0:0"},
           {"[::1]:9177", "[::1]:9177"},
           {":09177", "0.0.0.0:9177"}}) {
    StatusOr<std::string> parsed = ParseListenAddress(in);
    ASSERT_TRUE(parsed.ok()) << in << ": " << parsed.status().message();
    EXPECT_EQ(*parsed, out);
  }
}

TEST(ParseListenAddressTest, RejectsBadInput) {
  for (const char* text :
       {"", ":", "host", "127.0.0.1", ":65536", ":-1", ":abc", "example.com:80",
        "1.2.3:80", "[::1:80", "[nothex]:80", ":123456"}) {
    EXPECT_FALSE(ParseListenAddress(text).ok()) << "'" << text << "'";
  }
}

TEST(StartExposerTest, ServesOnAFreePort) {
  auto exposer = StartExposer("127.0.0.1:0");
  ASSERT_TRUE(exposer.ok()) << exposer.status().message();
  ASSERT_EQ((*exposer)->GetListeningPorts().size(), 1u);
  EXPECT_GT((*exposer)->GetListeningPorts()[0], 0);
}

TEST(StartExposerTest, BusyPortGivesAClearError) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  auto exposer = StartExposer("127.0.0.1:" + std::to_string(port));
  close(fd);
  ASSERT_FALSE(exposer.ok());
  EXPECT_EQ(exposer.status().message(),
            "cannot listen on 127.0.0.1:" + std::to_string(port) + ": port " +
                std::to_string(port) + " already in use");
}

TEST(StartExposerTest, BadAddressIsAnErrorNotAThrow) {
  EXPECT_FALSE(StartExposer("nowhere").ok());
}

TEST(ListenFlagTest, SetListenDefaultChangesTheDefault) {
  SetListenDefault(":9999");
  EXPECT_EQ(FLAGS_listen, ":9999");
  gflags::CommandLineFlagInfo info;
  ASSERT_TRUE(gflags::GetCommandLineFlagInfo("listen", &info));
  EXPECT_EQ(info.default_value, ":9999");
  EXPECT_EQ(FLAGS_connect, "qemu:///system");
}

// --helpshort lists flags by the file that defines them, from the registry.
TEST(ShortHelpTest, ListsTheFlagsOfTheGivenFilesOnly) {
  const std::string common = ShortHelp("does things", {CommonFlagsFile()});
  EXPECT_THAT(common, HasSubstr("does things"));
  EXPECT_THAT(common, HasSubstr("-connect"));
  EXPECT_THAT(common, HasSubstr("-listen"));
  EXPECT_THAT(common, Not(HasSubstr("-cli_test_only")));
  const std::string both = ShortHelp("u", {CommonFlagsFile(), __FILE__});
  EXPECT_THAT(both, HasSubstr("-cli_test_only"));
  EXPECT_THAT(both, HasSubstr("default: 7"));
  EXPECT_THAT(both, HasSubstr("-connect"));
}

}  // namespace
}  // namespace vmbalance
