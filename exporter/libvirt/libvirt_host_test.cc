// Tests HostReader's MemAvailable wiring over libvirt's in-process test
// driver, with the local-host rule and the meminfo path replaced.
#include "exporter/libvirt/libvirt_host.h"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace {

using libvirt_internal::ConnectionHandle;

constexpr char kAvailableKey[] = "host MemAvailable";

bool AlwaysLocal(std::string_view /*uri*/) { return true; }

class HostReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    conn_.reset(virConnectOpen("test:///default"));
    ASSERT_NE(conn_, nullptr);
    meminfo_ = std::string(std::getenv("TEST_TMPDIR")) + "/meminfo";
  }
  void WriteMeminfo(const std::string& text) {
    std::ofstream(meminfo_) << text;
  }

  ConnectionHandle conn_;
  std::string meminfo_;
  FailureLog failures_;
};

TEST_F(HostReaderTest, LocalHostGetsMemAvailable) {
  WriteMeminfo("MemTotal: 8000 kB\nMemAvailable: 1234 kB\n");
  HostReader reader(meminfo_, AlwaysLocal);
  StatusOr<HostSample> host = reader.Read(conn_.get(), &failures_);
  ASSERT_TRUE(host.ok()) << host.status().message();
  EXPECT_EQ(host->memory_available_kib, 1234u);
  // The libvirt figures are still read alongside.
  EXPECT_GT(host->memory_total_kib, 0u);
}

TEST_F(HostReaderTest, TheTestDriverIsNotThisHost) {
  WriteMeminfo("MemAvailable: 1234 kB\n");
  HostReader reader(meminfo_);  // the real rule
  StatusOr<HostSample> host = reader.Read(conn_.get(), &failures_);
  ASSERT_TRUE(host.ok()) << host.status().message();
  EXPECT_FALSE(host->memory_available_kib.has_value());
  EXPECT_FALSE(failures_.failing(kAvailableKey));
}

TEST_F(HostReaderTest, ReadFailureLeavesItUnsetAndIsLoggedUntilItWorks) {
  HostReader reader(meminfo_ + ".missing", AlwaysLocal);
  StatusOr<HostSample> host = reader.Read(conn_.get(), &failures_);
  ASSERT_TRUE(host.ok()) << host.status().message();
  EXPECT_FALSE(host->memory_available_kib.has_value());
  EXPECT_TRUE(failures_.failing(kAvailableKey));
  // Bad text is a failure too, not a crash or a zero.
  WriteMeminfo("MemAvailable: lots\n");
  HostReader garbled(meminfo_, AlwaysLocal);
  host = garbled.Read(conn_.get(), &failures_);
  ASSERT_TRUE(host.ok());
  EXPECT_FALSE(host->memory_available_kib.has_value());
  EXPECT_TRUE(failures_.failing(kAvailableKey));
  WriteMeminfo("MemAvailable: 99 kB\n");
  host = garbled.Read(conn_.get(), &failures_);
  EXPECT_EQ(host->memory_available_kib, 99u);
  EXPECT_FALSE(failures_.failing(kAvailableKey));
}

TEST_F(HostReaderTest, ResetKeepsThePathAndRule) {
  WriteMeminfo("MemAvailable: 77 kB\n");
  HostReader reader(meminfo_, AlwaysLocal);
  reader.Reset();
  StatusOr<HostSample> host = reader.Read(conn_.get(), &failures_);
  ASSERT_TRUE(host.ok());
  EXPECT_EQ(host->memory_available_kib, 77u);
}

}  // namespace
}  // namespace vmbalance
